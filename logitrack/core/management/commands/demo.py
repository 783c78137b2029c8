"""``logitrack demo``: load the demo tenants and users, and write their credentials to demo.json."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from logitrack.core.demo import DemoRefused, demo_allowed, demo_path, load_demo


class Command(BaseCommand):
    help = "Load the demo data (two tenants, one user per account level) once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--first-run",
            action="store_true",
            help="Load only if this data directory has no demo yet, and stay quiet otherwise.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not demo_allowed():
            raise CommandError("The demo is never loaded with the production settings.")
        path = demo_path()
        if path.exists():
            if not options["first_run"]:
                self.stdout.write(f"The demo is already loaded; its credentials are in {path}")
            return
        try:
            demo = load_demo(path)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        users = sum(len(tenant["users"]) for tenant in demo.tenants)
        self.stdout.write(
            f"Demo loaded: {len(demo.tenants)} tenants, {users} users. "
            f"Credentials (keep them private): {path}"
        )
