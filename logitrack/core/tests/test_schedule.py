"""The periodic-job scheduler (docs/adr/0038): fixed periods in Asia/Ho_Chi_Minh, each enqueued
once however many schedulers tick, one catch-up run after downtime, and the operator's list."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, time, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tasks import task

from logitrack.core.schedule import Job, jobs, periodic
from logitrack.core.schedule.models import ScheduledRun
from logitrack.core.schedule.registry import ZONE
from logitrack.core.schedule.runner import KEEP_CLAIMS, schedule_state, schedule_tick
from logitrack.core.tests import schedule_racer

DB_TASKS = schedule_racer.DB_TASKS
SWEEP_PATH = "logitrack.privacy.breaches.tasks.breach_escalations_run"


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


@task()
def _noop() -> None:
    return None


def _job(name: str) -> Job:
    return next(job for job in jobs() if job.name == name)


def _queued(path: str = SWEEP_PATH) -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=path).count()


def test_an_hourly_period_starts_on_the_local_hour() -> None:
    job = Job(name="t.hourly", task=_noop, every=timedelta(hours=1))

    assert job.period_start(local(2026, 3, 4, 10, 17)) == local(2026, 3, 4, 10, 0)
    assert job.next_start(local(2026, 3, 4, 10, 17)) == local(2026, 3, 4, 11, 0)
    assert job.period_start(local(2026, 3, 4, 10, 0)) == local(2026, 3, 4, 10, 0)


def test_a_daily_period_starts_at_its_local_time_and_before_it_belongs_to_yesterday() -> None:
    job = Job(name="t.daily", task=_noop, daily_at=time(3, 0))

    # 02:59 in Hanoi is 19:59 UTC the day before: still the previous day's period.
    assert job.period_start(local(2026, 3, 4, 2, 59)) == local(2026, 3, 3, 3, 0)
    assert job.period_start(local(2026, 3, 4, 3, 0)) == local(2026, 3, 4, 3, 0)
    assert job.next_start(local(2026, 3, 4, 2, 59)) == local(2026, 3, 4, 3, 0)
    assert job.period_start(datetime(2026, 3, 3, 20, 30, tzinfo=UTC)) == local(2026, 3, 4, 3, 0)


def test_a_job_needs_exactly_one_kind_of_period() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Job(name="t.both", task=_noop, every=timedelta(hours=1), daily_at=time(3, 0))
    with pytest.raises(ValueError, match="exactly one"):
        Job(name="t.none", task=_noop)


def test_a_name_registered_for_another_task_is_refused() -> None:
    jobs()  # the apps' tasks modules are imported, so the real job holds the name
    with pytest.raises(ValueError, match="already registered"):
        periodic("breaches.escalation_sweep", every=timedelta(hours=1))(_noop)

    assert _job("breaches.escalation_sweep").task.module_path == SWEEP_PATH


def test_retention_runs_daily_and_the_breach_sweep_hourly() -> None:
    retention = _job("analytics.retention")
    sweep = _job("breaches.escalation_sweep")

    assert retention.daily_at == time(3, 0)
    assert retention.task.module_path == "logitrack.analytics.tasks.analytics_retention_run"
    assert sweep.every == timedelta(hours=1)
    assert sweep.task.module_path == SWEEP_PATH


def test_the_erasure_sweep_runs_hourly_so_a_lost_job_stays_within_24_hours() -> None:
    # An erasure's own job runs 20 hours after the report (ADR 0037): the sweep must come
    # within the 4 hours left.
    erasure = _job("erasure.sweep")

    assert erasure.every is not None
    assert erasure.every <= timedelta(hours=4)
    assert erasure.task.module_path == "logitrack.privacy.erasure.tasks.erasures_sweep"


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_a_period_is_enqueued_once_however_often_the_scheduler_ticks() -> None:
    sweep = _job("breaches.escalation_sweep")

    first = schedule_tick(local(2026, 3, 4, 10, 5), only=[sweep])
    again = schedule_tick(local(2026, 3, 4, 10, 35), only=[sweep])
    next_hour = schedule_tick(local(2026, 3, 4, 11, 0), only=[sweep])

    assert [c.period_start for c in first] == [local(2026, 3, 4, 10, 0)]
    assert again == []
    assert [c.period_start for c in next_hour] == [local(2026, 3, 4, 11, 0)]
    assert _queued() == 2
    assert ScheduledRun.objects.get(period_start=local(2026, 3, 4, 10)).task_id == first[0].task_id


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_after_a_week_of_downtime_a_daily_job_runs_once_not_seven_times() -> None:
    retention = _job("analytics.retention")
    path = retention.task.module_path
    schedule_tick(local(2026, 3, 1, 3, 1), only=[retention])

    caught_up = schedule_tick(local(2026, 3, 8, 9, 0), only=[retention])
    later_that_day = schedule_tick(local(2026, 3, 8, 23, 0), only=[retention])

    assert [c.period_start for c in caught_up] == [local(2026, 3, 8, 3, 0)]
    assert later_that_day == []
    assert _queued(path) == 2


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_claims_older_than_the_keeping_period_are_removed() -> None:
    sweep = _job("breaches.escalation_sweep")
    now = local(2026, 6, 1, 12, 0)
    old = ScheduledRun.objects.create(
        job=sweep.name, period_start=now - KEEP_CLAIMS - timedelta(hours=1), enqueued_at=now
    )

    schedule_tick(now, only=[sweep])

    assert not ScheduledRun.objects.filter(pk=old.pk).exists()
    assert ScheduledRun.objects.filter(job=sweep.name).count() == 1


def test_a_job_every_ten_seconds_has_ten_second_slots_and_says_so() -> None:
    job = Job(name="t.fast", task=_noop, every=timedelta(seconds=10))

    moment = local(2026, 3, 4, 10, 17) + timedelta(seconds=37)
    assert job.period_start(moment) == local(2026, 3, 4, 10, 17) + timedelta(seconds=30)
    assert job.next_start(moment) == local(2026, 3, 4, 10, 17) + timedelta(seconds=40)
    assert job.describe() == "every 10 s"
    assert Job(name="t.m", task=_noop, every=timedelta(seconds=90)).describe() == "every 90 s"
    assert Job(name="t.h", task=_noop, every=timedelta(minutes=10)).describe() == "every 10 min"


@pytest.mark.parametrize("every", [timedelta(seconds=4), timedelta(seconds=10.5), timedelta(0)])
def test_an_interval_under_five_seconds_or_of_a_part_second_is_refused(every: timedelta) -> None:
    with pytest.raises(ValueError, match="whole seconds"):
        Job(name="t.busy", task=_noop, every=every)


def test_the_scheduler_pauses_at_most_half_the_shortest_interval() -> None:
    from logitrack.core.schedule.runner import pause_s

    # tracking.geofence_events runs every 10 s (docs/adr/0059): a pass every 5 s claims each slot.
    assert _job("tracking.geofence_events").every == timedelta(seconds=10)
    assert pause_s(30.0) == 5.0
    assert pause_s(2.0) == 2.0


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_every_ten_second_slot_is_claimed_once_and_their_claims_kept_a_day() -> None:
    from logitrack.core.schedule.runner import KEEP_SHORT_CLAIMS

    fast = _job("tracking.geofence_events")
    start = local(2026, 6, 1, 12, 0)
    old = ScheduledRun.objects.create(
        job=fast.name,
        period_start=start - KEEP_SHORT_CLAIMS - timedelta(minutes=1),
        enqueued_at=start,
    )

    ticks = [schedule_tick(start + timedelta(seconds=s), only=[fast]) for s in range(0, 30, 5)]

    assert [len(t) for t in ticks] == [1, 0, 1, 0, 1, 0]
    assert not ScheduledRun.objects.filter(pk=old.pk).exists()
    assert _queued("logitrack.tracking.tasks.geofence_events_run") == 3


# Backends other than the database one (RQ, and the suite's ImmediateBackend) are handed the
# task once the claim commits.
@pytest.mark.django_db
def test_the_immediate_backend_runs_the_retention_job_once_the_claim_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from logitrack.security.models import AuditEntry

    with django_capture_on_commit_callbacks(execute=True):
        schedule_tick(local(2026, 3, 4, 3, 0), only=[_job("analytics.retention")])

    assert AuditEntry.objects.filter(action="analytics_retention_run").count() == 1


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_the_list_shows_each_job_with_its_last_and_next_run() -> None:
    schedule_tick(local(2026, 3, 4, 10, 5), only=[_job("breaches.escalation_sweep")])
    out = StringIO()

    call_command("schedule", "list", "--now", "2026-03-04T10:30+07:00", stdout=out)

    lines = {line.split()[0]: line for line in out.getvalue().splitlines()[1:]}
    assert "every 1 h" in lines["breaches.escalation_sweep"]
    assert "2026-03-04 10:00 +0700" in lines["breaches.escalation_sweep"]
    assert lines["breaches.escalation_sweep"].endswith("2026-03-04 11:00 +0700")
    # Never run: due now, so its next run is the period that has already begun.
    assert "never" in lines["analytics.retention"]
    assert lines["analytics.retention"].endswith("2026-03-04 03:00 +0700")
    states = {s.job.name: s for s in schedule_state(local(2026, 3, 4, 10, 30))}
    assert states["breaches.escalation_sweep"].last_period == local(2026, 3, 4, 10, 0)


def _racer_env(tmp_path: Path) -> dict[str, str]:
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        return {"DATABASE_URL": url}
    return {"DATABASE_URL": "", "LOGITRACK_DATA_DIR": str(tmp_path)}


def _spawn(ctx: Any, target: Any, *args: Any) -> Any:
    process = ctx.Process(target=target, args=args)
    process.start()
    return process


# Two scheduler processes tick the same moments in lockstep (a barrier before every tick), so
# both reach each period at once; the unique claim must let exactly one of them enqueue it.
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_schedulers_enqueue_each_period_exactly_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    env = _racer_env(tmp_path)
    if connection.vendor == "sqlite":
        setup = _spawn(ctx, schedule_racer.create_tables, env)
        setup.join(120)
        assert setup.exitcode == 0
    start = local(2026, 3, 4, 0, 0)
    periods = 12
    moments = [
        (start + timedelta(hours=h, minutes=m)).isoformat()
        for h in range(periods)
        for m in (1, 20, 40)
    ]
    barrier, results = ctx.Barrier(2), ctx.Queue()

    racers = [_spawn(ctx, schedule_racer.race, env, moments, barrier, results) for _ in range(2)]
    claims = [results.get(timeout=180) for _ in racers]
    for racer in racers:
        racer.join(60)
    counter = _spawn(ctx, schedule_racer.count, env, results)
    rows, distinct, queued = results.get(timeout=120)
    counter.join(60)

    assert [racer.exitcode for racer in racers] == [0, 0]
    assert len(claims[0]) + len(claims[1]) == periods
    assert set(claims[0]).isdisjoint(claims[1])
    assert (rows, distinct, queued) == (periods, periods, periods)
