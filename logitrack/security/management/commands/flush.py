"""``flush``, as Django ships it, allowed to empty the append-only audit table.

Django's ``flush`` deletes every table's rows; the test suite runs it after each transactional
test, and an operator runs it to reset a database. The audit triggers refuse row deletion (and,
on PostgreSQL, TRUNCATE), so this command turns on the per-connection purge switch for the
duration of the flush and nothing else. Emptying the audit chain therefore takes emptying the
whole database: there is no way to remove some entries and keep the rest.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from logitrack.security.guard import audit_purge_allowed


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with audit_purge_allowed(options["database"]):
            super().handle(**options)
