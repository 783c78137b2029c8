"""Jobs left RUNNING by a worker that died are failed when a worker starts (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from logitrack.core.worker import WORKER_LOST, abandoned_jobs_fail, is_alive, worker_id

pytestmark = pytest.mark.django_db


def _dead_worker_id() -> str:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    identifier = worker_id(process.pid)
    process.kill()
    process.wait()
    return identifier


def _running(last_worker: str, **fields: Any) -> DBTaskResult[Any, Any]:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="logitrack.analytics.tasks.analytics_retention_run",
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now(),
        worker_ids=["an-earlier-worker", last_worker],
        exception_class_path="",
        traceback="",
        **fields,
    )


def test_a_job_whose_worker_died_is_failed_and_not_run_again() -> None:
    dead = _dead_worker_id()
    job = _running(dead)

    assert abandoned_jobs_fail() == 1

    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == WORKER_LOST
    assert dead in job.traceback
    assert job.finished_at is not None
    assert abandoned_jobs_fail() == 0


def test_a_job_of_a_live_worker_or_of_another_host_is_left_running() -> None:
    live = _running(worker_id())
    elsewhere = _running("another-host:1:1")
    foreign = _running("a9f3c2e1b7d64f0e8a5b1c2d3e4f5a6b")  # db_worker's own random ids

    assert abandoned_jobs_fail() == 0

    for job in (live, elsewhere, foreign):
        job.refresh_from_db()
        assert job.status == TaskResultStatus.RUNNING


def test_a_reused_pid_does_not_pass_for_the_dead_worker() -> None:
    # Same pid as a live process, but another start time: the worker that had it is gone.
    host, pid, ticks = worker_id().split(":")
    assert is_alive(f"{host}:{pid}:{ticks}") is True
    assert is_alive(f"{host}:{pid}:{int(ticks) + 1}") is False
    assert is_alive(f"{host}:{os.getpid()}:0") is True  # no start time known: the pid decides


@pytest.mark.django_db(transaction=True)  # the worker's loop closes and reopens connections
def test_the_worker_command_fails_abandoned_jobs_before_it_runs_jobs() -> None:
    job = _running(_dead_worker_id())

    database_backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database_backend):
        call_command("jobs_worker", batch=True, verbosity=0, startup_delay=False)

    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
