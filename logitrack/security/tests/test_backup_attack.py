"""``logitrack backup`` under attack: swapped manifests, names as paths, stray files, a create
killed mid-way, and prune keeping a backup that failed verification."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from logitrack.security.actors import Actor
from logitrack.security.backups import engines, services
from logitrack.security.backups.services import BackupError

ACTOR = Actor.system("test_suite")


@pytest.fixture(autouse=True)
def backup_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "backups"
    with override_settings(LOGITRACK_BACKUP_DIR=str(directory)):
        yield directory


@pytest.mark.django_db(transaction=True)
def test_a_manifest_copied_over_another_backups_name_is_not_taken_for_it(
    backup_dir: Path,
) -> None:
    a = services.backup_create(actor=ACTOR, now=datetime(2026, 1, 1, tzinfo=UTC))
    b = services.backup_create(actor=ACTOR, now=datetime(2026, 1, 2, tzinfo=UTC))
    shutil.copy(backup_dir / f"{a.name}.json", backup_dir / f"{b.name}.json")

    # "verify B" verifies A (and records the outcome in A's manifest): the manifest read for B
    # names another backup, and nothing compares that name with the one asked for.
    with pytest.raises(BackupError):
        services.backup_verify(actor=ACTOR, name=b.name)


@pytest.mark.django_db(transaction=True)
def test_a_manifest_name_is_never_used_as_a_path_outside_the_backup_directory(
    backup_dir: Path, tmp_path: Path
) -> None:
    a = services.backup_create(actor=ACTOR)
    manifest = json.loads((backup_dir / f"{a.name}.json").read_text())
    manifest["name"] = "../escaped"
    (backup_dir / "evil.json").write_text(json.dumps(manifest))

    with pytest.raises(BackupError):  # the seal fails: damaged
        services.backup_verify(actor=ACTOR, name="evil")

    # ... but the failure was recorded at backup_dir / "../escaped.json".
    assert not (tmp_path / "escaped.json").exists()


@pytest.mark.django_db
def test_a_stray_json_file_in_the_backup_directory_does_not_break_list_and_prune(
    backup_dir: Path,
) -> None:
    backup_dir.mkdir(parents=True, exist_ok=True)
    (backup_dir / "notes.json").write_text("{}")  # KeyError: 'created_at'

    assert services.backup_list() == []
    assert services.backup_prune(actor=ACTOR) == []


@pytest.mark.django_db(transaction=True)
def test_no_plaintext_copy_is_left_when_create_is_terminated(
    backup_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM (systemd stop, a timeout's kill) ends Python without running ``finally``: the
    SQLite copy, the whole database in clear, stays in the backup directory, and nothing
    removes ``.tmp-*`` files later (not create, list nor prune)."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's dump is streamed, never on disk")

    def terminated(*_args: object, **_kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(services, "encrypt_stream", terminated)
    services.backup_dir()
    pid = os.fork()
    if pid == 0:  # the backup process, killed mid-create
        try:
            services.backup_create(actor=ACTOR)
        finally:
            os._exit(0)
    _pid, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status)
    monkeypatch.undo()
    services.backup_create(actor=ACTOR)  # the next run
    services.backup_prune(actor=ACTOR)

    left = sorted(p.name for p in backup_dir.glob(".tmp-*"))
    assert left == [], f"plaintext database copies left on disk: {left}"
    assert engines  # imported for the vendor helpers


@pytest.mark.django_db(transaction=True)
def test_prune_keeps_the_newest_backup_that_verified_not_one_that_failed_verification(
    backup_dir: Path,
) -> None:
    from datetime import timedelta

    old = services.backup_create(actor=ACTOR, now=datetime(2026, 1, 1, tzinfo=UTC))
    services.backup_verify(actor=ACTOR, name=old.name)  # passed
    new = services.backup_create(actor=ACTOR, now=datetime(2026, 1, 2, tzinfo=UTC))
    (backup_dir / f"{new.name}.ltbk").write_bytes(b"damaged")
    with pytest.raises(BackupError):
        services.backup_verify(actor=ACTOR, name=new.name)  # recorded: failed

    services.backup_prune(actor=ACTOR, now=datetime(2026, 6, 1, tzinfo=UTC) + timedelta(days=1))

    # The only restorable backup is deleted; the damaged one is kept as "the newest good".
    assert (backup_dir / f"{old.name}.ltbk").exists()


@pytest.mark.django_db(transaction=True)
def test_prune_keeps_the_newest_verified_backup_beside_a_newer_one_not_verified_yet(
    backup_dir: Path,
) -> None:
    old = services.backup_create(actor=ACTOR, now=datetime(2026, 1, 1, tzinfo=UTC))
    services.backup_verify(actor=ACTOR, name=old.name)  # passed
    new = services.backup_create(actor=ACTOR, now=datetime(2026, 1, 2, tzinfo=UTC))

    assert services.backup_prune(actor=ACTOR, now=datetime(2026, 12, 1, tzinfo=UTC)) == []
    assert (backup_dir / f"{old.name}.ltbk").exists()
    assert (backup_dir / f"{new.name}.ltbk").exists()
