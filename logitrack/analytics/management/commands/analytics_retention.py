"""``logitrack analytics_retention``: delete page views older than twelve months.

The scheduler runs it daily at 03:00 (docs/adr/0038); this command is for a manual run; it
enqueues nothing and prints how many rows it deleted.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from logitrack.analytics.services import page_views_purge
from logitrack.security.actors import Actor


class Command(BaseCommand):
    help = "Delete usage-analytics page views older than twelve months."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = page_views_purge(actor=Actor.system("analytics_retention"))
        if options["verbosity"] > 0:
            self.stdout.write(f"{deleted}")
