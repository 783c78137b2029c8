"""PostgreSQL position writer: the ways of writing one group commit, side by side (ADR 0040).

A throw-away database on DATABASE_URL's server (default 127.0.0.1:5432), migrated, with
``--devices`` registered devices. Each variant writes the same kind of rows (every device, one
fix per second, today's partition) in transactions of ``--per`` rows, round-robin with the
others so that the shared machine's load falls on all of them alike:

- ``values``: the writer before ADR 0040: Django's cursor (psycopg's client-side binding),
  multi-row ``INSERT ... VALUES (...), (...) ON CONFLICT DO NOTHING`` of 500 rows per
  statement;
- ``unnest``: one ``INSERT ... SELECT FROM unnest(%s::bigint[], ...)`` with one array per
  column, bound server-side in binary, prepared (the statement text is the same for every
  transaction);
- ``copy``: binary ``COPY`` into a temporary staging table, then ``INSERT ... SELECT ... ON
  CONFLICT DO NOTHING`` from it;
- ``unnest-partition``: as ``unnest``, into the day's partition directly when every row of the
  transaction falls into one created day.

Each variant also upserts the latest position per device and marks ``last_seen_at``, as the
writer does. Printed per variant: rows/s of wall time, the Python process's CPU µs per row, the
PostgreSQL backend's CPU µs per row (read from /proc; the server runs on this machine), and the
ratio to ``values``; then a check that writing the first transaction again inserts 0 rows.

    .venv/bin/python bench/position_writer.py --rows 20000 --per 1000,50

(50 rows is about one group commit of the gateway at 5,000 positions/s.)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from logitrack.tracking.tests.harness import Site, scratch  # noqa: E402

RUN = r"""
import datetime as dt, json, os, time
from pathlib import Path
from django.db import connection, transaction
from logitrack.tracking.ingest import writer as W
from logitrack.tracking.ingest.writer import PositionRow

def values_variant(rows, seen):
    # The writer before ADR 0040 (multi-row VALUES through Django's client-side binding).
    return W._write_values(rows, seen, W._same)

UNNEST = (
    f"INSERT INTO {{table}} ({W._POSITION_COLUMNS}) "
    "SELECT tenant_id, device_id, driver_id, fix_time, device_time, server_time, latitude, "
    "longitude, speed, course, altitude, accuracy, battery, valid, attributes::jsonb FROM unnest("
    "%s::int8[], %s::int8[], %s::int8[], %s::timestamptz[], %s::timestamptz[], "
    "%s::timestamptz[], %s::float8[], %s::float8[], %s::float8[], %s::float8[], %s::float8[], "
    "%s::float8[], %s::float8[], %s::bool[], %s::text[]) AS u(tenant_id, device_id, driver_id, "
    "fix_time, device_time, server_time, latitude, longitude, speed, course, altitude, "
    "accuracy, battery, valid, attributes) ON CONFLICT (device_id, fix_time) DO NOTHING"
)
def arrays(rows):
    F = W._floats
    return [[r.tenant_id for r in rows], [r.device_id for r in rows], [r.driver_id for r in rows],
            [r.fix_time for r in rows], [r.device_time for r in rows],
            [r.server_time for r in rows], F(r.latitude for r in rows),
            F(r.longitude for r in rows), F(r.speed for r in rows), F(r.course for r in rows),
            F(r.altitude for r in rows), F(r.accuracy for r in rows),
            F(r.battery for r in rows), [bool(r.valid) for r in rows],
            [W._attributes_json(r.attributes) for r in rows]]

from logitrack.tracking.partitions import existing_partitions, partition_name
PARTS = existing_partitions()
def make_unnest(direct):
    def run(rows, seen):
        table = "tracking_position"
        if direct:
            days = {r.fix_time.astimezone(dt.UTC).date() for r in rows}
            name = partition_name(next(iter(days)))
            table = name if len(days) == 1 and name in PARTS else table
        with W._pg_cursor() as cur:
            cur.execute(UNNEST.format(table=table), arrays(rows), prepare=True, binary=True)
            inserted = cur.rowcount
            W._latest_and_seen_postgres(cur, rows, seen)
        return inserted
    return run

VARIANTS = {"values": values_variant, "unnest": make_unnest(False), "copy": W._write_postgres,
            "unnest-partition": make_unnest(True)}
names = os.environ["VARIANTS"].split(",")
devices = json.loads(os.environ["DEVS"]); n = int(os.environ["NROWS"])
today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
now = dt.datetime.now(dt.UTC)

