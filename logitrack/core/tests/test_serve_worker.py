"""``logitrack serve`` keeps the job worker running: the right worker per backend, restarted when
it dies. (The clean stop on Ctrl-C is proven end to end by bench/startup.py and tests/browser.)"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.test import override_settings

from logitrack.core.management.commands import serve
from logitrack.core.management.commands.serve import Supervised, _worker_cmd
from logitrack.core.ports import WORKERS_KILL_TIMEOUT_S


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


# A parent that ignores Ctrl-C and a child in its process group that holds a listening port
# and ignores it too: a granian main process whose worker would not stop.
_STUBBORN = r"""
import signal, socket, subprocess, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", '''
import signal, socket, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(300)
'''], stdout=subprocess.PIPE, text=True)
print(child.stdout.readline().strip(), child.pid, flush=True)
time.sleep(300)
"""


def test_a_child_that_ignores_ctrl_c_is_killed_with_its_whole_process_group(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(serve, "STOP_GRACE_S", 0.5)
    parent = subprocess.Popen(
        [sys.executable, "-c", _STUBBORN],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert parent.stdout is not None
    port, grandchild = (int(part) for part in parent.stdout.readline().split())
    assert _listening(port)

    serve.Command._stop([parent])

    assert parent.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(grandchild):
        time.sleep(0.05)
    assert not _alive(grandchild)
    assert not _listening(port)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, killed and waiting for init to reap it, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_every_granian_server_kills_workers_that_will_not_stop() -> None:
    from logitrack.core.tls import TlsFiles
    from logitrack.tracking.management.commands.gateway import gateway_cmd, plain_gateway_cmd

    tls = TlsFiles(ca_cert=Path("ca.pem"), server_cert=Path("c.pem"), server_key=Path("k.pem"))
    for cmd in (
        serve.site_cmd("127.0.0.1", 8443, tls, 2, 4),
        serve.redirect_cmd("127.0.0.1", 8080),
        gateway_cmd("127.0.0.1", 5055, tls, 2),
        plain_gateway_cmd("127.0.0.1", 5056, 2),
    ):
        at = cmd.index("--workers-kill-timeout")
        assert cmd[at + 1] == str(WORKERS_KILL_TIMEOUT_S), cmd
