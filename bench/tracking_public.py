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

The machine is shared, so each run also prints what it cost: CPU seconds of the server (its
process tree, read from /proc/<pid>/stat) and of wrk per request, and the load average
before and after. ``cores / (server + wrk CPU per request)`` is the rate the same work would reach
if it had every core to itself: an upper bound (no waiting, perfect use of the cores), printed as
such, never as a measurement.

Re-run: ``.venv/bin/python bench/tracking_public.py [sqlite] [postgresql]`` (default: SQLite, and
PostgreSQL too when one answers on 127.0.0.1:5432; its database ``logitrack_bench_tracking`` is
created and dropped by the run).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import socket
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


PG_DB = "logitrack_bench_tracking"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"


@dataclass(frozen=True)
class Result:
    label: str
    requests_per_s: float
    p99_ms: float
    errors: int
    requests: int
    server_cpu_s: float
    wrk_cpu_s: float

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * (self.server_cpu_s + self.wrk_cpu_s) / max(self.requests, 1)

    @property
    def server_cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_s / max(self.requests, 1)


def tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU seconds of ``root_pid`` and every live process below it (proc(5): ppid
    is field 4, utime and stime fields 14 and 15 of /proc/<pid>/stat). ``logitrack serve``
    starts granian in sessions of its own, so the tree is followed by parent, not by session."""
    ticks = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    spent: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue
        # fields[0] is the state (field 3), so field n is fields[n - 3].
        parent[int(entry)] = int(fields[1])
        spent[int(entry)] = int(fields[11]) + int(fields[12])
    inside = {root_pid}
    grew = True
    while grew:
        below = {pid for pid, ppid in parent.items() if ppid in inside} - inside
        grew = bool(below)
        inside |= below
    return sum(spent.get(pid, 0) for pid in inside) / ticks


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _wrk(url: str, seconds: int) -> tuple[float, float, int, int, float]:
    """req/s, p99 ms, errors, requests and wrk's own CPU seconds of one wrk run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out = done.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in", out, re.MULTILINE)
    if rate is None or p99 is None or total is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|timeout)\s+(\d+)", out))
    p99_ms = _ms(p99.group(1), p99.group(2))
    return float(rate.group(1)), p99_ms, errors, int(total.group(1)), wrk_cpu


def seed(root: Path, extra_env: dict[str, str] | None = None) -> str:
    """Create the shipment in the server's database; its waybill."""
    done = subprocess.run(
        [str(_server.LOGITRACK), "shell", "-c", SEED],
        env={**_server.server_env(root), **(extra_env or {})},
        cwd=_server.REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"WAYBILL=(\w+)", done.stdout)
    if found is None:
        raise RuntimeError(f"no waybill seeded:\n{done.stdout}{done.stderr}")
    return found.group(1)


def _postgres(create: bool) -> bool:
    """(Re)create the bench's own PostgreSQL database; False when no server answers."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError:
        return False
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        if create:
            conn.execute(f"CREATE DATABASE {PG_DB}")
    return True


def run(backend: str) -> list[Result]:
    """Serve one database and load the three routes; the results, /healthz first."""
    root = Path(tempfile.mkdtemp(prefix="logitrack-bench-tracking-"))
    database = {"DATABASE_URL": PG_URL} if backend == "postgresql" else {}
    try:
        _server.prepare(root, extra_env=database)
        waybill = seed(root, database)
        server = _server.start(
            root,
            extra_env={"LOGITRACK_RATE_LIMITS": "tracking.ip=100000000/m", **database},
        )
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
                cpu_before = tree_cpu_seconds(server.process.pid)
                rate, p99, errors, requests, wrk_cpu = _wrk(base + path, DURATION_S)
                server_cpu = tree_cpu_seconds(server.process.pid) - cpu_before
                results.append(Result(label, rate, p99, errors, requests, server_cpu, wrk_cpu))
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return results


def report(backend: str, results: list[Result], load_before: float) -> bool:
    cores = os.cpu_count() or 1
    print(
        f"{backend}: HTTPS, {CONNECTIONS} connections, {DURATION_S} s each, wrk -t{WRK_THREADS}, "
        f"{cores} CPUs, load average {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after"
    )
    print(
        f"  {'route':<26}{'req/s':>8}{'p99 ms':>9}{'errors':>7}{'server CPU s':>14}"
        f"{'wrk CPU s':>11}{'CPU ms/req':>12}{'bound req/s':>13}"
    )
    for r in results:
        print(
            f"  {r.label:<26}{r.requests_per_s:>8.0f}{r.p99_ms:>9.1f}{r.errors:>7}"
            f"{r.server_cpu_s:>14.1f}{r.wrk_cpu_s:>11.1f}{r.cpu_ms_per_request:>12.2f}"
            f"{1000 * cores / r.cpu_ms_per_request:>13.0f}"
        )
    trivial, page, api = results
    for label, result in (("page", page), ("api", api)):
        print(
            f"  {label} / trivial: throughput "
            f"x{result.requests_per_s / trivial.requests_per_s:.2f}, "
            f"p99 x{result.p99_ms / trivial.p99_ms:.2f}, server CPU per request "
            f"x{result.server_cpu_ms_per_request / trivial.server_cpu_ms_per_request:.2f}"
        )
    met = page.requests_per_s >= TARGET_RPS and page.p99_ms <= TARGET_P99_MS
    print(
        f"  target page >= {TARGET_RPS} req/s and p99 <= {TARGET_P99_MS:.0f} ms: "
        f"{'met' if met else 'NOT met'} as measured; CPU-bound ceiling of this work on "
        f"{cores} idle cores: {1000 * cores / page.cpu_ms_per_request:.0f} req/s "
        "(an upper bound, not a measurement)"
    )
    return all(r.errors == 0 for r in results)


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    asked = [a for a in sys.argv[1:] if a in {"sqlite", "postgresql"}]
    backends = asked or ["sqlite", "postgresql"]
    clean = True
    for backend in backends:
        if backend == "postgresql" and not _postgres(create=True):
            print("postgresql: skipped (nothing answers on 127.0.0.1:5432)")
            continue
        load_before = os.getloadavg()[0]
        try:
            results = run(backend)
        finally:
            if backend == "postgresql":
                _postgres(create=False)
        clean = report(backend, results, load_before) and clean
    return 0 if clean else 1


if __name__ == "__main__":
    sys.path.insert(0, str(_server.REPO))
    sys.exit(main())
