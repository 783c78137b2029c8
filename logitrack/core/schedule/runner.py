"""The scheduler: each tick claims the current period of every due job and enqueues its task.

Exactly once per period: the claim is an INSERT under the unique key (job, period start); a second
scheduler, in another process or on another machine, that reaches the same period gets an
IntegrityError and enqueues nothing. With the database task backend the task's row is written in
the same transaction as the claim, so a period is never claimed without its task or enqueued
twice; with RQ the enqueue follows the commit (a crash between the two loses that one period,
it never doubles it).

Catching up: after downtime only the latest period is enqueued (missed earlier periods are
coalesced into it), so a scheduler that was off for a week runs a daily job once, not seven times.
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, close_old_connections, transaction
from django.utils import timezone

from logitrack.core.schedule.models import ScheduledRun
from logitrack.core.schedule.registry import Job, jobs

logger = logging.getLogger("logitrack.schedule")
TICK_S = 30.0
# Claims are kept this long for `logitrack schedule list` and for investigating; they name no one.
KEEP_CLAIMS = timedelta(days=90)
# ... except a job that runs every few seconds (8,640 claims a day at 10 s): a day of them.
KEEP_SHORT_CLAIMS = timedelta(days=1)


@dataclass(frozen=True)
class Claimed:
    job: str
    period_start: datetime
    task_id: str


def _transactional_enqueue(job: Job) -> bool:
    """True when the job's backend writes its queue in the same database (django-tasks-db)."""
    return type(job.task.get_backend()).__module__.startswith("django_tasks_db.")


def claim(job: Job, now: datetime) -> Claimed | None:
    """Claim and enqueue the current period of ``job`` at ``now``; None when it was claimed
    already (by this or another scheduler)."""
    period = job.period_start(now)
    if ScheduledRun.objects.filter(job=job.name, period_start__gte=period).exists():
        return None
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, period_start=period, enqueued_at=now)
            if _transactional_enqueue(job):
                run.task_id = str(job.task.enqueue().id)
                run.save(update_fields=["task_id"])
            else:
                transaction.on_commit(lambda: _enqueue_after_commit(job, run.pk))
    except IntegrityError:
        return None  # another scheduler claimed this period first
    keep = (
        KEEP_SHORT_CLAIMS
        if job.every is not None and job.every < timedelta(minutes=1)
        else KEEP_CLAIMS
    )
    ScheduledRun.objects.filter(job=job.name, period_start__lt=now - keep).delete()
    return Claimed(job=job.name, period_start=period, task_id=run.task_id)


def _enqueue_after_commit(job: Job, run_id: int) -> None:
    result = job.task.enqueue()
    ScheduledRun.objects.filter(pk=run_id).update(task_id=str(result.id))


def schedule_tick(now: datetime | None = None, only: Iterable[Job] | None = None) -> list[Claimed]:
    """One pass over the registered jobs (or ``only``); returns what this pass enqueued."""
    moment = now or timezone.now()
    claimed: list[Claimed] = []
    for job in only if only is not None else jobs():
        try:
            done = claim(job, moment)
        except OperationalError:
            # The database is away or busy past its timeout: the next tick tries again.
            logger.warning("periodic job not claimed", extra={"job": job.name}, exc_info=True)
            continue
        if done is not None:
            logger.info("periodic job enqueued", extra={"job": job.name})
            claimed.append(done)
    return claimed


def pause_s(tick_s: float = TICK_S) -> float:
    """Seconds between passes: ``tick_s``, or less when a job runs more often, so that every
    period of the shortest job is claimed (at most half its interval, so no slot is skipped
    when a pass runs late)."""
    intervals = [job.every.total_seconds() for job in jobs() if job.every is not None]
    return min([tick_s, *(interval / 2 for interval in intervals)])


def run_forever(*, tick_s: float = TICK_S, stopping: Callable[[], bool] = lambda: False) -> None:
    """Tick until ``stopping()``; the pause is cut short at the stop signal."""
    tick_s = pause_s(tick_s)
    while not stopping():
        close_old_connections()
        schedule_tick()
        deadline = clock.monotonic() + tick_s
        while not stopping() and clock.monotonic() < deadline:
            clock.sleep(min(0.5, tick_s))


@dataclass(frozen=True)
class JobState:
    job: Job
    last_period: datetime | None
    last_enqueued_at: datetime | None
    next_run: datetime


def schedule_state(now: datetime | None = None) -> list[JobState]:
    """Each job with its last claimed period and when it next runs: the current period when it
    has not been claimed yet (the next tick takes it), else the start of the next one."""
    moment = now or timezone.now()
    states = []
    for job in jobs():
        last = ScheduledRun.objects.filter(job=job.name).order_by("-period_start").first()
        current = job.period_start(moment)
        due = last is None or last.period_start < current
        states.append(
            JobState(
                job=job,
                last_period=last.period_start if last else None,
                last_enqueued_at=last.enqueued_at if last else None,
                next_run=current if due else job.next_start(moment),
            )
        )
    return states
