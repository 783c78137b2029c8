"""Builders shared by the audit chain tests."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connection

from logitrack.accounts.models import User
from logitrack.security.actors import Actor
from logitrack.security.chain import GENESIS_HASH, EntryRow, compute_hash
from logitrack.security.models import AuditEntry
from logitrack.security.services import audit_record

T0 = dt.datetime(2026, 3, 1, 8, 30, 0, 123456, tzinfo=dt.UTC)


def create_user(email: str = "lan.nguyen@example.vn", **fields: object) -> User:
    user = get_user_model().objects.create_user(
        email=email, password="a long enough password", full_name="Nguyễn Thị Lan", **fields
    )
    assert isinstance(user, User)
    return user


def record_entries(
    count: int, *, actor: Actor | None = None, tenant_id: int | None = None
) -> list[AuditEntry]:
    """Append ``count`` entries through the service, with details {"round": 1..count}."""
    who = actor if actor is not None else Actor.system("test_suite")
    return [
        audit_record(
            action="sys_monitor_enabled",
            actor=who,
            tenant_id=tenant_id,
            object_type="probe",
            object_id=str(number),
            details={"round": number},
        )
        for number in range(1, count + 1)
    ]


def build_rows(count: int) -> list[EntryRow]:
    """A correctly linked chain of ``count`` rows, without a database."""
    rows: list[EntryRow] = []
    previous = GENESIS_HASH
    for number in range(1, count + 1):
        row = EntryRow(
            id=100 + number,
            sequence=number,
            created_at=T0 + dt.timedelta(seconds=number),
            actor_kind="system",
            actor_pseudonym="ab" * 32,
            tenant_id=7,
            action="sys_monitor_enabled",
            object_type="probe",
            object_id=str(number),
            ip="192.0.2.1",
            user_agent="probe/1.0",
            request_id="",
            details={"round": number},
            previous_hash=previous,
        )
        row = dataclasses.replace(row, entry_hash=compute_hash(previous, row))
        rows.append(row)
        previous = row.entry_hash
    return rows


def drop_guard_triggers() -> None:
    """What an attacker with the database owner's rights can do; rolled back with the test."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE security_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER security_auditentry_no_update")
            cursor.execute("DROP TRIGGER security_auditentry_no_delete")
