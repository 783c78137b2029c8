"""RFID tag reads through the real gateway against a raw insert of the same rows, side by side.

It migrates a throw-away database (SQLite by default; ``--database-url`` names a PostgreSQL
server on which a database of its own is created and dropped), registers ``--readers`` RFID
readers, starts ``logitrack gateway`` (granian over TLS, ``--workers`` processes) and sends, from
one keep-alive HTTPS connection per reader, Zebra IoT Connector JSON arrays of ``--batch`` tag
reads (default 100) to ``POST /ingest/rfid/zebra`` for ``--seconds``, each request after the
previous one's answer (closed loop: the gateway's capacity). Each reader's clock advances 10 ms
per read. Two tag populations (``--modes``):

- ``flood``: each reader sees the same ``--tags`` tags (default 100) over and over, every tag
  again within the 2 s window: almost every read extends an open observation (a pallet left at
  a dock door), so the rate is that of de-duplication;
- ``unique``: every read is a tag never seen (a new EPC, decoded uncached): every read is a new
  observation, the worst case.

The gateway runs with the per-device batch limit raised out of reach (it measures capacity, not
``LOGITRACK_INGEST_BATCH_RATE``). Then, in the same run and database, ``raw``: the same number
of rows (one per read, as if nothing were de-duplicated) written straight into
``tracking_tagobservation`` with ``executemany`` in transactions of 1,000 (no TLS, HTTP, JSON,
decoding or de-duplication: the ceiling). It prints reads/s accepted (before de-duplication),
observations made, latency, CPU of the gateway and of this client, and the ratio to raw.

The face-blur timing section is ``bench/rfid_blur.py`` (another module): when present, its
``main(args) -> list[str]`` is called with this run's arguments and its lines printed.

    .venv/bin/python bench/rfid.py
    .venv/bin/python bench/rfid.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/rfid.py --workers 2 --seconds 10 --modes flood
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import ssl
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from logitrack.tracking.tests.harness import (  # noqa: E402
    Gateway,
    Site,
    client_context,
    cpu_seconds,
    exchange,
    scratch,
)

SETUP = r"""
import json, os
from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tracking.services.devices import device_create
t = Tenant.objects.create(name="Kho", slug="kho", tax_code="0312345679",
    street_address="1 Le Loi", province_code=79, ward_code=26506)
u = User.objects.create_user(email="kho@example.vn", password=None, full_name="Kho")
with tenant_context(t):
    m = Membership.objects.create(user=u, role="owner")
    p = Principal.for_membership(u, m)
    out = []
    for i in range(int(os.environ["NREADERS"])):
        c = device_create(principal=p, kind="rfid_reader", identifier=f"rfid{i:04d}", name="r")
        out.append({"token": c.token, "id": c.device.pk, "tenant": t.pk})
print("READERS=" + json.dumps(out))
"""

RAW = r"""
import datetime as dt, json, os, time, uuid
from django.db import connection, transaction
readers = json.loads(os.environ["READERS"]); n = int(os.environ["NROWS"])
adapt = connection.ops.adapt_datetimefield_value
base = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
now = adapt(dt.datetime.now(dt.UTC))
rows = []
for i in range(n):
    r = readers[i % len(readers)]
    t = adapt(base + dt.timedelta(milliseconds=10 * i))
    rows.append((r["tenant"], str(uuid.uuid4()) if connection.vendor == "postgresql"
                 else uuid.uuid4().hex, r["id"], 1, "%024X" % (0x3074257BF7194E4000000000 + i),
                 "urn:epc:id:sgtin:0614141.812345.%d" % i, "sgtin", t, t, 1, -60, now))
sql = ("INSERT INTO tracking_tagobservation (tenant_id, event_id, device_id, antenna, epc_hex, "
       "epc_uri, scheme, first_seen, last_seen, read_count, peak_rssi, received_at) VALUES "
       "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")
