"""``logitrack serve``: HTTPS for the application and a plain-HTTP listener that only redirects.

Two granian processes run side by side: the Django application over TLS 1.2/1.3 (rustls, whose
cipher suites are all AEAD with forward secrecy) and the redirect listener; beside them the job
worker (docs/adr/0009, 0012): django-tasks-db's ``db_worker`` by default, an RQ worker when
REDIS_URL is set, and the periodic-job scheduler that feeds it (docs/adr/0038). A worker or
scheduler that dies is restarted (after a growing pause, at most 30 s). Ctrl-C or
SIGTERM stops all of them and waits for them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from logitrack.core.ports import WORKERS_KILL_TIMEOUT_S
from logitrack.core.tls import TlsFiles, ensure_local_tls

READY_TIMEOUT_S = 60.0
SITE_HEADER_TIMEOUT_MS = 10_000
WORKER_RESTART_MAX_S = 30.0
# Ctrl-C: granian kills a worker that has not stopped gracefully after WORKERS_KILL_TIMEOUT_S
# (logitrack.core.ports); serve kills whatever is left of a child's process group after this.
STOP_GRACE_S = 15.0


def _worker_cmd() -> list[str]:
    """The job worker for the configured backend, run through this same ``logitrack`` CLI."""
    manage = [sys.executable, "-m", "logitrack.cli"]
    if settings.REDIS_URL:
        return [*manage, "rqworker", "--job-class", "django_tasks_rq.Job", "default"]
    return [*manage, "jobs_worker", "--queue-name", "default"]


def _scheduler_cmd() -> list[str]:
    """The periodic-job scheduler (docs/adr/0038), which enqueues for the worker."""
    return [sys.executable, "-m", "logitrack.cli", "schedule", "run"]


class Supervised:
    """A child process restarted whenever it exits, after a pause that doubles up to a limit."""

    def __init__(self, cmd: list[str], env: dict[str, str], name: str = "job worker") -> None:
        self.cmd, self.env, self.name = cmd, env, name
        self.pause = 1.0
        self.restart_at = 0.0
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.cmd, env=self.env, start_new_session=True)  # noqa: S603

    def tend(self, write: Any) -> None:
        if self.process.poll() is None:
            return
        now = time.monotonic()
        if self.restart_at == 0.0:
            write(f"{self.name} exited with {self.process.returncode}; restarting")
            self.restart_at = now + self.pause
            self.pause = min(self.pause * 2, WORKER_RESTART_MAX_S)
        elif now >= self.restart_at:
            self.restart_at = 0.0
            self.process = self._start()


def usable_cpu_count() -> int:
    """The number of CPUs this process may run on (its affinity mask), at least 1."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        count = counter()
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    else:
        count = os.cpu_count()
    return max(1, count or 1)


def default_workers() -> int:
    """LOGITRACK_WORKERS when set, else one granian worker process per usable CPU (ADR 0013).

    One WSGI process runs Python on one core at a time (the GIL), so threads alone leave the
    other cores idle; a process per core uses them.
    """
    raw = os.environ.get("LOGITRACK_WORKERS", "").strip()
    if not raw:
        return usable_cpu_count()
    try:
        workers = int(raw)
    except ValueError:
        raise CommandError(f"LOGITRACK_WORKERS must be a whole number, got {raw!r}") from None
    if workers < 1:
        raise CommandError(f"LOGITRACK_WORKERS must be at least 1, got {workers}")
    return workers


