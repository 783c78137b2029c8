"""``logitrack schedule``: the periodic jobs (docs/adr/0038).

- ``logitrack schedule list``: every job, its period, the last period enqueued and the next run;
- ``logitrack schedule run``: the scheduler loop (``logitrack serve`` supervises it beside the
  job worker; several may run, each period is still enqueued once);
- ``logitrack schedule tick``: one pass, for cron-driven deployments and for tests.
"""

from __future__ import annotations

import signal
from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from logitrack.core.schedule.registry import ZONE
from logitrack.core.schedule.runner import TICK_S, run_forever, schedule_state, schedule_tick


def _local(moment: datetime | None) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m-%d %H:%M %z") if moment else "never"


def _moment(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    moment = parse_datetime(raw)
    if moment is None or moment.tzinfo is None:
        raise CommandError(
            "--now takes an ISO 8601 time with its offset, e.g. 2026-01-01T03:00+07:00"
        )
    return moment


class Command(BaseCommand):
    help = "List the periodic jobs, run the scheduler, or run one pass of it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="jobs with their last and next run")
        listing.add_argument("--now", help=None)
        run = sub.add_parser("run", help="the scheduler loop")
        run.add_argument("--tick", type=float, default=TICK_S, help="seconds between passes")
        tick = sub.add_parser("tick", help="one pass")
        tick.add_argument("--now", help="pretend it is this moment (ISO 8601 with offset)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list(_moment(options["now"]))
        elif action == "tick":
            for claimed in schedule_tick(_moment(options["now"])):
                self.stdout.write(f"enqueued {claimed.job} for {_local(claimed.period_start)}")
        else:
            self._run(options["tick"])

    def _list(self, now: datetime | None) -> None:
        rows = [("job", "period", "task", "last period", "enqueued at", "next run")]
        for state in schedule_state(now):
            rows.append(
                (
                    state.job.name,
                    state.job.describe(),
                    state.job.task.module_path,
                    _local(state.last_period),
                    _local(state.last_enqueued_at),
                    _local(state.next_run),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )

    def _run(self, tick_s: float) -> None:
        stopping = False

        def stop(signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"scheduler running, a pass every {tick_s:g} s")
        run_forever(tick_s=tick_s, stopping=lambda: stopping)
