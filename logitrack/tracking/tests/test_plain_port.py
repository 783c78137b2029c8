"""The plain-HTTP legacy port (docs/adr/0030), over real sockets: ``logitrack serve`` opens it
only when LOGITRACK_OSMAND_PLAIN_PORT is set; there it serves OsmAnd for devices of tenants that
turned plain HTTP on, refuses every other device exactly like an unknown one, and never serves
the batch API; the HTTPS gateway is unchanged."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import _server  # noqa: E402

_SETUP = """
import json, django
django.setup()
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for
from logitrack.tracking.services.settings import tenant_plain_http_set
from logitrack.tracking.tests.factories import make_device
legacy = make_member(make_tenant(), Role.OWNER)
modern = make_member(make_tenant(), Role.OWNER)
old = make_device(legacy).device
new = make_device(modern).device
with tenant_context(legacy.tenant):
    tenant_plain_http_set(principal=principal_for(legacy), allowed=True)
print(json.dumps([old.identifier, new.identifier]))
"""

_COUNT = """
import json, sys, django
django.setup()
from logitrack.tracking.models import Device, Position
print(json.dumps({
    d.identifier: Position.dangerously_unscoped.filter(device=d).count()
    for d in Device.dangerously_unscoped.all()
}))
"""


def _python(data_dir: Path, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_server.server_env(data_dir),
        cwd=_server.REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _wait_listening(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}")


def _plain(port: int, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body or None, headers={"Accept-Language": "en"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, int]]]:
    data_dir = tmp_path_factory.mktemp("plain-port")
    _server.prepare(data_dir)
    gateway, plain = _server.free_ports(2)
    server = _server.start(
        data_dir,
        extra_env={
            "LOGITRACK_OSMAND_PORT": str(gateway),
            "LOGITRACK_OSMAND_PLAIN_PORT": str(plain),
        },
    )
    try:
        _wait_listening(gateway)
        _wait_listening(plain)
        yield data_dir, {"gateway": gateway, "plain": plain, "https": server.https_port}
    finally:
        code = server.stop()
        assert code == 0, server.log()
        assert "Traceback" not in server.log(), server.log()
        assert "WARNING: plain-HTTP device port" in server.log()


def test_plain_port_serves_only_devices_of_tenants_that_turned_it_on(
    served: tuple[Path, dict[str, int]],
) -> None:
    data_dir, ports = served
    old, new = json.loads(_python(data_dir, _SETUP))
    stamp = int(time.time())
    report = "/?id={}&lat=10.77&lon=106.70&timestamp=" + str(stamp)

    accepted = _plain(ports["plain"], "GET", report.format(old))
    refused = _plain(ports["plain"], "GET", report.format(new))
    unknown = _plain(ports["plain"], "GET", report.format("no-such-device"))
    batch = _plain(ports["plain"], "POST", "/api/v1/ingest/positions", b'{"positions": []}')

    assert accepted == (200, b"")
    assert refused == unknown
    assert refused[0] == 400
    assert batch[0] == 404
    # The same device of a tenant without plain HTTP is served over TLS as before.
    context = ssl.create_default_context(cafile=str(data_dir / "tls" / "ca.pem"))
    conn = http.client.HTTPSConnection("127.0.0.1", ports["gateway"], timeout=10, context=context)
    conn.request("GET", report.format(new))
    assert conn.getresponse().status == 200
    conn.close()
    assert json.loads(_python(data_dir, _COUNT)) == {old: 1, new: 1}


def test_without_the_setting_no_plain_listener_is_started() -> None:
    from django.conf import settings

    from logitrack.tracking.management.commands.gateway import plain_gateway_cmd

    assert settings.LOGITRACK_OSMAND_PLAIN_PORT == 0
    command = plain_gateway_cmd("127.0.0.1", 5080, 1)
    assert command[-1] == "logitrack.tracking.ingest.gateway:plain_app"
    assert "--ssl-certificate" not in command
