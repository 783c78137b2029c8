"""Position ingestion throughput and durability: the gateway against a raw insert of the rows.

For SQLite or PostgreSQL (``--db``) it migrates a throw-away database, registers ``--devices``
devices, starts ``logitrack gateway`` (granian over TLS, ``--gateways`` worker processes side by
side on one port) and measures for ``--seconds`` each:

- ``osmand``: single-position OsmAnd GET requests over keep-alive HTTPS, one connection per
  device, each waiting for its acknowledgement before sending the next;
- ``batch``: batch JSON, 100 positions per request, ``--batch-connections`` connections;
- ``raw``: the same number of rows written straight by ``write_positions`` in transactions of
  1,000 (no HTTP, no parsing): the ceiling the gateway is compared with.

``--kill`` adds the durability run: the gateway is killed with SIGKILL in the middle of an
OsmAnd load and restarted; clients resend every request that was not acknowledged. Afterwards
every acknowledged (device, fix time) must be stored, and each exactly once.

    .venv/bin/python bench/ingest.py --db postgres --seconds 10 --kill
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = str(REPO / ".venv" / "bin" / "python")
PG_DB = "bench_ingest"
SETUP = r"""
import json, os
from logitrack.tenancy.models import Tenant, Membership
from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.principal import Principal
from logitrack.tracking.services.devices import device_create
t = Tenant.objects.create(name="Bench", slug="bench", tax_code="0312345678",
    street_address="1 Le Loi", province_code=79, ward_code=26506)
u = User.objects.create_user(email="bench@example.vn", password=None, full_name="Bench")
with tenant_context(t):
    m = Membership.objects.create(user=u, role="owner")
    p = Principal.for_membership(u, m)
    out = []
    for i in range(int(os.environ["NDEV"])):
        c = device_create(principal=p, kind="gps_tracker", identifier=f"bench{i:05d}", name="b")
        out.append({"identifier": c.device.identifier, "token": c.token, "id": c.device.pk,
                    "tenant": t.pk})
