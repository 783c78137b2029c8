"""``logitrack imports_expire``: delete the files of imports left waiting for more than a day.

Run it from the operator's scheduler (e.g. hourly); it prints how many imports it closed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from logitrack.imports.services import import_uploads_expire


class Command(BaseCommand):
    help = "Close imports left waiting for more than a day and delete their uploaded files."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = import_uploads_expire()
        self.stdout.write(f"{closed}")
