"""``logitrack audit verify`` end to end, including an attacker who bypasses the triggers."""

from __future__ import annotations

import dataclasses
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from logitrack.security.chain import compute_hash
from logitrack.security.models import AuditChainHead, AuditEntry
from logitrack.security.tests.helpers import drop_guard_triggers, record_entries

pytestmark = pytest.mark.django_db


def _verify(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("audit", "verify", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _verify_fails(*args: str) -> tuple[CommandError, str]:
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", *args, stdout=out, stderr=StringIO())
    return caught.value, out.getvalue()


def test_verify_reports_an_intact_chain() -> None:
    record_entries(3)

    out, err = _verify()

    assert out == "Audit chain intact. Entries checked: 3.\n"
    assert err == ""


def test_verify_accepts_an_empty_chain() -> None:
    out, _err = _verify()

    assert out == "Audit chain intact. Entries checked: 0.\n"


def test_verify_names_the_entry_whose_details_were_changed_behind_the_triggers() -> None:
    # given five entries, and an attacker with owner rights who disables the guard and edits #3
    entries = record_entries(5)
    drop_guard_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE security_auditentry SET details = %s WHERE sequence = 3", ['{"round": 99}']
        )

    # when the chain is verified
    error, out = _verify_fails()

    # then it exits 1 and names entry 3, its id and what is wrong with it
    assert error.returncode == 1
    assert str(error) == (
        f"Audit chain broken at entry 3 (id {entries[2].pk}): its hash no longer matches its "
        "contents."
    )
    assert out == "Entries checked before the first break: 2.\n"


def test_verify_names_the_entry_after_one_that_was_changed_and_rehashed() -> None:
    # given an attacker who edits entry 2 and stores a freshly computed hash for it
    entries = record_entries(4)
    altered = dataclasses.replace(entries[1].as_row(), details={"round": 99})
    drop_guard_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE security_auditentry SET details = %s, entry_hash = %s WHERE sequence = 2",
            ['{"round": 99}', compute_hash(altered.previous_hash, altered)],
        )

    error, out = _verify_fails()

    # then entry 2 checks out on its own, but entry 3 no longer links to it
    assert str(error) == (
        f"Audit chain broken at entry 3 (id {entries[2].pk}): its previous-hash link does not "
        "match the entry before it."
    )
    assert out == "Entries checked before the first break: 2.\n"


def test_verify_reports_a_sequence_gap_where_an_entry_was_deleted() -> None:
    entries = record_entries(4)
    drop_guard_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM security_auditentry WHERE sequence = 2")

    error, out = _verify_fails()

    assert error.returncode == 1
    assert str(error) == (
        f"Audit chain broken at entry 3 (id {entries[2].pk}): sequence gap, expected entry 2 first."
    )
    assert out == "Entries checked before the first break: 1.\n"


def test_verify_reports_entries_deleted_from_the_end() -> None:
    record_entries(4)
    drop_guard_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM security_auditentry WHERE sequence = 4")

    error, out = _verify_fails()

    assert error.returncode == 1
    assert str(error) == (
        "Audit chain broken at its end: the chain head records entry 4, but the last entry "
        "found is 3; entries were removed from the end or the head was altered."
    )
    assert out == "Entries checked before the first break: 3.\n"


def test_verify_streams_in_batches_and_draws_progress_on_stderr() -> None:
    record_entries(5)

    out, err = _verify("--batch-size", "2")

    assert out == "Audit chain intact. Entries checked: 5.\n"
    assert err == (
        "\r[############..................] 2/5"
        "\r[########################......] 4/5"
        "\r[##############################] 5/5\n"
    )


def test_verify_ignores_entries_appended_after_it_read_the_head() -> None:
    # A head read before a concurrent append must not be mistaken for a truncated chain: only
    # entries up to the head are checked. Simulated by reading with a stale head.
    record_entries(3)
    AuditChainHead.objects.update(
        sequence=2, entry_hash=AuditEntry.objects.get(sequence=2).entry_hash
    )

    out, _err = _verify()

    assert out == "Audit chain intact. Entries checked: 2.\n"


def test_verify_needs_a_subcommand() -> None:
    with pytest.raises(CommandError, match="SUBCOMMAND"):
        call_command("audit")
