"""``logitrack serve`` keeps the job worker running: the right worker per backend, restarted when
it dies. (The clean stop on Ctrl-C is proven end to end by bench/startup.py and tests/browser.)"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from django.test import override_settings

from logitrack.core.management.commands.serve import Supervised, _worker_cmd


def test_the_database_worker_runs_without_redis() -> None:
    with override_settings(REDIS_URL=""):
        assert _worker_cmd()[-3:] == ["jobs_worker", "--queue-name", "default"]


def test_an_rq_worker_with_the_tasks_job_class_runs_with_redis() -> None:
    with override_settings(REDIS_URL="redis://127.0.0.1:6379/0"):
        assert _worker_cmd()[-4:] == ["rqworker", "--job-class", "django_tasks_rq.Job", "default"]


def test_a_worker_that_dies_is_started_again(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    script = f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"
    worker = Supervised([sys.executable, "-c", script], dict(os.environ))
    worker.pause = 0.01
    said: list[str] = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not starts.exists() or len(starts.read_text()) < 3):
        worker.tend(said.append)
        time.sleep(0.02)
    worker.process.wait(timeout=10)

    assert len(starts.read_text()) >= 3
    assert said[0] == "job worker exited with 3; restarting"


def test_a_running_worker_is_left_alone(tmp_path: Path) -> None:
    worker = Supervised([sys.executable, "-c", "import time; time.sleep(30)"], dict(os.environ))
    try:
        first = worker.process
        said: list[str] = []
        worker.tend(said.append)

        assert worker.process is first
        assert said == []
    finally:
        worker.process.kill()
        worker.process.wait()


def test_the_periodic_job_scheduler_runs_beside_the_worker() -> None:
    from logitrack.core.management.commands.serve import _scheduler_cmd

    assert _scheduler_cmd()[-2:] == ["schedule", "run"]
