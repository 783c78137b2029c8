"""``logitrack partners_seed``: write the partners Logitrack ships configured to use, if missing.

Run by ``make run`` after ``migrate``; rows the privacy officer has edited are left alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from logitrack.privacy.breaches.services.partners import partners_seed


class Command(BaseCommand):
    help = "Write the declared partners of the partners register that are missing."

    def handle(self, *args: Any, **options: Any) -> None:
        added = partners_seed()
        if options["verbosity"] > 0:
            self.stdout.write(f"partners added: {added}")
