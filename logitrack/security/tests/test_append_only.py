"""Nothing updates or deletes an audit entry: not the ORM, not raw SQL."""

from __future__ import annotations

import pytest
from django.core.management import call_command, get_commands
from django.db import IntegrityError, connection, transaction

from logitrack.security.actors import Actor
from logitrack.security.chain import verify_chain
from logitrack.security.guard import audit_purge_allowed
from logitrack.security.models import AppendOnlyViolation, AuditChainHead, AuditEntry
from logitrack.security.services import audit_record
from logitrack.security.tests.helpers import create_user, record_entries

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only"
)


def _assert_refused_by_database(sql: str, *, match: str = "append-only") -> None:
    # In a savepoint, so that PostgreSQL's aborted statement does not poison the test's
    # transaction.
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        connection.cursor().execute(sql)


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True))


def test_saving_an_existing_entry_is_refused_and_changes_nothing() -> None:
    (entry,) = record_entries(1)
    entry.action = "authz_fail"

    with pytest.raises(AppendOnlyViolation, match="save"):
        entry.save()

    assert _actions() == ["sys_monitor_enabled"]


def test_deleting_an_entry_through_the_model_is_refused() -> None:
    (entry,) = record_entries(1)

    with pytest.raises(AppendOnlyViolation, match="delete"):
        entry.delete()

    assert AuditEntry.objects.count() == 1


def test_queryset_update_is_refused() -> None:
    record_entries(2)

    with pytest.raises(AppendOnlyViolation, match="update"):
        AuditEntry.objects.filter(sequence=1).update(action="authz_fail")

    assert _actions() == ["sys_monitor_enabled", "sys_monitor_enabled"]


def test_queryset_delete_is_refused() -> None:
    record_entries(2)

    with pytest.raises(AppendOnlyViolation, match="delete"):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.count() == 2


def test_bulk_create_is_refused_because_it_would_bypass_the_chain() -> None:
    with pytest.raises(AppendOnlyViolation, match="bulk_create"):
        AuditEntry.objects.bulk_create([AuditEntry(sequence=1, action="authz_fail")])

    assert AuditEntry.objects.count() == 0


def test_raw_sql_update_is_refused_by_the_database() -> None:
    record_entries(2)

    _assert_refused_by_database(
        "UPDATE security_auditentry SET action = 'authz_fail'", match="append-only"
    )

    assert _actions() == ["sys_monitor_enabled", "sys_monitor_enabled"]


def test_raw_sql_delete_is_refused_by_the_database() -> None:
    record_entries(2)

    _assert_refused_by_database(
        "DELETE FROM security_auditentry WHERE sequence = 2", match="append-only"
    )

    assert AuditEntry.objects.count() == 2


@on_postgresql
def test_truncate_is_refused_on_postgresql() -> None:
    record_entries(2)

    _assert_refused_by_database("TRUNCATE security_auditentry", match="append-only: TRUNCATE")

    assert AuditEntry.objects.count() == 2


@on_postgresql
def test_purge_switch_lets_truncate_through_on_postgresql_and_is_off_again_after() -> None:
    record_entries(2)

    with audit_purge_allowed(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE security_auditentry")
    assert AuditEntry.objects.count() == 0

    record_entries(1)
    _assert_refused_by_database("TRUNCATE security_auditentry")
    assert AuditEntry.objects.count() == 1


@on_postgresql
def test_purge_switch_never_lets_a_row_update_or_delete_through_on_postgresql() -> None:
    record_entries(1)

    with audit_purge_allowed():
        for statement in (
            "UPDATE security_auditentry SET action = 'x'",
            "DELETE FROM security_auditentry",
        ):
            _assert_refused_by_database(statement)

    assert _actions() == ["sys_monitor_enabled"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's flush uses DELETE")
def test_purge_switch_lets_delete_through_on_sqlite_and_is_off_again_after() -> None:
    record_entries(2)

    with audit_purge_allowed(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM security_auditentry")
    assert AuditEntry.objects.count() == 0

    record_entries(1)
    _assert_refused_by_database("DELETE FROM security_auditentry")
    assert AuditEntry.objects.count() == 1


def test_guard_triggers_are_installed() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = 'security_auditentry'::regclass AND NOT tgisinternal "
                "AND tgenabled = 'O'"
            )
            expected = {"security_auditentry_no_update_delete", "security_auditentry_no_truncate"}
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'security_auditentry'"
            )
            expected = {"security_auditentry_no_update", "security_auditentry_no_delete"}
        assert {name for (name,) in cursor.fetchall()} == expected


def test_deleting_a_user_leaves_their_entries_intact() -> None:
    # given a person with audit entries
    user = create_user()
    audit_record(
        action="user_created",
        actor=Actor.system("signup"),
        object_type="accounts.user",
        object_id=str(user.pk),
    )
    audit_record(action="authn_login_success", actor=Actor.user(user))
    pseudonym = Actor.user(user).pseudonym

    # when their account is deleted
    user.delete()

    # then the entries remain, still under their pseudonym, and the chain verifies
    assert list(
        AuditEntry.objects.order_by("sequence").values_list("action", "actor_pseudonym")
    ) == [
        ("user_created", Actor.system("signup").pseudonym),
        ("authn_login_success", pseudonym),
    ]
    assert verify_chain(e.as_row() for e in AuditEntry.objects.order_by("sequence")).ok


def test_flush_is_this_apps_command() -> None:
    assert get_commands()["flush"] == "logitrack.security"


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_chain_and_the_next_entry_starts_a_new_chain() -> None:
    # given committed entries (a transactional test: flush runs for real)
    record_entries(3)

    # when the database is flushed
    call_command("flush", interactive=False, verbosity=0)

    # then the audit table and head are empty, the guard is back on, and appends start at 1
    assert AuditEntry.objects.count() == 0
    assert not AuditChainHead.objects.exists()
    (entry,) = record_entries(1)
    assert entry.sequence == 1
    _assert_refused_by_database("DELETE FROM security_auditentry")
