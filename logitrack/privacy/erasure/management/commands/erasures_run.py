"""``logitrack erasures_run``: erase every person whose scheduled erasure is due.

Each erasure schedules its own job (``run_after``); this sweep, which the periodic scheduler also
runs every hour (job ``erasure.sweep``, docs/adr/0038; hourly is enough for the 24-hour promise,
which leaves 4 hours after the job's time), catches a job that was lost or a backend that cannot
defer. Running it twice erases nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from logitrack.privacy.erasure.tasks import erasures_sweep


class Command(BaseCommand):
    help = "Erase every person whose scheduled erasure is due (under-16 reports)."

    def handle(self, *args: Any, **options: Any) -> None:
        done = erasures_sweep.call()
        if options["verbosity"] > 0:
            self.stdout.write(f"persons erased: {done}")
