"""``logitrack tracking_partitions``: create the coming days' position partitions (PostgreSQL).

Run daily (``logitrack serve`` runs it at start-up and the gateway once a day); safe to run at
any time and from several machines at once (each day is created in one transaction).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from logitrack.tracking.partitions import DAYS_AHEAD, DAYS_BEHIND, partitions_ensure


class Command(BaseCommand):
    help = "Create the daily partitions of tracking_position ahead of time (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ahead", type=int, default=DAYS_AHEAD)
        parser.add_argument("--behind", type=int, default=DAYS_BEHIND)

    def handle(self, *args: Any, **options: Any) -> None:
        created = partitions_ensure(behind=options["behind"], ahead=options["ahead"])
        if options["verbosity"] < 1:
            return
        for name in created:
            self.stdout.write(f"created {name}")
        self.stdout.write(f"{len(created)} partition(s) created")
