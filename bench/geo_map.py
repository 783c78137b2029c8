"""The live map's update payload for 5,000 devices of one tenant, server time per request, side
by side with a raw SELECT of the same rows, on SQLite and on PostgreSQL in one run (issue P5:
target 200 ms or less).

Each database (SQLite in a temporary data directory; PostgreSQL when ``DATABASE_URL`` or
``--database-url`` names a server, on a database of its own created and dropped) is migrated in
a child process of its own and gets one tenant with ``--devices`` GPS devices, each with a
latest position (``DeviceLatest``), every fifth assigned to a vehicle and every seventh to a
driver. Measured ``--runs`` times after one warm-up (median and p95 wall milliseconds):

- ``raw SELECT``: the exact SQL statements the selector sends (the tenant's thresholds, the open
  assignments, the latest positions joined with their devices), on the driver's own cursor,
  ``fetchall``: the floor;
- ``selector``: ``map.selectors.map_devices`` (rows as the map draws them);
- ``payload``: ``map.api.map_payload`` and its JSON encoding, what the endpoint sends;
- ``GET full``: ``GET /api/v1/map/devices`` through Django's full stack (session, tenant,
  permission, JSON) with every device: the first load;
- ``GET since``: the same with ``since`` after ``--changed`` devices moved: a poll.

Each line gives the ratio to the raw SELECT of the full snapshot.

    .venv/bin/python bench/geo_map.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/geo_map.py

``main(argv) -> list[str]`` returns the printed lines (bench/geo.py calls it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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

TARGET_MS = 200.0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _timed(runs: int, call: Callable[[], Any]) -> tuple[float, float]:
    call()
    walls = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        walls.append((time.perf_counter() - began) * 1000)
    return statistics.median(walls), _p95(walls)


def _seed(devices: int) -> tuple[Any, Any]:
    """The owner membership and principal of a tenant with ``devices`` placed devices."""
    from django.utils import timezone

    from logitrack.accounts.models import User
    from logitrack.core.tenant import tenant_context
    from logitrack.tenancy.models import Membership, Tenant
    from logitrack.tenancy.principal import Principal
    from logitrack.tracking.models import (
        Device,
        DeviceAssignment,
        DeviceLatest,
        Driver,
        Vehicle,
    )

    tenant = Tenant.objects.create(
        name="Bench map", slug="bench-map", tax_code="0312345678",
        street_address="1 Le Loi", province_code=79, ward_code=26506,
    )  # fmt: skip
    user = User.objects.create_user(email="bench-map@example.vn", password=None, full_name="B")
    now = timezone.now()
    with tenant_context(tenant):
        member = Membership.objects.create(user=user, role="owner")
        Device.objects.bulk_create(
            Device(
                tenant=tenant, kind="gps_tracker", identifier=f"map{i:05d}", name=f"Xe {i:05d}",
                token_prefix=f"b{i:07d}{uuid.uuid4().hex[:6]}", token_hash="0" * 64,
                last_seen_at=now - dt.timedelta(seconds=i % 1200),
            )
            for i in range(devices)
        )  # fmt: skip
        ids = list(Device.objects.order_by("pk").values_list("pk", flat=True))
        DeviceLatest.objects.bulk_create(
            DeviceLatest(
                tenant=tenant, device_id=pk, fix_time=now - dt.timedelta(seconds=i % 1200),
                server_time=now - dt.timedelta(minutes=5), latitude=9 + (i % 100) * 0.05,
                longitude=104 + (i // 100) * 0.05, speed=(i % 5) * 2.5, course=float(i % 360),
                battery=float(i % 101),
            )
            for i, pk in enumerate(ids)
        )  # fmt: skip
        vehicles = Vehicle.objects.bulk_create(
            Vehicle(tenant=tenant, plate=f"51C-{i:05d}") for i in range(0, devices, 5)
        )
        if vehicles and vehicles[0].pk is None:
            vehicles = list(Vehicle.objects.order_by("pk"))
        drivers = Driver.objects.bulk_create(
            Driver(tenant=tenant, full_name=f"Tài xế {i}") for i in range(0, devices, 7)
        )
        if drivers and drivers[0].pk is None:
            drivers = list(Driver.objects.order_by("pk"))
        assignments = [
            DeviceAssignment(tenant=tenant, device_id=ids[i], target="vehicle", vehicle=v,
                             started_at=now - dt.timedelta(days=1))
            for i, v in zip(range(0, devices, 5), vehicles, strict=False)
        ] + [
            DeviceAssignment(tenant=tenant, device_id=ids[i], target="driver", driver=d,
                             started_at=now - dt.timedelta(days=1))
            for i, d in zip(range(0, devices, 7), drivers, strict=False) if i % 5
        ]  # fmt: skip
        DeviceAssignment.objects.bulk_create(assignments)
        principal = Principal.for_membership(user, member)
    return member, principal


def child(args: argparse.Namespace) -> list[str]:  # noqa: PLR0915
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from logitrack.core.tenant import tenant_context
    from logitrack.core.testing import HttpsClient
    from logitrack.tenancy.tests.factories import sign_in
    from logitrack.tracking.map import selectors
    from logitrack.tracking.map.api import cursor_of
    from logitrack.tracking.models import Device, DeviceLatest

    call_command("migrate", verbosity=0)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    logging.disable(logging.WARNING)
    member, principal = _seed(args.devices)
    vendor = connection.vendor
    client = HttpsClient(HTTP_HOST="localhost")
    sign_in(client, member)

    with tenant_context(member.tenant):
        sent: list[tuple[str, Any]] = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            sent.append((sql, params))
            return execute(sql, params, many, context)

        now = timezone.now()
        with connection.execute_wrapper(record):
            rows = selectors.map_devices(principal=principal, now=now)
        assert len(rows) == args.devices, len(rows)
        connection.ensure_connection()
        raw = connection.connection
        # Django's SQLite backend turns its "%s" placeholders into sqlite3's "?" itself.
        statements = [
            (sql.replace("%s", "?") if vendor == "sqlite" else sql, params) for sql, params in sent
        ]
        if args.explain and vendor == "postgresql":
            for sql, params in statements:
                cursor = raw.cursor()
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\n".join(row[0] for row in cursor.fetchall()), file=sys.stderr)
                cursor.close()

        def raw_select() -> int:
            count = 0
            for sql, params in statements:
                cursor = raw.cursor()
                cursor.execute(sql, params)
                count += len(cursor.fetchall())
                cursor.close()
            return count

        def selector() -> int:
            return len(selectors.map_devices(principal=principal, now=timezone.now()))

        def payload() -> int:
            body = {
                "now": timezone.now().isoformat(),
                "devices": selectors.map_devices(principal=principal, now=timezone.now()),
            }
            return len(json.dumps(body, ensure_ascii=False))

        results = [
            ("raw SELECT (same rows)", _timed(args.runs, raw_select)),
            ("selector map_devices", _timed(args.runs, selector)),
            ("payload (rows + JSON)", _timed(args.runs, payload)),
        ]

    def get_full() -> int:
        response = client.get("/api/v1/map/devices")
        assert response.status_code == 200, response.status_code
        return len(response.content)

    size = get_full()
    results.append(("GET /api/v1/map/devices (full)", _timed(args.runs, get_full)))
    since = cursor_of(timezone.now())
    moved = list(
        Device.dangerously_unscoped.filter(tenant=member.tenant).values_list("pk", flat=True)[
            : args.changed
        ]
    )
    DeviceLatest.dangerously_unscoped.filter(device_id__in=moved).update(
        server_time=timezone.now() + dt.timedelta(seconds=1)
    )

    def get_since() -> int:
        response = client.get("/api/v1/map/devices", {"since": since})
        assert response.status_code == 200, response.status_code
        return len(json.loads(response.content)["devices"])

    changed = get_since()
    assert changed == args.changed, changed
    results.append((f"GET since ({changed} changed)", _timed(args.runs, get_since)))

    floor = results[0][1][0]
    lines = [
        f"live map, {vendor}: {args.devices:,} devices, full payload {size / 1024:,.0f} KiB, "
        f"{args.runs} runs, median / p95 ms, ratio to the raw SELECT (target <= {TARGET_MS:.0f} ms)"
    ]
    for label, (median, p95) in results:
        verdict = "" if median <= TARGET_MS else "  OVER TARGET"
        lines.append(f"  {label:<34} {median:8.1f} {p95:8.1f}   x{median / floor:5.1f}{verdict}")
    return lines


def _run_child(argv: list[str], database_url: str | None) -> list[str]:
    data_dir = tempfile.mkdtemp(prefix="logitrack-geo-map-")
    env = {
        **os.environ,
        "LOGITRACK_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    admin = None
    name = ""
    if database_url:
        import psycopg

        name = f"bench_geo_map_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(database_url, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = database_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", *argv],
            env=env, cwd=REPO, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            return [f"live map bench failed ({'postgresql' if database_url else 'sqlite'}):",
                    done.stderr[-3000:]]  # fmt: skip
        return done.stdout.strip().splitlines()
    finally:
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=5000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE on PostgreSQL")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> list[str]:
    args = _parser().parse_args(argv)
    passed = ["--devices", str(args.devices), "--changed", str(args.changed),
              "--runs", str(args.runs)]  # fmt: skip
    lines = _run_child(passed, None)
    if args.database_url.startswith("postgres"):
        lines += _run_child(passed, args.database_url)
    else:
        lines.append("live map, postgresql: skipped (no DATABASE_URL)")
    return lines


if __name__ == "__main__":
    parsed = _parser().parse_args()
    if parsed.child:
        print("\n".join(child(parsed)))
    else:
        print("\n".join(main()))
