"""``logitrack backup <action>``: encrypted backups of the database (docs/adr/0055).

    logitrack backup create
    logitrack backup list
    logitrack backup verify NAME
    logitrack backup restore NAME --yes
    logitrack backup prune

``create`` dumps the configured database (SQLite's online backup API, or pg_dump) encrypted under
a key derived from the current master key; ``verify`` restores a backup into a scratch database
and compares row counts and checksums with its manifest; ``restore`` replaces the configured
database's content and re-applies the erasure ledger; ``prune`` deletes backups older than
LOGITRACK_BACKUP_KEEP_DAYS, never the newest. Every action is written to the audit chain; a
failure exits non-zero with its reason.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from logitrack.security.actors import Actor
from logitrack.security.backups import services
from logitrack.security.backups.services import BackupError


class Command(BaseCommand):
    actor = Actor.system("backup")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.description = _("Encrypted backups: create, list, verify, restore, prune.")
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("create", help=_("Back up the configured database, encrypted."))
        actions.add_parser("list", help=_("List backups: time, size, database, verification."))
        verify = actions.add_parser(
            "verify", help=_("Restore a backup into a scratch database and compare it.")
        )
        verify.add_argument("name")
        restore = actions.add_parser(
            "restore", help=_("Replace the configured database with a backup.")
        )
        restore.add_argument("name")
        restore.add_argument(
            "--yes", action="store_true", help=_("Confirm: the current data is replaced.")
        )
        actions.add_parser("prune", help=_("Delete old backups, never the newest."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "create":
                info = services.backup_create(actor=self.actor)
                self.stdout.write(_("Backup %(name)s created.") % {"name": info.name})
            elif action == "list":
                self.list()
            elif action == "verify":
                info = services.backup_verify(actor=self.actor, name=options["name"])
                self.stdout.write(_("Backup %(name)s verified.") % {"name": info.name})
            elif action == "restore":
                if not options["yes"]:
                    raise CommandError(
                        _("Restoring replaces every row of the configured database; add --yes.")
                    )
                erased = services.backup_restore(actor=self.actor, name=options["name"])
                self.stdout.write(
                    _("Backup %(name)s restored; %(count)s erasures re-applied.")
                    % {"name": options["name"], "count": erased}
                )
            elif action == "prune":
                deleted = services.backup_prune(actor=self.actor)
                self.stdout.write(_("%(count)s backups deleted.") % {"count": len(deleted)})
        except BackupError as exc:
            raise CommandError(exc.message) from exc

    def list(self) -> None:
        for info in services.backup_list():
            states = {
                "never": _("never verified"),
                "passed": _("verification passed"),
                "failed": _("verification failed"),
            }
            state = _("create failed") if info.status == "failed" else states[info.verification]
            self.stdout.write(
                f"{info.name}  {info.created_at:%Y-%m-%d %H:%M:%S%z}  {info.size:>12}  "
                f"{info.vendor:<10}  {state}" + (f"  {info.message}" if info.message else "")
            )
