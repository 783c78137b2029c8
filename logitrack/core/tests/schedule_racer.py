"""A scheduler process for the concurrency test of ``test_schedule.py``: started with
multiprocessing's spawn, so it is a fresh interpreter with its own database connection."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JOB = "breaches.escalation_sweep"


def _setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()


def create_tables(env: dict[str, str]) -> None:
    """The two tables a tick writes, in a fresh SQLite file (the suite's own is in memory)."""
    _setup(env)
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from logitrack.core.schedule.models import ScheduledRun

    with connection.schema_editor() as editor:
        editor.create_model(ScheduledRun)
        editor.create_model(DBTaskResult)


def race(env: dict[str, str], moments: list[str], barrier: Any, results: Any) -> None:
    """Tick at each moment in step with the other racer (the barrier), report what was claimed."""
    _setup(env)
    from django.test.utils import override_settings

    from logitrack.core.schedule.registry import jobs
    from logitrack.core.schedule.runner import schedule_tick

    job = next(j for j in jobs() if j.name == JOB)
    claimed: list[str] = []
    with override_settings(TASKS=DB_TASKS):
        for raw in moments:
            barrier.wait(timeout=60)
            for done in schedule_tick(datetime.fromisoformat(raw), only=[job]):
                claimed.append(done.period_start.isoformat())
    results.put(claimed)


def count(env: dict[str, str], results: Any) -> None:
    _setup(env)
    from django_tasks_db.models import DBTaskResult

    from logitrack.core.schedule.models import ScheduledRun

    results.put(
        (
            ScheduledRun.objects.filter(job=JOB).count(),
            ScheduledRun.objects.filter(job=JOB).values("period_start").distinct().count(),
            DBTaskResult.objects.filter(
                task_path="logitrack.privacy.breaches.tasks.breach_escalations_run"
            ).count(),
        )
    )