def _positive(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError(raw)
    return value


def _granian() -> list[str]:
    return [sys.executable, "-m", "granian"]


def site_cmd(bind: str, port: int, tls: TlsFiles, workers: int, threads: int) -> list[str]:
    """The granian command line of the application over HTTPS.

    A client must send its whole request head within SITE_HEADER_TIMEOUT_MS (a browser does in
    milliseconds): a client that trickles header bytes, or a keep-alive connection left idle,
    is closed then instead of after granian's default 30 s, so slow clients hold workers' sockets
    a third as long. A cap of connections per address belongs in the load balancer in front
    (README, "Background jobs, cache and rate limits").
    """
    return [
        *_granian(),
        "--interface", "wsgi",
        "--host", bind,
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--http1-header-read-timeout", str(SITE_HEADER_TIMEOUT_MS),
        "--workers-kill-timeout", str(WORKERS_KILL_TIMEOUT_S),
        "--ssl-certificate", str(tls.server_cert),
        "--ssl-keyfile", str(tls.server_key),
        "--ssl-protocol-min", "tls1.2",
        "--no-access-log",
        "--log-level", "warning",
        "config.wsgi:application",
    ]  # fmt: skip


def redirect_cmd(bind: str, port: int) -> list[str]:
    """The granian command line of the plain-HTTP listener that only redirects to HTTPS."""
    return [
        *_granian(),
        "--interface", "asgi",
        "--host", bind,
        "--port", str(port),
        "--workers", "1",
        "--workers-kill-timeout", str(WORKERS_KILL_TIMEOUT_S),
        "--no-access-log",
        "--log-level", "warning",
        "logitrack.core.http_redirect:app",
    ]  # fmt: skip


def _display_host(bind: str) -> str:
    if bind in {"0.0.0.0", "::"}:  # noqa: S104 - only for display
        return "127.0.0.1"
    return f"[{bind}]" if ":" in bind else bind


class Command(BaseCommand):
    help = "Serve Logitrack over HTTPS, with a plain-HTTP listener that redirects to it."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default=settings.LOGITRACK_BIND)
        parser.add_argument("--https-port", type=int, default=settings.LOGITRACK_HTTPS_PORT)
        parser.add_argument("--http-port", type=int, default=settings.LOGITRACK_HTTP_PORT)
        parser.add_argument(
            "--workers",
            type=_positive,
            default=default_workers(),
            help="granian worker processes (default: LOGITRACK_WORKERS, else one per CPU)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("LOGITRACK_THREADS", str(2 * (os.cpu_count() or 1)))),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bind: str = options["bind"]
        https_port: int = options["https_port"]
        http_port: int = options["http_port"]
        self._check_ports_free(
            bind,
            {
                "LOGITRACK_HTTPS_PORT": https_port,
                "LOGITRACK_HTTP_PORT": http_port,
                "LOGITRACK_OSMAND_PORT": settings.LOGITRACK_OSMAND_PORT,
                "LOGITRACK_OSMAND_PLAIN_PORT": settings.LOGITRACK_OSMAND_PLAIN_PORT,
            },
        )
        tls = self._tls_files(bind)
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        # Behind a load balancer that maps 443 to this port, browsers must be sent to 443.
        env["LOGITRACK_HTTPS_PORT"] = os.environ.get("LOGITRACK_PUBLIC_HTTPS_PORT", str(https_port))
        env["ALLOWED_HOSTS"] = ",".join(settings.ALLOWED_HOSTS)
        env["PYTHONUNBUFFERED"] = "1"
        https_cmd = site_cmd(bind, https_port, tls, options["workers"], options["threads"])
        http_cmd = redirect_cmd(bind, http_port)
        # The rate-limit counters live in the database cache table unless Redis is configured.
        if not settings.REDIS_URL:
            call_command("createcachetable", verbosity=0)
        # The device ingestion gateway (docs/adr/0025), on LOGITRACK_OSMAND_PORT.
        from logitrack.tracking.management.commands.gateway import (
            gateway_cmd,
            raise_open_files_limit,
        )

        raise_open_files_limit()

        gateway = gateway_cmd(
            bind, settings.LOGITRACK_OSMAND_PORT, tls, settings.LOGITRACK_GATEWAY_WORKERS
        )
        call_command("tracking_partitions", verbosity=0)
        children = [
            subprocess.Popen(https_cmd, env=env, start_new_session=True),  # noqa: S603
            subprocess.Popen(http_cmd, env=env, start_new_session=True),  # noqa: S603
            subprocess.Popen(gateway, env=env, start_new_session=True),  # noqa: S603
        ]
        if settings.LOGITRACK_OSMAND_PLAIN_PORT:
            # The plain-HTTP legacy port, only when the operator opens it (docs/adr/0030).
            from logitrack.tracking.management.commands.gateway import plain_gateway_cmd

            plain = plain_gateway_cmd(
                bind, settings.LOGITRACK_OSMAND_PLAIN_PORT, settings.LOGITRACK_GATEWAY_WORKERS
            )
            children.append(subprocess.Popen(plain, env=env, start_new_session=True))  # noqa: S603
        worker = Supervised(_worker_cmd(), env)
        # The periodic jobs (docs/adr/0038): analytics retention, the breach escalation sweep...
        scheduler = Supervised(_scheduler_cmd(), env, "scheduler")
        stopping = False

        def stop(signum: int, _frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            host = _display_host(bind)
            if self._wait_ready(children, host, https_port, tls, lambda: stopping):
                self._announce(host, https_port, http_port, tls)
            while not stopping and all(child.poll() is None for child in children):
                worker.tend(self.stderr.write)
                scheduler.tend(self.stderr.write)
                time.sleep(0.2)
        finally:
            self._stop([*children, worker.process, scheduler.process])
        failed = [child.returncode for child in children if child.returncode not in (0, None)]
        if not stopping and failed:
            raise CommandError(f"the server stopped unexpectedly (exit codes {failed})")
        self.stdout.write("Logitrack stopped.")

    @staticmethod
    def _check_ports_free(bind: str, ports: dict[str, int | None]) -> None:
        """Refuse to start when a port is already taken (``logitrack.core.ports``): granian would
        share it silently with another Logitrack, and each would get part of the other's
        requests. A port of None or 0 is not opened and not checked."""
        from logitrack.core.ports import port_in_use

        for setting, port in ports.items():
            if port and port_in_use(bind, port):
                raise CommandError(
                    f"Port {port} on {bind} is already in use (another Logitrack, or another "
                    f"program). Stop it, or choose another port with {setting}."
                )

    def _tls_files(self, bind: str) -> TlsFiles:
        cert = os.environ.get("LOGITRACK_TLS_CERT")
        key = os.environ.get("LOGITRACK_TLS_KEY")
        if cert or key:
            if not (cert and key and Path(cert).is_file() and Path(key).is_file()):
                raise CommandError("LOGITRACK_TLS_CERT and LOGITRACK_TLS_KEY must both name files.")
            return TlsFiles(ca_cert=Path(cert), server_cert=Path(cert), server_key=Path(key))
        names = tuple(
            host.strip("[]") for host in settings.ALLOWED_HOSTS if not host.startswith(".")
        )
        if bind not in {"0.0.0.0", "::"}:  # noqa: S104
            names = (*names, bind)
        return ensure_local_tls(Path(settings.TLS_DIR), names)

    def _wait_ready(
        self,
        children: list[subprocess.Popen[bytes]],
        host: str,
        port: int,
        tls: TlsFiles,
        stopping: Any,
    ) -> bool:
        if tls.ca_cert == tls.server_cert:
            # A certificate of the operator's: its names need not include the address we probe,
            # and this only asks whether the listener completes a handshake.
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        else:
            context = ssl.create_default_context(cafile=str(tls.ca_cert))
        deadline = time.monotonic() + READY_TIMEOUT_S
        address = host.strip("[]")
        while time.monotonic() < deadline and not stopping():
            if any(child.poll() is not None for child in children):
                return False
            try:
                with (
                    socket.create_connection((address, port), timeout=1) as raw,
                    context.wrap_socket(raw, server_hostname=address),
                ):
                    return True
            except (OSError, ssl.SSLError):
                time.sleep(0.2)
        return False

    def _announce(self, host: str, https_port: int, http_port: int, tls: TlsFiles) -> None:
        demo = Path(settings.DATA_DIR) / "demo.json"
        lines = [
            "",
            f"Logitrack is running at https://{host}:{https_port}/",
            f"  plain HTTP on port {http_port} redirects to HTTPS",
            f"  device gateway (OsmAnd, batch API, RFID readers) at https://{host}:{settings.LOGITRACK_OSMAND_PORT}/",
            *(
                [
                    "  WARNING: plain-HTTP device port (legacy trackers, no TLS) at "
                    f"http://{host}:{settings.LOGITRACK_OSMAND_PLAIN_PORT}/"
                ]
                if settings.LOGITRACK_OSMAND_PLAIN_PORT
                else []
            ),
            f"  local CA certificate to trust: {tls.ca_cert}",
            f"  demo credentials: {demo}" if demo.exists() else "  no demo credentials yet",
            f"  data directory: {settings.DATA_DIR}",
            "Press Ctrl-C to stop.",
            "",
        ]
        self.stdout.write("\n".join(lines))

    @staticmethod
    def _stop(children: list[subprocess.Popen[Any]]) -> None:
        """SIGINT to every child, then up to STOP_GRACE_S for them to exit. A child still running
        then is killed with its whole process group: each child leads its own session, and a
        granian main process killed alone would leave its worker processes holding the port."""
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_GRACE_S
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                # Not reaped yet, so its pid (its group's id) cannot have been reused.
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
