"""Start the real ``logitrack serve`` in a throw-away data directory, shared by tests and benches.

The browser tests (tests/browser) and the TLS benchmark (bench/tls_profile.py) both need the
server exactly as an operator runs it: the console script, the local settings, SQLite and a local
CA generated on first start, all under a temporary LOGITRACK_DATA_DIR. This module does that and
nothing else; it never touches ``var/``.

Run on its own (``make bench`` does) it measures one cold start and one clean stop.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOGITRACK = REPO / ".venv" / "bin" / "logitrack"
READY_TIMEOUT_S = 90.0
# serve gives its children 15 s after Ctrl-C before killing them, then exits itself: waiting
# exactly as long raced it on a loaded machine.
STOP_TIMEOUT_S = 30.0

# Settings that would leak a developer's own configuration into the throw-away server.
_SCRUBBED = {"DATABASE_URL", "ALLOWED_HOSTS", "SECRET_KEY", "DJANGO_DEBUG", "EMAIL_BACKEND"}
_SCRUBBED_PREFIXES = ("LOGITRACK_", "DJANGO_")


class ServerError(RuntimeError):
    """The server did not prepare, start or stop as expected; the message holds its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def server_env(data_dir: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for ``logitrack`` commands run against ``data_dir``."""
    env = {
        name: value
        for name, value in (os.environ if base is None else base).items()
        if name not in _SCRUBBED and not name.startswith(_SCRUBBED_PREFIXES)
    }
    env["LOGITRACK_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def prepare(
    data_dir: Path, logitrack: Path = LOGITRACK, extra_env: dict[str, str] | None = None
) -> None:
    """``migrate`` and ``collectstatic`` into ``data_dir``, as ``make run`` does.

    ``extra_env`` adds settings on top of the scrubbed environment (e.g. a DATABASE_URL).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**server_env(data_dir), **(extra_env or {})}
    for args in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"]):
        done = subprocess.run(
            [str(logitrack), *args],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise ServerError(
                f"logitrack {' '.join(args)} exited {done.returncode}\n{done.stdout}{done.stderr}"
            )


def https_get(
    host: str, port: int, path: str, context: ssl.SSLContext, timeout: float = 5.0
) -> tuple[int, bytes]:
    """One GET over a fresh TLS connection, verified against ``context``."""
    conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def http_get(host: str, port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes, str]:
    """One GET over a fresh plain-HTTP connection: status, body and Location header."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("Location", "")
    finally:
        conn.close()


@dataclass
class RunningServer:
    process: subprocess.Popen[bytes]
    data_dir: Path
    https_port: int
    http_port: int
    log_path: Path
    host: str = "127.0.0.1"
    stopped_with: int | None = field(default=None, init=False)

    @property
    def ca_file(self) -> Path:
        return self.data_dir / "tls" / "ca.pem"

    @property
    def https_url(self) -> str:
        return f"https://{self.host}:{self.https_port}"

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts the server's local CA and nothing else."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_healthy(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Block until GET https://.../healthz answers 200, verified against the local CA."""
        deadline = time.monotonic() + timeout
        last_error = "no attempt"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"logitrack serve exited {self.process.returncode} before answering\n"
                    + _tail(self.log_path)
                )
            if self.ca_file.exists():
                try:
                    status, body = https_get(
                        self.host, self.https_port, "/healthz", self.ssl_context()
                    )
                    if status == 200:
                        return
                    last_error = f"HTTP {status}: {body[:200]!r}"
                except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
                    last_error = repr(exc)
            time.sleep(0.2)
        raise ServerError(
            f"https /healthz did not answer 200 within {timeout:.0f}s ({last_error})\n"
            + _tail(self.log_path)
        )

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """Ctrl-C the server and return its exit code; kill it and raise if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise ServerError(
                    f"logitrack serve did not stop within {timeout:.0f}s of SIGINT\n"
                    + _tail(self.log_path)
                ) from None
        self.stopped_with = self.process.returncode
        return self.process.returncode


def start(
    data_dir: Path,
    *,
    https_port: int | None = None,
    http_port: int | None = None,
    logitrack: Path = LOGITRACK,
    wait: bool = True,
    extra_env: dict[str, str] | None = None,
    serve_args: tuple[str, ...] = (),
) -> RunningServer:
    """Start ``logitrack serve`` on free loopback ports (after ``prepare``) and wait for it.

    ``extra_env`` adds settings on top of the scrubbed environment (e.g. LOGITRACK_PUBLIC_URL).
    """
    if https_port is None or http_port is None:
        https_port, http_port = free_ports(2)
    # The device gateway too gets a free port, unless the caller names one: two servers (a test's
    # and a developer's `make run`) must not both want the default 5055, which serve refuses.
    gateway_env = {"LOGITRACK_OSMAND_PORT": str(free_ports(3)[2])}
    log_path = data_dir / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(logitrack),
                "serve",
                "--https-port",
                str(https_port),
                "--http-port",
                str(http_port),
                *serve_args,
            ],
            env={**server_env(data_dir), **gateway_env, **(extra_env or {})},
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own session, so a Ctrl-C typed at the test runner reaches it only through stop().
            start_new_session=True,
        )
    server = RunningServer(process, data_dir, https_port, http_port, log_path)
    if wait:
        try:
            server.wait_healthy()
        except BaseException:
            if process.poll() is None:
                process.kill()
                process.wait()
            raise
    return server


@contextmanager
def running_server(data_dir: Path | None = None) -> Iterator[RunningServer]:
    """Prepare and start a server, yield it, then stop it; the exit code is in ``stopped_with``."""
    owned = data_dir is None
    root = Path(tempfile.mkdtemp(prefix="logitrack-bench-")) if data_dir is None else data_dir
    try:
        prepare(root)
        server = start(root)
        try:
            yield server
        finally:
            server.stop()
    finally:
        if owned:
            shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="logitrack-bench-") as tmp:
        data_dir = Path(tmp)
        began = time.perf_counter()
        try:
            prepare(data_dir)
            prepared = time.perf_counter()
            server = start(data_dir)
            ready = time.perf_counter()
            code = server.stop()
        except ServerError as exc:
            print(f"the server could not be measured: {exc}", file=sys.stderr)
            return 2
        stopped = time.perf_counter()
    print(f"migrate + collectstatic (fresh data dir): {prepared - began:6.2f} s")
    print(f"logitrack serve to first https /healthz:  {ready - prepared:6.2f} s")
    print(f"SIGINT to exit (exit code {code}):           {stopped - ready:6.2f} s")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