print("DEVICES=" + json.dumps(out))
"""
RAW = r"""
import datetime as dt, json, os, time
from django.db import transaction
from logitrack.tracking.ingest.writer import PositionRow, write_positions
devices = json.loads(os.environ["DEVS"]); n = int(os.environ["NROWS"])
base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
rows = [PositionRow(tenant_id=d["tenant"], device_id=d["id"], driver_id=None,
    fix_time=base - dt.timedelta(seconds=i // len(devices) + 1), device_time=None,
    server_time=base, latitude=10.0, longitude=106.0, speed=1.0)
    for i, d in ((i, devices[i % len(devices)]) for i in range(n))]
start = time.perf_counter()
for k in range(0, n, 1000):
    with transaction.atomic():
        write_positions(rows[k:k + 1000])
print("RAW=%f" % (n / (time.perf_counter() - start)))
"""
COUNT = r"""
from django.db import connection
with connection.cursor() as c:
    c.execute("SELECT count(*), count(DISTINCT (device_id, fix_time)) FROM tracking_position")
    print("COUNT=%d,%d" % c.fetchone())
"""
STORED = r"""
import json
from logitrack.tracking.models import Position
rows = Position.dangerously_unscoped.values_list("device__identifier", "fix_time")
print("STORED=" + json.dumps([[i, int(t.timestamp())] for i, t in rows]))
"""


@dataclass
class Run:
    port: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    acknowledged: set[tuple[str, int]] = field(default_factory=set)
    failures: int = 0


def _psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql],
        check=False,
        capture_output=True,
    )


def _env(db: str, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOGITRACK_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        LOGITRACK_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        LOGITRACK_INGEST_DEVICE_RATE="1000000",
        LOGITRACK_INGEST_DEVICE_BURST="1000000",
        LOGITRACK_INGEST_BATCH_RATE="100000000",
        LOGITRACK_INGEST_BATCH_BURST="100000000",
    )
    if db == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    return env


def _manage(env: dict[str, str], *args: str, extra: dict[str, str] | None = None) -> str:
    return subprocess.run(
        [PY, "-m", "logitrack", *args],
        env={**env, **(extra or {})},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_gateway(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    gateway = subprocess.Popen(
        [PY, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--http", "1", "--backlog", "4096",
         "--ssl-certificate", env["BENCH_CERT"], "--ssl-keyfile", env["BENCH_KEY"],
         "--no-access-log", "--log-level", "error", "logitrack.tracking.ingest.gateway:app"],
        env=env, cwd=REPO, start_new_session=True,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return gateway
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the gateway did not start")


def _context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> bytes:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:") and int(line.split(b":")[1]):
            await reader.readexactly(int(line.split(b":")[1]))
    return head


async def _osmand_device(run: Run, ident: str, until: float, t0: int) -> None:
    """One device: sends fix after fix; an unacknowledged fix is resent (on a new connection)."""
    sent = 0
    connection = None
    while time.perf_counter() < until:
        stamp = t0 - sent
        request = (
            f"GET /?id={ident}&lat=10.77&lon=106.70&speed=10&timestamp={stamp} HTTP/1.1\r\n"
            "Host: gateway\r\n\r\n"
        ).encode()
        try:
            if connection is None:
                connection = await asyncio.open_connection("127.0.0.1", run.port, ssl=_context())
            start = time.perf_counter()
            head = await asyncio.wait_for(_exchange(*connection, request), 15)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ssl.SSLError):
            run.failures += 1
            connection = None
            await asyncio.sleep(0.2)
            continue
        if head.startswith(b"HTTP/1.1 200"):
            run.latencies.append(time.perf_counter() - start)
            run.acknowledged.add((ident, stamp))
            sent += 1
        else:
            run.failures += 1
    if connection is not None:
        connection[1].close()


async def _batch_device(run: Run, token: str, until: float, t0: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", run.port, ssl=_context())
    sent = 0
    while time.perf_counter() < until:
        first = t0 - 1_000_000 - sent
        positions = [
            {"fix_time": first - i, "latitude": 10.77, "longitude": 106.7, "speed": 3}
            for i in range(100)
        ]
        body = json.dumps({"positions": positions}).encode()
        head = (
            "POST /api/v1/ingest/positions HTTP/1.1\r\nHost: gateway\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        start = time.perf_counter()
        answer = await _exchange(reader, writer, head + body)
        if not answer.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(answer[:60])
        run.latencies.append(time.perf_counter() - start)
        sent += 100
    writer.close()


def _load(kind: str, run: Run, devices: list[dict[str, str]], connections: int) -> float:
    t0 = int(time.time()) - 60

    async def go() -> None:
        until = time.perf_counter() + run.seconds
        if kind == "osmand":
            jobs = [_osmand_device(run, d["identifier"], until, t0) for d in devices[:connections]]
        else:
            jobs = [_batch_device(run, d["token"], until, t0) for d in devices[:connections]]
        await asyncio.gather(*jobs)

    start = time.perf_counter()
    asyncio.run(go())
    return time.perf_counter() - start


def _ms(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 2 else float("nan")


def _kill_run(env: dict[str, str], args: argparse.Namespace, devices: list[dict[str, str]]) -> None:
    port = _free_port()
    gateway = _start_gateway(env, port, args.gateways)
    run = Run(port=port, seconds=args.seconds)

    def killer() -> None:
        nonlocal gateway
        time.sleep(args.seconds / 3)
        os.killpg(gateway.pid, signal.SIGKILL)
        gateway.wait()
        gateway = _start_gateway(env, port, args.gateways)

    import threading

    thread = threading.Thread(target=killer)
    thread.start()
    _load("osmand", run, devices, args.devices)
    thread.join()
    os.killpg(gateway.pid, signal.SIGINT)
    gateway.wait(timeout=30)
    stored = {
        (ident, stamp)
        for ident, stamp in json.loads(_manage(env, "shell", "-c", STORED).split("STORED=")[1])
    }
    total, distinct = map(int, _manage(env, "shell", "-c", COUNT).split("COUNT=")[1].split(","))
    lost = len(run.acknowledged - stored)
    print(
        f"{args.db} SIGKILL during load: {len(run.acknowledged)} acknowledged, "
        f"{run.failures} requests failed and were resent, lost {lost}, "
        f"duplicates {total - distinct}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--gateways", type=int, default=2)
    parser.add_argument("--batch-connections", type=int, default=20)
    parser.add_argument("--kill", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="logitrack-bench-") as data_dir:
        env = _env(args.db, data_dir)
        if args.db == "postgres":
            _psql(f"DROP DATABASE IF EXISTS {PG_DB}")
            _psql(f"CREATE DATABASE {PG_DB}")
        _manage(env, "migrate", "-v", "0")
        tls = _manage(
            env, "shell", "-c",
            "from pathlib import Path; from django.conf import settings; "
            "from logitrack.core.tls import ensure_local_tls; "
            "t = ensure_local_tls(Path(settings.TLS_DIR), ('127.0.0.1',)); "
            "print('TLS=%s,%s' % (t.server_cert, t.server_key))",
        )  # fmt: skip
        env["BENCH_CERT"], env["BENCH_KEY"] = tls.split("TLS=")[1].strip().split(",")
        devices = json.loads(
            _manage(env, "shell", "-c", SETUP, extra={"NDEV": str(args.devices)}).split("DEVICES=")[
                1
            ]
        )
        if args.kill:
            _kill_run(env, args, devices)
        else:
            _throughput(env, args, devices)
        if args.db == "postgres":
            _psql(f"DROP DATABASE IF EXISTS {PG_DB}")


def _throughput(
    env: dict[str, str], args: argparse.Namespace, devices: list[dict[str, str]]
) -> None:
    port = _free_port()
    gateway = _start_gateway(env, port, args.gateways)
    results: dict[str, tuple[int, list[float], float]] = {}
    try:
        _load("osmand", Run(port=port, seconds=1.0), devices, args.devices)  # warm-up
        for kind, connections in (("osmand", args.devices), ("batch", args.batch_connections)):
            run = Run(port=port, seconds=args.seconds)
            took = _load(kind, run, devices, connections)
            count = len(run.acknowledged) if kind == "osmand" else 100 * len(run.latencies)
            results[kind] = (count, run.latencies, took)
    finally:
        os.killpg(gateway.pid, signal.SIGINT)
        gateway.wait(timeout=30)
    total = sum(r[0] for r in results.values())
    raw_rows = min(total, 200_000)
    raw = float(
        _manage(
            env, "shell", "-c", RAW, extra={"DEVS": json.dumps(devices), "NROWS": str(raw_rows)}
        ).split("RAW=")[1]
    )
    for kind, (count, latencies, took) in results.items():
        rate = count / took
        print(
            f"{args.db} {kind}: {rate:,.0f} acknowledged positions/s, p50 {_ms(latencies, 50):.1f} "
            f"ms, p99 {_ms(latencies, 99):.1f} ms per request ({args.gateways} gateway processes); "
            f"raw insert {raw:,.0f} rows/s; ratio {rate / raw:.2f}"
        )


if __name__ == "__main__":
    main()