def rows_for(second0, first, count):
    # Rows first..first+count of a sequence: every device in turn, one fix per second each.
    nd = len(devices)
    return [PositionRow(tenant_id=d["tenant"], device_id=d["id"], driver_id=None,
        fix_time=today + dt.timedelta(seconds=second0 + i // nd), device_time=None,
        server_time=now, latitude=10.77, longitude=106.7, speed=5.1, course=90.0,
        attributes={"batt": 80} if i % 3 == 0 else {})
        for i, d in ((i, devices[i % nd]) for i in range(first, first + count))]

connection.ensure_connection()
with connection.cursor() as c:
    c.execute("SELECT pg_backend_pid()")
    backend = c.fetchone()[0]
ticks = os.sysconf("SC_CLK_TCK")
def server_cpu():
    fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / ticks

span = n // len(devices) + 1
out = {}
for size_index, per in enumerate(int(p) for p in os.environ["PER"].split(",")):
    stats = {name: [0.0, 0.0, 0.0, 0] for name in names}
    seens = {name: {} for name in names}  # as the writer's: last_seen_at every 30 s per device
    first = {}
    for k in range(0, n, per):
        for slot, name in enumerate(names):
            rows = rows_for((size_index * len(names) + slot) * span, k, min(per, n - k))
            first.setdefault(name, rows)
            w0 = time.perf_counter(); c0 = time.process_time(); s0 = server_cpu()
            with transaction.atomic():
                got = VARIANTS[name](rows, seens[name])
            st = stats[name]
            st[0] += time.perf_counter() - w0; st[1] += time.process_time() - c0
            st[2] += server_cpu() - s0; st[3] += got
    again = {}
    for name in names:
        with transaction.atomic():
            again[name] = VARIANTS[name](first[name], {})
    out[per] = {"stats": stats, "again": again}
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM tracking_position WHERE jsonb_typeof(attributes) <> 'object'")
    not_objects = c.fetchone()[0]
    c.execute("SELECT count(*) FROM tracking_position WHERE attributes = '{\"batt\": 80}'")
    with_batt = c.fetchone()[0]
print("RESULT=" + json.dumps({"sizes": out, "not_objects": not_objects,
                              "with_batt": with_batt}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--rows", type=int, default=60_000)
    parser.add_argument("--per", default="1000,50", help="rows per transaction; a list")
    parser.add_argument("--variants", default="values,unnest,copy,unnest-partition")
    args = parser.parse_args()
    import psycopg

    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"bench_writer_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(server, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with scratch("logitrack-bench-writer-") as root:
            site = Site(data_dir=root / "data", database_url=server.rsplit("/", 1)[0] + f"/{name}")
            site.prepare(args.devices)
            load0 = os.getloadavg()
            out = site.manage(
                "shell", "-c", RUN,
                extra={"DEVS": json.dumps(site.devices), "NROWS": str(args.rows),
                       "PER": args.per, "VARIANTS": args.variants},
                timeout=None,
            )  # fmt: skip
            load1 = os.getloadavg()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    result = json.loads(out.split("RESULT=")[1])
    print(
        f"postgres writer: {args.rows:,} rows per variant and transaction size, {args.devices} "
        f"devices; load average {load0[0]:.1f} before, {load1[0]:.1f} after"
    )
    for per, size in result["sizes"].items():
        stats, again = size["stats"], size["again"]
        base = stats["values"] if "values" in stats else next(iter(stats.values()))
        print(f" transactions of {per} rows:")
        for variant, (wall, cpu, server_cpu, inserted) in stats.items():
            print(
                f"  {variant:17} {inserted / wall:7,.0f} rows/s wall; Python "
                f"{cpu / inserted * 1e6:5.1f} µs/row, server {server_cpu / inserted * 1e6:5.1f}"
                f" µs/row, together {(cpu + server_cpu) / inserted * 1e6:5.1f} µs/row; wall "
                f"ratio to values {(inserted / wall) / (base[3] / base[0]):.2f}, CPU ratio "
                f"{(base[1] + base[2]) / base[3] / ((cpu + server_cpu) / inserted):.2f}; "
                f"{inserted:,} inserted, {again[variant]} inserted again when resent"
            )
    print(
        f'  attributes stored: {result["with_batt"]:,} rows with {{"batt": 80}} (one in three '
        f"written), {result['not_objects']} that are not JSON objects"
    )


if __name__ == "__main__":
    main()
