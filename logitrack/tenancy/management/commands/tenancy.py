"""``logitrack tenancy <action>``: tenancy tooling.

    logitrack tenancy permissions --markdown [--output docs/permissions.md] [--check]

prints the permission matrix as Markdown (the source of docs/permissions.md); ``--check`` exits
with status 1 when the file named by ``--output`` differs from what the code says.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from logitrack.tenancy.permissions_doc import render_markdown


class Command(BaseCommand):
    help = "Tenancy tooling: print the permission matrix."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        permissions = actions.add_parser(
            "permissions", help=_("Print the permission matrix of the account levels.")
        )
        permissions.add_argument(
            "--markdown",
            action="store_true",
            help=_("Print Markdown (the only format for now)."),
        )
        permissions.add_argument(
            "--output", type=Path, help=_("Write to this file instead of standard output.")
        )
        permissions.add_argument(
            "--check",
            action="store_true",
            help=_("Do not write; fail when the --output file differs from the matrix."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "permissions":
            self.permissions(out=options["output"], check=options["check"])

    def permissions(self, *, out: Path | None, check: bool) -> None:
        text = render_markdown()
        if check:
            if out is None:
                raise CommandError(_("--check needs --output."))
            current = out.read_text(encoding="utf-8") if out.exists() else ""
            if current != text:
                raise CommandError(
                    _("%(path)s is out of date; regenerate it with --output.") % {"path": out}
                )
            return
        if out is None:
            self.stdout.write(text, ending="")
        else:
            out.write_text(text, encoding="utf-8")