start = time.perf_counter(); cpu = time.process_time()
for k in range(0, n, 1000):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows[k:k + 1000])
print("RAW=%f,%f" % (n / (time.perf_counter() - start), time.process_time() - cpu))
"""

# The batch limit (reads per second per reader per process) raised out of reach: capacity.
CAPACITY_LIMITS = {
    "LOGITRACK_INGEST_BATCH_RATE": "100000000",
    "LOGITRACK_INGEST_BATCH_BURST": "100000000",
}
SGTIN_BASE = 0x3074257BF7194E4000000000  # urn:epc:id:sgtin:0614141.812345.0 (TDS annex E.1)
STEP_MS = 10


@dataclass
class Load:
    accepted: int = 0
    refused: int = 0
    new: int = 0
    requests: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)


def _stamp(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}+0000"


def _body(reader: int, first: int, size: int, *, mode: str, tags: int, t0_ms: int) -> bytes:
    parts = []
    for j in range(first, first + size):
        if mode == "flood":
            epc = SGTIN_BASE + reader * 1_000_000 + j % tags
        else:
            epc = SGTIN_BASE + 10**9 + reader * 10**8 + j
        stamp = _stamp(t0_ms + j * STEP_MS)
        parts.append(
            f'{{"type":"SIMPLE","timestamp":"{stamp}","data":{{"eventNum":{j},"format":"epc",'
            f'"idHex":"{epc:024x}","antenna":{1 + j % 2},"peakRssi":{-50 - j % 20},"reads":1}}}}'
        )
    return ("[" + ",".join(parts) + "]").encode()


async def _reader(
    port: int, index: int, token: str, *, until: float, args: argparse.Namespace, mode: str,
    t0_ms: int, load: Load,
) -> None:  # fmt: skip
    ctx: ssl.SSLContext = client_context()
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=ctx)
    sent = 0
    try:
        while time.monotonic() < until:
            body = _body(index, sent, args.batch, mode=mode, tags=args.tags, t0_ms=t0_ms)
            request = (
                f"POST /ingest/rfid/zebra HTTP/1.1\r\nHost: gateway\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            start = time.monotonic()
            status, answer = await asyncio.wait_for(exchange(reader, writer, request), 30)
            load.latencies.append(time.monotonic() - start)
            load.requests += 1
            sent += args.batch
            if status == 200:
                report = json.loads(answer)
                load.accepted += report["accepted"]
                load.refused += report["refused"]
                load.new += report["observations_new"]
            else:
                load.failures[str(status)] = load.failures.get(str(status), 0) + 1
    finally:
        writer.close()


async def _run(
    port: int, readers: list[dict[str, Any]], args: argparse.Namespace, mode: str, t0_ms: int
) -> tuple[Load, float]:
    load = Load()
    start = time.monotonic()
    until = start + args.seconds
    await asyncio.gather(
        *(
            _reader(port, i, r["token"], until=until, args=args, mode=mode, t0_ms=t0_ms, load=load)
            for i, r in enumerate(readers)
        )
    )
    return load, time.monotonic() - start


def _raw(site: Site, readers: list[dict[str, Any]], rows: int) -> tuple[float, float]:
    out = site.manage(
        "shell", "-c", RAW, extra={"READERS": json.dumps(readers), "NROWS": str(rows)}
    )
    rate, cpu = out.split("RAW=")[1].split(",")
    return float(rate), float(cpu)


def _blur_section() -> None:
    """The face-blur section: ``bench/rfid_blur.py`` with its defaults, printing its lines."""
    path = Path(__file__).with_name("rfid_blur.py")
    spec = importlib.util.spec_from_file_location("rfid_blur", path)
    if spec is None or spec.loader is None:
        raise SystemExit("bench/rfid_blur.py could not be loaded")
    module = importlib.util.module_from_spec(spec)
    sys.modules["rfid_blur"] = module  # dataclasses and pickling look their module up
    spec.loader.exec_module(module)
    module.main([])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (default SQLite)")
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--tags", type=int, default=100, help="tags per reader (flood)")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--modes", default="flood,unique")
    parser.add_argument("--no-blur", action="store_true")
    args = parser.parse_args()
    name = f"bench_rfid_{uuid.uuid4().hex[:8]}"
    admin = None
    with scratch("logitrack-bench-rfid-") as root:
        url = ""
        if args.database_url:
            import psycopg

            admin = psycopg.connect(args.database_url, autocommit=True)
            admin.execute(f'CREATE DATABASE "{name}"')
            url = args.database_url.rsplit("/", 1)[0] + f"/{name}"
        site = Site(data_dir=root / "data", database_url=url)
        try:
            _bench(site, args)
        finally:
            if admin is not None:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()
    if not args.no_blur:
        _blur_section()


def _bench(site: Site, args: argparse.Namespace) -> None:
    db = "postgresql" if site.database_url else "sqlite"
    site.manage("migrate", "--noinput", "-v", "0")
    out = site.manage("shell", "-c", SETUP, extra={"NREADERS": str(args.readers)})
    readers = json.loads(out.split("READERS=")[1])
    gateway = Gateway(site, workers=args.workers, env=CAPACITY_LIMITS)
    gateway.start()
    results: dict[str, tuple[Load, float, float, float]] = {}
    try:
        print(
            f"{db}: {args.workers} gateway processes, {args.readers} readers (one keep-alive "
            f"HTTPS connection each), batches of {args.batch} reads, {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f} at start"
        )
        t0_ms = int(time.time() * 1000) - 86_400_000
        for step, mode in enumerate(args.modes.split(",")):
            # warm-up (lazy imports, connections), on its own clock a day earlier
            warm = argparse.Namespace(**{**vars(args), "seconds": 1.5})
            asyncio.run(_run(gateway.port, readers, warm, mode, t0_ms - 86_400_000 * (step + 2)))
            pids = gateway.pids()
            cpu = cpu_seconds(pids)
            own = time.process_time()
            start_ms = t0_ms + step * 3_600_000
            load, wall = asyncio.run(_run(gateway.port, readers, args, mode, start_ms))
            results[mode] = (load, wall, cpu_seconds(pids) - cpu, time.process_time() - own)
    finally:
        gateway.stop()
    total = sum(load.accepted for load, *_rest in results.values())
    raw_rows = max(min(total, 300_000), 20_000)
    raw_rate, raw_cpu = _raw(site, readers, raw_rows)
    print(
        f"{db} raw insert (executemany into tracking_tagobservation, 1,000 rows per "
        f"transaction): {raw_rate:,.0f} rows/s ({raw_rows:,} rows, {raw_cpu:.1f} CPU s)"
    )
    for mode, (load, wall, gateway_cpu, client_cpu) in results.items():
        rate = load.accepted / wall
        lat = sorted(load.latencies) or [float("nan")]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        print(
            f"{db} {mode}: {rate:,.0f} tag reads/s accepted before de-duplication "
            f"({load.accepted:,} reads in {load.requests:,} requests over {wall:.1f} s, "
            f"{load.refused} refused, failures {load.failures or 'none'}); "
            f"{load.new:,} new observations ({load.new / max(load.accepted, 1):.1%} of reads); "
            f"p50 {statistics.median(lat) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms per request; "
            f"gateway {gateway_cpu:.1f} CPU s ({gateway_cpu / max(load.accepted, 1) * 1e6:.0f} "
            f"µs per read), client {client_cpu:.1f} CPU s; ratio to raw insert "
            f"{rate / raw_rate:.2f}; target 20,000 reads/s: "
            f"{'met' if rate >= 20_000 else 'NOT met'}; load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
