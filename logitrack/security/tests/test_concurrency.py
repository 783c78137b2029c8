"""Concurrent appends never fork the chain: every entry gets its own sequence and link."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from logitrack.security.models import AuditEntry
from logitrack.security.tests.concurrent_appends import append_concurrently

THREADS = 8
PER_THREAD = 10
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason=(
        "the SQLite test database is in memory with a shared cache, where a second writer fails "
        "at once ('table is locked') instead of waiting; the file-database test covers SQLite"
    ),
)
def test_threads_appending_at_once_form_one_unbroken_chain() -> None:
    # when eight threads append ten entries each, all at the same moment
    errors = append_concurrently(THREADS, PER_THREAD)

    # then every append succeeded, sequences run 1..80 and the chain verifies
    assert errors == []
    sequences = list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, THREADS * PER_THREAD + 1))
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue() == f"Audit chain intact. Entries checked: {THREADS * PER_THREAD}.\n"


def test_threads_appending_to_a_sqlite_file_database_form_one_unbroken_chain(
    tmp_path: Path,
) -> None:
    # given a fresh SQLite file database with the shipped settings, in its own process
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(LOGITRACK_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings.test")

    # when eight threads append ten entries each, then the chain is verified
    completed = subprocess.run(
        [sys.executable, "-m", "logitrack.security.tests.concurrent_appends", "8", "10"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # then no append failed and the verifier found all 80 entries intact
    assert (completed.returncode, completed.stderr) == (0, "")
    assert completed.stdout.endswith("Audit chain intact. Entries checked: 80.\n")
