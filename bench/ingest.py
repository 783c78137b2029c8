"""Position ingestion throughput: the gateway against a raw insert of the same rows.

For SQLite and PostgreSQL (``--db``): migrates a throw-away database, registers ``--devices``
devices, starts ``logitrack gateway`` (granian over TLS, ``--gateways`` processes side by side on
one port), then measures for ``--seconds`` each:

- OsmAnd single-position GET requests over keep-alive HTTPS, one connection per device;
- batch JSON, 100 positions per request;

and, in the same run, a raw insert of the same number of rows (multi-row INSERT in transactions
of 1000, no HTTP) as the ceiling. Prints acknowledged positions/s, p50/p99 acknowledgement
latency and the ratio to the raw insert, and checks that every acknowledged position is stored.

    .venv/bin/python bench/ingest.py --db postgres --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = str(REPO / ".venv" / "bin" / "python")
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


def _env(db: str, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOGITRACK_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env["LOGITRACK_DATA_DIR"] = data_dir
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    env["LOGITRACK_INGEST_DEVICE_RATE"] = "100000"
    env["LOGITRACK_INGEST_DEVICE_BURST"] = "100000"
    env["LOGITRACK_INGEST_BATCH_RATE"] = "10000000"
    env["LOGITRACK_INGEST_BATCH_BURST"] = "10000000"
    if db == "postgres":
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/bench_ingest"
    return env


def _manage(env: dict[str, str], *args: str, extra: dict[str, str] | None = None) -> str:
    result = subprocess.run(  # noqa: S603
        [PY, "-m", "logitrack", *args],
        env={**env, **(extra or {})},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _osmand_client(
    host: str, port: int, ctx: ssl.SSLContext, ident: str, until: float, lat: list[float], t0: int
) -> int:
    reader, writer = await asyncio.open_connection(host, port, ssl=ctx)
    sent = 0
    while time.perf_counter() < until:
        stamp = t0 - sent
        request = (
            f"GET /?id={ident}&lat=10.77&lon=106.70&speed=10&timestamp={stamp} HTTP/1.1\r\n"
            f"Host: {host}\r\n\r\n"
        ).encode()
        start = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length:
            await reader.readexactly(length)
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head[:40])
        lat.append(time.perf_counter() - start)
        sent += 1
    writer.close()
    return sent


async def _batch_client(
    host: str, port: int, ctx: ssl.SSLContext, token: str, until: float, lat: list[float], t0: int
) -> int:
    reader, writer = await asyncio.open_connection(host, port, ssl=ctx)
    sent = 0
    while time.perf_counter() < until:
        first = t0 - 1_000_000 - sent
        body = json.dumps(
            {
                "positions": [
                    {"fix_time": first - i, "latitude": 10.77, "longitude": 106.7, "speed": 3}
                    for i in range(100)
                ]
            }
        ).encode()
        head = (
            f"POST /api/v1/ingest/positions HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        start = time.perf_counter()
        writer.write(head + body)
        answer = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in answer.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        if not answer.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(answer[:40])
        lat.append(time.perf_counter() - start)
        sent += 100
    writer.close()
    return sent


def _load(kind: str, port: int, devices: list[dict[str, str]], seconds: float, conns: int) -> tuple[int, list[float], float]:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    lat: list[float] = []
    t0 = int(time.time()) - 60

    async def run() -> int:
        until = time.perf_counter() + seconds
        if kind == "osmand":
            jobs = [
                _osmand_client("127.0.0.1", port, ctx, d["identifier"], until, lat, t0)
                for d in devices[:conns]
            ]
        else:
            jobs = [
                _batch_client("127.0.0.1", port, ctx, d["token"], until, lat, t0)
                for d in devices[:conns]
            ]
        return sum(await asyncio.gather(*jobs))

    start = time.perf_counter()
    count = asyncio.run(run())
    return count, lat, time.perf_counter() - start


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 2 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--gateways", type=int, default=2)
    parser.add_argument("--batch-connections", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="logitrack-bench-") as data_dir:
        env = _env(args.db, data_dir)
        if args.db == "postgres":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "DROP DATABASE IF EXISTS bench_ingest"], check=True, capture_output=True)  # noqa: S607
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE bench_ingest"], check=True, capture_output=True)  # noqa: S607
        _manage(env, "migrate", "-v", "0")
        out = _manage(env, "shell", "-c", SETUP, extra={"NDEV": str(args.devices)})
        devices = json.loads(out.split("DEVICES=", 1)[1])
        port = _free_port()
        gateway = subprocess.Popen(  # noqa: S603
            [PY, "-m", "logitrack", "gateway", "--port", str(port), "--workers", str(args.gateways)],
            env=env, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.3)
            time.sleep(2)
            _load("osmand", port, devices, 1.0, args.devices)  # warm-up
            results = {}
            for kind, conns in (("osmand", args.devices), ("batch", args.batch_connections)):
                count, lat, took = _load(kind, port, devices, args.seconds, conns)
                results[kind] = (count, lat, took)
        finally:
            os.killpg(gateway.pid, signal.SIGINT)
            gateway.wait(timeout=20)
        total = sum(r[0] for r in results.values())
        raw_out = _manage(
            env, "shell", "-c", RAW,
            extra={"DEVS": json.dumps(devices), "NROWS": str(min(total, 200_000))},
        )
        raw = float(raw_out.split("RAW=", 1)[1])
        stored = _manage(env, "shell", "-c", "from logitrack.tracking.models import Position; print('N=%d' % Position.dangerously_unscoped.count())")
        stored_n = int(stored.split("N=", 1)[1])
        for kind, (count, lat, took) in results.items():
            rate = count / took
            print(
                f"{args.db} {kind}: {rate:,.0f} acknowledged positions/s "
                f"(p50 {_pct(lat, 50):.1f} ms, p99 {_pct(lat, 99):.1f} ms per request, "
                f"{args.gateways} gateway processes); raw insert {raw:,.0f} rows/s; "
                f"ratio {rate / raw:.2f}"
            )
        print(f"{args.db} acknowledged {total}, stored {stored_n - min(total, 200_000)} (lost: {total - (stored_n - min(total, 200_000))})")
        if args.db == "postgres":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "DROP DATABASE IF EXISTS bench_ingest"], check=False, capture_output=True)  # noqa: S607


if __name__ == "__main__":
    sys.exit(main())
