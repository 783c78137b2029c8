"""The gateway's header timeout over real TLS sockets (docs/adr/0040): granian starts it when the
previous answer has been sent, so it bounds both a keep-alive connection's idle wait and a client
trickling header bytes. The gateway runs here with LOGITRACK_GATEWAY_HEADER_TIMEOUT_MS = 2,000
(the default is 60,000, which a test cannot wait for); the routes used need no database."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from logitrack.tracking.tests.harness import Gateway, Site, client_context

TIMEOUT_S = 2.0
REQUEST = b"GET /not-a-route HTTP/1.1\r\nHost: gateway\r\n\r\n"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    root: Path = tmp_path_factory.mktemp("gateway-timeouts")
    site = Site(
        data_dir=root / "data",
        settings={"LOGITRACK_GATEWAY_HEADER_TIMEOUT_MS": str(int(TIMEOUT_S * 1000))},
    )
    started = Gateway(site)
    started.start()
    yield started
    started.stop()


def _connect(port: int) -> ssl.SSLSocket:
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    return client_context().wrap_socket(raw)


def _status(tls: ssl.SSLSocket) -> int:
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = tls.recv(4096)
        if not chunk:
            raise ConnectionError("closed before an answer")
        head += chunk
    return int(head.split(b" ", 2)[1])


def _closed_within(tls: ssl.SSLSocket, seconds: float) -> bool:
    """True when the server closes ``tls`` (EOF or reset) within ``seconds``."""
    tls.settimeout(seconds)
    try:
        return tls.recv(1) == b""
    except TimeoutError:
        return False
    except (ConnectionError, ssl.SSLError):
        return True


def test_an_idle_keep_alive_connection_shorter_than_the_timeout_serves_the_next_request(
    gateway: Gateway,
) -> None:
    with _connect(gateway.port) as tls:
        tls.sendall(REQUEST)
        assert _status(tls) == 404
        time.sleep(TIMEOUT_S * 0.5)
        tls.sendall(REQUEST)
        assert _status(tls) == 404


def test_an_idle_keep_alive_connection_is_closed_after_the_timeout(gateway: Gateway) -> None:
    with _connect(gateway.port) as tls:
        tls.sendall(REQUEST)
        assert _status(tls) == 404
        started = time.monotonic()
        assert _closed_within(tls, TIMEOUT_S + 3)
        assert time.monotonic() - started >= TIMEOUT_S * 0.8


def test_a_client_trickling_header_bytes_is_cut_at_the_timeout(gateway: Gateway) -> None:
    with _connect(gateway.port) as tls:
        tls.sendall(b"GET / HTTP/1.1\r\nHost: gateway\r\nX-Slow: ")
        started = time.monotonic()
        cut = False
        # One byte every 0.2 s: never idle, never a complete header.
        while time.monotonic() - started < TIMEOUT_S + 3:
            try:
                tls.sendall(b"a")
            except (ConnectionError, ssl.SSLError):
                cut = True
                break
            if _closed_within(tls, 0.2):
                cut = True
                break
        assert cut
        assert time.monotonic() - started < TIMEOUT_S + 3
