"""Trips and stops of one device-month (250,000 positions) on PostgreSQL and on SQLite, side by
side with a raw SELECT of the same rows; and the month's daily report from the daily summaries
side by side with recomputing it from the positions. One run prints both databases.

For each database (a child process each: ``DATABASE_URL``'s server gets a throw-away
``bench_trips_<hex>`` database, dropped at the end; SQLite a temporary file), the script
migrates, makes one tenant and one GPS device, and stores ``--rows`` positions through the
position writer (COPY on PostgreSQL): a realistic month of a delivery truck, one fix every
~10 s (30 days / rows), parked overnight and 10-120 minutes between drives with GPS jitter
(Gaussian, 8 m) and a reported speed below 1 km/h, driving 10-60 minutes at 20-70 km/h with a
wandering heading, and one impossible jump (a fix 500 km away) every 20,000 fixes. Then,
``--runs`` times each after one warm-up, the median wall milliseconds of:

- ``raw SELECT``: the loader's exact SQL for the month, rows fetched (psycopg's binary cursor
  on PostgreSQL, Django's cursor on SQLite), nothing else: the floor;
- ``trips and stops``: ``geo.trips.device_trips_and_stops`` for the month (the API's path:
  load into arrays with the context margins, plausibility, stops, trips, clipping); its ratio
  to the raw SELECT, and the target (<= 2 s on PostgreSQL);
- ``daily summaries derived``: ``geo.daily.device_days_derive`` from the month's first day
  (what the minute job does after a month-old replay: every day re-derived and written);
- ``daily report, summaries``: ``tracking.reports.daily_report`` for the device over the month
  (what the API and page read), against ``daily report, recomputed``: the same 30 days from
  the positions (load, derive, clip per day), and their ratio.

    .venv/bin/python bench/geo_trips.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/geo_trips.py
    .venv/bin/python bench/geo_trips.py --only sqlite --rows 50000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DAYS = 30
M_PER_DEG = 111_000.0


def _median_ms(runs: int, call: Callable[[], Any]) -> tuple[float, Any]:
    result = call()
    walls = []
    for _ in range(runs):
        began = time.perf_counter()
        result = call()
        walls.append((time.perf_counter() - began) * 1000)
    return statistics.median(walls), result


def month_of_fixes(rows: int, start: dt.datetime) -> list[tuple[dt.datetime, float, float, float]]:
    """``rows`` fixes (time, lat, lon, speed m/s) of a truck's month (module docstring)."""
    rng = random.Random(20261201)
    step = DAYS * 86400 / rows
    fixes: list[tuple[dt.datetime, float, float, float]] = []
    t = 0.0
    lat, lon, heading = 10.77, 106.69, 0.0
    while len(fixes) < rows:
        local_hour = ((t / 3600) + 7 + start.hour) % 24
        park_s = (
            (30 - local_hour) % 24 * 3600 if local_hour >= 20 else rng.uniform(600, 7200)
        )  # overnight until 06:00, else 10-120 minutes
        parked_until = t + park_s
        while t < parked_until and len(fixes) < rows:
            fixes.append(
                (
                    start + dt.timedelta(seconds=t),
                    lat + rng.gauss(0, 8) / M_PER_DEG,
                    lon + rng.gauss(0, 8) / M_PER_DEG,
                    rng.uniform(0, 0.25),
                )
            )
            t += step
        driving_until = t + rng.uniform(600, 3600)
        speed = rng.uniform(20, 70) / 3.6
        while t < driving_until and len(fixes) < rows:
            speed = min(25.0, max(3.0, speed + rng.gauss(0, 1)))
            heading += rng.gauss(0, 0.15)
            lat += math.cos(heading) * speed * step / M_PER_DEG
            lon += math.sin(heading) * speed * step / M_PER_DEG
            lat = min(max(lat, 9.0), 12.0)
            lon = min(max(lon, 105.0), 108.0)
            fixes.append((start + dt.timedelta(seconds=t), lat, lon, speed))
            t += step
    for index in range(10_000, rows, 20_000):  # impossible jumps: 500 km away
        when, a, b, s = fixes[index]
        fixes[index] = (when, a + 4.5, b, s)
    return fixes


