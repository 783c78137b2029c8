"""From ``git clone`` to the first HTTPS answer: how long a new developer waits for ``make run``.

Clones this repository (committed work only) into a temporary directory, runs ``make run`` there
with LOGITRACK_DATA_DIR in another temporary directory and free, non-default ports, and times:

* clone            git clone of the local repository
* install          make's venv + pip install + message catalogues (until make echoes ``migrate``)
* migrate ...      each ``make run`` step after that, split where make echoes the next command
* first response   from ``logitrack serve`` starting to GET https://127.0.0.1:PORT/healthz = 200,
                   verified against the local CA the server generated

Then stops the server with Ctrl-C (SIGINT to make's process group) and checks that it stopped.
pip downloads make this take minutes; the machine's package cache makes later runs faster.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import _server

READY_TIMEOUT_S = 900.0
STOP_TIMEOUT_S = 30.0
# make echoes each recipe line before running it; these mark where the steps of `make run` begin.
STEPS = [
    ("migrate", "logitrack migrate"),
    ("collectstatic", "logitrack collectstatic"),
    ("demo --first-run", "logitrack demo"),
    ("serve", "logitrack serve"),
]


class MakeOutput(threading.Thread):
    """Copies make's output to a log and notes when each step of ``make run`` begins."""

    def __init__(self, process: subprocess.Popen[str], log_path: Path) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.log_path = log_path
        self.began: dict[str, float] = {}

    def run(self) -> None:
        assert self.process.stdout is not None
        with self.log_path.open("w", encoding="utf-8") as log:
            for line in self.process.stdout:
                now = time.perf_counter()
                log.write(line)
                log.flush()
                for step, marker in STEPS:
                    if step not in self.began and marker in line and not line.startswith(" "):
                        self.began[step] = now


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _healthy(port: int, ca_file: Path) -> bool:
    if not ca_file.exists():
        return False
    try:
        status, _body = _server.https_get(
            "127.0.0.1", port, "/healthz", ssl.create_default_context(cafile=str(ca_file)), 2.0
        )
    except (OSError, ssl.SSLError):
        return False
    return status == 200


def _port_closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


@dataclass
class Run:
    began: float
    cloned: float
    ready: float | None
    steps: dict[str, float]
    make_code: int | None
    stop_code: int | None
    stop_s: float
    log_path: Path


def run_make(clone: Path, env: dict[str, str], https_port: int, log_path: Path) -> Run:
    """Clone, ``make run`` until https /healthz answers 200, then Ctrl-C make's process group."""
    began = time.perf_counter()
    subprocess.run(["git", "clone", "-q", str(_server.REPO), str(clone)], check=True)
    cloned = time.perf_counter()
    process = subprocess.Popen(
        ["make", "run"],
        cwd=clone,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so Ctrl-C reaches make and serve
    )
    output = MakeOutput(process, log_path)
    output.start()
    ca_file = Path(env["LOGITRACK_DATA_DIR"]) / "tls" / "ca.pem"
    ready = None
    while time.perf_counter() < cloned + READY_TIMEOUT_S and process.poll() is None:
        if "serve" in output.began and _healthy(https_port, ca_file):
            ready = time.perf_counter()
            break
        time.sleep(0.1)
    stop_code: int | None = None
    stop_s = 0.0
    if process.poll() is None:
        stop_began = time.perf_counter()
        os.killpg(process.pid, signal.SIGINT)
        try:
            stop_code = process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        stop_s = time.perf_counter() - stop_began
    output.join(timeout=5)
    return Run(began, cloned, ready, output.began, process.returncode, stop_code, stop_s, log_path)


def report(run: Run, https_port: int, http_port: int) -> int:
    print(f"  {'git clone':<38} {run.cloned - run.began:8.2f} s")
    previous_name, previous_at = "install (venv, pip, catalogues)", run.cloned
    for step, _marker in STEPS:
        if step in run.steps:
            at = run.steps[step]
            print(f"  {previous_name:<38} {at - previous_at:8.2f} s")
            previous_name, previous_at = step, at
    if run.ready is None:
        print(f"  {previous_name:<38}   FAILED (make exited {run.make_code})")
        print(f"\nno 200 from https /healthz; the end of make run's output:\n{_tail(run.log_path)}")
        return 1
    print(f"  {'serve to first 200 on https /healthz':<38} {run.ready - previous_at:8.2f} s")
    install_s = run.steps["migrate"] - run.cloned
    print(f"\n  install (after clone):                 {install_s:8.2f} s")
    print(f"  migrate ... first response:            {run.ready - run.steps['migrate']:8.2f} s")
    print(f"  total, git clone to first 200:         {run.ready - run.began:8.2f} s")
    stopped = "Logitrack stopped." in run.log_path.read_text(encoding="utf-8", errors="replace")
    closed = _port_closed(https_port) and _port_closed(http_port)
    print(
        f"\n  Ctrl-C: make exited {run.stop_code} after {run.stop_s:.2f} s; serve said "
        f"{'Logitrack stopped.' if stopped else 'nothing'}; ports "
        f"{'closed' if closed else 'STILL OPEN'}"
    )
    return 0 if stopped and closed else 1


def main() -> int:
    https_port, http_port = _server.free_ports(2)
    commit = subprocess.run(
        ["git", "-C", str(_server.REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="logitrack-startup-") as tmp:
        env = _server.server_env(Path(tmp) / "data")
        for name in ("PYTHONPATH", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV"):
            env.pop(name, None)
        env["LOGITRACK_HTTPS_PORT"] = str(https_port)
        env["LOGITRACK_HTTP_PORT"] = str(http_port)
        print(f"make run in a fresh clone of {_server.REPO} at {commit} (committed work only)")
        print(f"ports https {https_port} / http {http_port}, data dir in a temporary directory\n")
        run = run_make(Path(tmp) / "logitrack", env, https_port, Path(tmp) / "make-run.log")
        return report(run, https_port, http_port)


if __name__ == "__main__":
    sys.exit(main())
