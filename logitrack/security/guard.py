"""The database's half of "append-only", and the one sanctioned way past it.

Migration 0002 installs triggers that refuse UPDATE and DELETE of audit entries (PostgreSQL also
refuses TRUNCATE). Emptying the whole database must still work: Django's ``flush`` (run by the
test suite between transactional tests, and by an operator resetting a database) deletes every
table. So each backend has a per-connection switch that only ``audit_purge_allowed()`` turns on:

- PostgreSQL: the session setting ``logitrack.allow_audit_truncate = 'on'`` lets TRUNCATE through
  (row-level UPDATE and DELETE stay refused, whatever the setting);
- SQLite, which flushes with ``DELETE FROM``: the SQL function ``logitrack_audit_purge_allowed()``,
  registered on every connection Django opens, answers 1. A connection that lacks the function
  (the sqlite3 shell, another program) fails every DELETE on the table: the guard fails closed.

These stop mistakes and application bugs. They do not stop a database owner, who can drop a
trigger; on PostgreSQL the application's role should hold only INSERT and SELECT on the table.
Only ``flush`` (``logitrack/security/management/commands/flush.py``) and a future retention job
may use ``audit_purge_allowed``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

PG_TRUNCATE_SETTING = "logitrack.allow_audit_truncate"
SQLITE_PURGE_FUNCTION = "logitrack_audit_purge_allowed"

_purge_allowed: ContextVar[bool] = ContextVar("logitrack_audit_purge_allowed", default=False)


def _sqlite_purge_allowed() -> int:
    return 1 if _purge_allowed.get() else 0


def install_connection_hooks(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: Any
) -> None:
    """``connection_created`` receiver: give each new SQLite connection the purge switch."""
    if connection.vendor == "sqlite":
        # deterministic=False: SQLite must call it on every row, never cache an answer.
        connection.connection.create_function(
            SQLITE_PURGE_FUNCTION, 0, _sqlite_purge_allowed, deterministic=False
        )


@contextmanager
def audit_purge_allowed(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within the block, this thread's connection may empty the audit table.

    For ``flush`` and retention only. Row updates stay refused on every backend.
    """
    connection = connections[using]
    token = _purge_allowed.set(True)
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', false)", [PG_TRUNCATE_SETTING])
        yield
    finally:
        _purge_allowed.reset(token)
        # In a transaction that will roll back, the rollback undoes set_config by itself, and
        # any statement sent now would fail and hide the original error.
        if (
            connection.vendor == "postgresql"
            and connection.connection is not None
            and not connection.needs_rollback
        ):
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', false)", [PG_TRUNCATE_SETTING])
