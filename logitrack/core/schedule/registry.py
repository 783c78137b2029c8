"""The registry of periodic jobs: a name, a period (an interval, or a daily time of day in
Asia/Ho_Chi_Minh) and the django-tasks task to enqueue.

Registering is one decorator line on the task, in the app's ``tasks`` module::

    @periodic("analytics.retention", daily_at=time(3, 0))
    @task()
    def analytics_retention_run() -> int: ...

Periods are fixed slots of wall time, not "so long after the last run": an interval job's slots
start at ``EPOCH + k * every``, a daily job's at that time of each local day. A slot's start is
the key under which the scheduler claims it (``ScheduledRun``), so every process that looks at
the same moment computes the same key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django_tasks.base import Task

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Interval slots count from a local midnight, so an hourly job runs on the hour and a 6-hour
# job at 00, 06, 12 and 18 local time.
EPOCH = datetime(2020, 1, 1, tzinfo=ZONE)
NAME_MAX = 100
# The shortest interval: a job every few seconds (geofence events, docs/adr/0059) is fine; a
# faster one would be a busy loop that belongs in a worker of its own.
EVERY_MIN = timedelta(seconds=5)
TaskT = TypeVar("TaskT", bound=Task[Any, Any])


@dataclass(frozen=True)
class Job:
    """One periodic job; exactly one of ``every`` and ``daily_at`` is set."""

    name: str
    task: Task[Any, Any]
    every: timedelta | None = None
    daily_at: time | None = None

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > NAME_MAX:
            raise ValueError(f"a periodic job needs a name of 1 to {NAME_MAX} characters")
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"{self.name}: give exactly one of every= and daily_at=")
        if self.every is not None and (
            self.every < EVERY_MIN or self.every % timedelta(seconds=1) != timedelta(0)
        ):
            raise ValueError(f"{self.name}: an interval of whole seconds, at least {EVERY_MIN}")
        if self.daily_at is not None and self.daily_at.tzinfo is not None:
            raise ValueError(f"{self.name}: daily_at is a local time of day, without a zone")

    def period_start(self, now: datetime) -> datetime:
        """The start of the latest slot that has begun at ``now`` (aware), in UTC."""
        if self.every is not None:
            slots = (now - EPOCH) // self.every
            return (EPOCH + slots * self.every).astimezone(UTC)
        assert self.daily_at is not None
        local = now.astimezone(ZONE)
        start = datetime.combine(local.date(), self.daily_at, tzinfo=ZONE)
        if start > local:
            start = datetime.combine(local.date() - timedelta(days=1), self.daily_at, tzinfo=ZONE)
        return start.astimezone(UTC)

    def next_start(self, now: datetime) -> datetime:
        """The start of the first slot after ``now``, in UTC."""
        current = self.period_start(now)
        if self.every is not None:
            return current + self.every
        assert self.daily_at is not None
        following = current.astimezone(ZONE).date() + timedelta(days=1)
        return datetime.combine(following, self.daily_at, tzinfo=ZONE).astimezone(UTC)

    def describe(self) -> str:
        if self.every is not None:
            seconds = int(self.every.total_seconds())
            if seconds % 60:
                return f"every {seconds} s"
            minutes = seconds // 60
            return f"every {minutes // 60} h" if minutes % 60 == 0 else f"every {minutes} min"
        assert self.daily_at is not None
        return f"daily at {self.daily_at:%H:%M} Asia/Ho_Chi_Minh"


_JOBS: dict[str, Job] = {}


def periodic(
    name: str, *, every: timedelta | None = None, daily_at: time | None = None
) -> Callable[[TaskT], TaskT]:
    """Register the decorated task as the periodic job ``name``; returns the task unchanged.

    A second registration of a name with another task is refused (a typo would otherwise
    silently replace a job); re-importing the same module registers the same task again.
    """

    def register(task: TaskT) -> TaskT:
        job = Job(name=name, task=task, every=every, daily_at=daily_at)
        known = _JOBS.get(name)
        if known is not None and known.task.module_path != task.module_path:
            raise ValueError(f"periodic job {name!r} is already registered")
        _JOBS[name] = job
        return task

    return register


def jobs() -> list[Job]:
    """Every registered job, by name, after importing each installed app's ``tasks`` module."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    return [_JOBS[name] for name in sorted(_JOBS)]
