"""Public tracking under load: GET /t/<waybill> against a trivial route of the same server.

Starts the real ``logitrack serve`` (bench/_server.py: HTTPS, granian, local settings, SQLite in
a temporary data directory), creates one shipment with a five-event timeline through the ORM in
that database, then loads with wrk (Debian: ``apt-get install wrk``) at CONNECTIONS keep-alive
connections for DURATION_S seconds each:

- ``/healthz``: the trivial route (no database, no template), the ceiling of this server;
- ``/t/<waybill>``: the public page (rate limit counted, one indexed query, cached render);
- ``/api/v1/track/<waybill>``: the partners' JSON.

The per-address limit ``tracking.ip`` is raised for the run (LOGITRACK_RATE_LIMITS), so every
request is still counted but none is refused: wrk sends everything from 127.0.0.1.

Prints requests/s and p99 of each and the ratios to /healthz. Target (issue 7): >= 500 req/s and
p99 <= 100 ms for the page on a 2-core machine.

Re-run: ``.venv/bin/python bench/tracking_public.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import _server

CONNECTIONS = 50
DURATION_S = 15
WARMUP_S = 3
WRK_THREADS = 2
TARGET_RPS = 500
TARGET_P99_MS = 100.0

SEED = """
from datetime import timedelta
from django.utils import timezone
from logitrack.core.tenant import tenant_context
from logitrack.logistics.models import LogisticsSettings, Order, Shipment, ShipmentEvent, Shipper
from logitrack.tenancy.models import Tenant

tenant = Tenant.objects.create(
    name="Công ty Bench", slug="bench", tax_code="0312345679", street_address="1 Lê Lợi",
    province_code=79, ward_code=26506,
)
with tenant_context(tenant):
    LogisticsSettings.objects.create(tenant=tenant, waybill_prefix="BEN")
    shipper = Shipper.objects.create(
        tenant=tenant, name="Shop", street="1 Lê Lợi", ward_code=26506, province_code=79
    )
    order = Order.objects.create(
        tenant=tenant, shipper=shipper, pickup_street="1 Lê Lợi", pickup_ward_code=26506,
        pickup_province_code=79, delivery_street="12 Lê Lợi", delivery_ward_code=4,
        delivery_province_code=1, consignee_name="Trần Thị Bích", consignee_phone="+84912345678",
        service_level="standard",
    )
    from logitrack.logistics.numbers import new_waybill
    shipment = Shipment.objects.create(
        tenant=tenant, order=order, waybill=new_waybill("BEN"), weight_g=1200,
        service_level="standard", delivery_province_code=1,
    )
    start = timezone.now() - timedelta(hours=10)
    before = "created"
    for n, status in enumerate(["picked_up", "in_transit", "at_hub", "out_for_delivery"]):
        ShipmentEvent.objects.create(
            tenant=tenant, shipment=shipment, kind="status", status=status, status_before=before,
            applied=True, occurred_at=start + timedelta(hours=2 * n), place="Kho " + str(n),
            province_code=79, source="user", idempotency_key="bench-" + str(n),
        )
        before = status
    shipment.status = before
    shipment.save()
print("WAYBILL=" + shipment.waybill)
"""


@dataclass(frozen=True)
class Result:
    label: str
    requests_per_s: float
    p99_ms: float
    errors: int


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _wrk(url: str, seconds: int) -> tuple[float, float, int]:
    done = subprocess.run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
    if rate is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|timeout)\s+(\d+)", out))
    return float(rate.group(1)), _ms(p99.group(1), p99.group(2)), errors


def seed(root: Path) -> str:
    """Create the shipment in the server's database; its waybill."""
    done = subprocess.run(
        [str(_server.LOGITRACK), "shell", "-c", SEED],
        env=_server.server_env(root),
        cwd=_server.REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"WAYBILL=(\w+)", done.stdout)
    if found is None:
        raise RuntimeError(f"no waybill seeded:\n{done.stdout}{done.stderr}")
    return found.group(1)


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="logitrack-bench-tracking-"))
    try:
        _server.prepare(root)
        waybill = seed(root)
        server = _server.start(root, extra_env={"LOGITRACK_RATE_LIMITS": "tracking.ip=100000000/m"})
        try:
            base = f"https://{server.host}:{server.https_port}"
            paths = [
                ("/healthz (trivial)", "/healthz"),
                ("/t/<waybill> (page)", f"/t/{waybill}"),
                ("/api/v1/track/<waybill>", f"/api/v1/track/{waybill}"),
            ]
            results = []
            for label, path in paths:
                status, _body = _server.https_get(
                    server.host, server.https_port, path, server.ssl_context()
                )
                if status != 200:
                    raise RuntimeError(f"GET {path} answered {status}")
                _wrk(base + path, WARMUP_S)
                results.append(Result(label, *_wrk(base + path, DURATION_S)))
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(
        f"HTTPS, {CONNECTIONS} connections, {DURATION_S} s each, wrk -t{WRK_THREADS}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(f"{'route':<28}{'req/s':>10}{'p99 ms':>10}{'errors':>8}")
    for result in results:
        print(
            f"{result.label:<28}{result.requests_per_s:>10.0f}{result.p99_ms:>10.1f}"
            f"{result.errors:>8}"
        )
    trivial, page, api = results
    for label, result in (("page", page), ("api", api)):
        print(
            f"{label} / trivial: throughput x{result.requests_per_s / trivial.requests_per_s:.2f}, "
            f"p99 x{result.p99_ms / trivial.p99_ms:.2f}"
        )
    met = page.requests_per_s >= TARGET_RPS and page.p99_ms <= TARGET_P99_MS
    print(
        f"target page >= {TARGET_RPS} req/s and p99 <= {TARGET_P99_MS:.0f} ms: "
        f"{'met' if met else 'NOT met'}"
    )
    return 0 if all(r.errors == 0 for r in results) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(_server.REPO))
    sys.exit(main())
