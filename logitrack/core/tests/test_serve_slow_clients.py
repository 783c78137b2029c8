"""The application's HTTPS listener against clients that trickle their request head (real
granian, real TLS, the command line ``logitrack serve`` runs)."""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from logitrack.core.management.commands.serve import SITE_HEADER_TIMEOUT_MS, site_cmd
from logitrack.core.tls import ensure_local_tls

REPO = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _client() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _get_healthz(port: int) -> bytes:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        _client().wrap_socket(raw) as tls,
    ):
        tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return tls.recv(64)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    data = tmp_path_factory.mktemp("site")
    tls = ensure_local_tls(data / "tls")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOGITRACK_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        LOGITRACK_DATA_DIR=str(data),
        ALLOWED_HOSTS="127.0.0.1",
    )
    process = subprocess.Popen(
        site_cmd("127.0.0.1", port, tls, 1, 2), env=env, cwd=REPO, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError):
                if _get_healthz(port).startswith(b"HTTP/1.1 200"):
                    break
            assert time.monotonic() < deadline, "the site did not start"
            assert process.poll() is None, "granian exited"
            time.sleep(0.5)
        yield port
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def _seconds_until_closed(port: int, limit_s: float) -> float:
    """Send a request head one header line a second; seconds until the server hangs up."""
    started = time.monotonic()
    with (
        socket.create_connection(("127.0.0.1", port), timeout=limit_s) as raw,
        _client().wrap_socket(raw) as tls,
    ):
        tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        tls.settimeout(1.0)
        while time.monotonic() - started < limit_s:
            try:
                if tls.recv(1) == b"":
                    return time.monotonic() - started
            except TimeoutError:
                try:
                    tls.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    return time.monotonic() - started
            except (ssl.SSLError, OSError):
                return time.monotonic() - started
    return time.monotonic() - started


def test_a_client_trickling_its_request_head_is_cut_off(site: int) -> None:
    timeout_s = SITE_HEADER_TIMEOUT_MS / 1000
    # granian's own default (30 s) would keep the connection for the whole wait.
    closed_after = _seconds_until_closed(site, limit_s=timeout_s + 8)

    assert timeout_s - 1 <= closed_after <= timeout_s + 5
    assert _get_healthz(site).startswith(b"HTTP/1.1 200")