def child(args: argparse.Namespace) -> dict[str, Any]:  # noqa: PLR0915
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from logitrack.accounts.models import User
    from logitrack.core.tenant import tenant_context
    from logitrack.tenancy.models import Membership, Tenant
    from logitrack.tenancy.principal import Principal
    from logitrack.tracking.geo.daily import day_start, device_days_derive
    from logitrack.tracking.geo.trips import (
        _PG_TRACK,
        _SQLITE_TRACK,
        CONTEXT,
        Thresholds,
        _sqlite_stamp,
        clip,
        derive,
        device_trips_and_stops,
        load_track,
    )
    from logitrack.tracking.ingest.writer import PositionRow, write_positions
    from logitrack.tracking.reports import daily_report
    from logitrack.tracking.services.devices import device_create

    tenant = Tenant.objects.create(
        name="Bench", slug="bench-trips", tax_code="0312345678",
        street_address="1 Le Loi", province_code=79, ward_code=26506,
    )  # fmt: skip
    user = User.objects.create_user(email="bench-trips@example.vn", password=None, full_name="B")
    with tenant_context(tenant):
        member = Membership.objects.create(user=user, role="owner")
        principal = Principal.for_membership(user, member)
        device = device_create(
            principal=principal, kind="gps_tracker", identifier="bench-truck", name="Xe tải"
        ).device
    first_day = (dt.datetime.now(dt.UTC) - dt.timedelta(days=DAYS + 2)).date()
    start = day_start(first_day)
    end = start + dt.timedelta(days=DAYS)
    if connection.vendor == "postgresql":
        from logitrack.tracking.partitions import partitions_ensure

        partitions_ensure(behind=DAYS + 4, ahead=1)
    fixes = month_of_fixes(args.rows, start)
    began = time.perf_counter()
    from django.db import transaction

    for offset in range(0, len(fixes), 5000):
        with transaction.atomic():
            write_positions(
                [
                    PositionRow(
                        tenant_id=tenant.pk,
                        device_id=device.pk,
                        driver_id=None,
                        fix_time=when,
                        device_time=None,
                        server_time=when,
                        latitude=lat,
                        longitude=lon,
                        speed=speed,
                    )
                    for when, lat, lon, speed in fixes[offset : offset + 5000]
                ]
            )
    loaded_s = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) tracking_position")

    since, until = start - CONTEXT, end + CONTEXT

    def raw_select() -> int:
        if connection.vendor == "postgresql":
            import psycopg

            with psycopg.Cursor(connection.connection) as cursor:
                cursor.execute(_PG_TRACK, [tenant.pk, device.pk, since, until], binary=True)
                return len(cursor.fetchall())
        with connection.cursor() as cursor:
            cursor.execute(
                _SQLITE_TRACK, [tenant.pk, device.pk, _sqlite_stamp(since), _sqlite_stamp(until)]
            )
            return len(cursor.fetchall())

    def trips() -> Any:
        return device_trips_and_stops(
            tenant_id=tenant.pk, device_id=device.pk, start=start, end=end
        )

    def load() -> Any:
        return load_track(tenant_id=tenant.pk, device_id=device.pk, since=since, until=until)

    def derive_days() -> int:
        return device_days_derive(tenant_id=tenant.pk, device_id=device.pk, since=start)

    def report_from_summaries() -> Any:
        with tenant_context(tenant):
            return daily_report(
                principal=principal,
                start=first_day,
                end=first_day + dt.timedelta(days=DAYS - 1),
                device=device,
            )

    def report_recomputed() -> list[Any]:
        track = load()
        derivation = derive(track, Thresholds.of_tenant(tenant.pk))
        return [
            clip(derivation, start=day_start(first_day + dt.timedelta(days=d)),
                 end=day_start(first_day + dt.timedelta(days=d + 1)))
            for d in range(DAYS)
        ]  # fmt: skip

    runs = args.runs
    raw_ms, count = _median_ms(runs, raw_select)
    load_ms, _ = _median_ms(runs, load)
    trips_ms, result = _median_ms(runs, trips)
    derive_ms, days = _median_ms(max(1, runs // 2), derive_days)
    summaries_ms, report = _median_ms(runs * 5, report_from_summaries)
    recomputed_ms, per_day = _median_ms(runs, report_recomputed)
    summed = sum(r.distance_m for r in per_day)
    return {
        "db": connection.vendor,
        "rows": count,
        "loaded_s": loaded_s,
        "raw_ms": raw_ms,
        "load_ms": load_ms,
        "trips_ms": trips_ms,
        "trips": len(result.trips),
        "stops": len(result.stops),
        "km": result.distance_m / 1000,
        "derive_ms": derive_ms,
        "days": days,
        "summaries_ms": summaries_ms,
        "recomputed_ms": recomputed_ms,
        "report_km": report.total.distance_m / 1000,
        "recomputed_km": summed / 1000,
    }


def _spawn(db: str, args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ)
    data_dir = tempfile.mkdtemp(prefix="logitrack-trips-")
    env["LOGITRACK_DATA_DIR"] = data_dir
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    admin = None
    name = f"bench_trips_{uuid.uuid4().hex[:8]}"
    if db == "postgresql":
        import psycopg

        server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        admin = psycopg.connect(server, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = server.rsplit("/", 1)[0] + f"/{name}"
    else:
        env.pop("DATABASE_URL", None)
    try:
        command = [sys.executable, __file__, "--child", "--rows", str(args.rows)]
        command += ["--runs", str(args.runs)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{db} run failed:\n{done.stderr[-4000:]}")
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def lines(args: argparse.Namespace) -> list[str]:
    """The figures of both databases (or ``--only`` one), as printed lines."""
    out = [
        f"trips and stops of one device-month ({args.rows:,} positions, {DAYS} days), "
        f"median of {args.runs} runs"
    ]
    for db in ("postgresql", "sqlite"):
        if args.only and args.only != db:
            continue
        r = _spawn(db, args)
        target = " (target <= 2,000 ms)" if db == "postgresql" else ""
        out += [
            f"[{db}] {r['rows']:,} rows read, stored in {r['loaded_s']:.1f} s",
            f"  raw SELECT of the month           {r['raw_ms']:9.1f} ms",
            f"  loaded into arrays                {r['load_ms']:9.1f} ms",
            f"  trips and stops (API path)        {r['trips_ms']:9.1f} ms  "
            f"x{r['trips_ms'] / r['raw_ms']:.2f} raw SELECT{target}: "
            f"{r['trips']} trips, {r['stops']} stops, {r['km']:.1f} km",
            f"  daily summaries derived ({r['days']} days) {r['derive_ms']:9.1f} ms",
            f"  daily report, summaries           {r['summaries_ms']:9.2f} ms  "
            f"({r['report_km']:.1f} km)",
            f"  daily report, recomputed          {r['recomputed_ms']:9.1f} ms  "
            f"({r['recomputed_km']:.1f} km): "
            f"summaries x{r['recomputed_ms'] / r['summaries_ms']:.0f} faster",
        ]
    return out


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=["postgresql", "sqlite"], default="")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args)))
        return []
    return lines(args)


if __name__ == "__main__":
    for line in main():
        print(line, flush=True)
