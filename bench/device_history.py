"""One device's 24 hours of positions among ``--rows`` stored positions (PostgreSQL), read the
way Logitrack reads them, side by side with the raw SQL of the same query, in one run.

The database (``--database``, default a throw-away ``bench_history_<hex>`` dropped at the end)
is migrated and gets one tenant with ``--devices`` GPS devices, then ``--rows`` positions: every
device one fix every 10 s, ending at today's 00:00 UTC, generated on the server by
``INSERT ... SELECT`` over ``generate_series`` one UTC day (one partition) per statement, with
the foreign-key triggers off for the load (``session_replication_role = replica``: the rows are
made consistent by construction), then ``VACUUM (ANALYZE)``. A ``--database`` that already holds
the rows (``--keep`` leaves it) is reused without filling again.

Measured for the device in the middle of the id range, yesterday 00:00-24:00 UTC (8,640 fixes),
``--runs`` times each after one warm-up: median and p95 of wall milliseconds, median CPU
milliseconds of this process, and the mean CPU milliseconds of its PostgreSQL backend (read from
``/proc``: the server runs on this machine, 10 ms ticks averaged over the runs); the wall times
follow the machine's load, the CPU sums much less so:

- ``raw SQL``: the exact SQL the selector sends, with psycopg's own cursor (``fetchall``);
- ``selector``: ``selectors.device_positions`` for the whole day, the rows the device page
  and the exports read (tuples of the columns shown, speed in km/h);
- ``ORM models`` (the previous way, for the ratio): ``Position`` instances for the day;
- ``page``: ``GET`` of the device's position page for that day through Django's full stack
  (session, tenant, permission, the selector's first ``PAGE_SIZE`` rows, the day's totals,
  template rendering);
- ``template with the whole day``: not a served path; the page's template rendered with all
  8,640 rows instead of ``PAGE_SIZE``, which is why the page is paged (3 runs: seconds each);
- ``CSV export``: ``GET`` of the day's CSV through the full stack, the streamed body consumed
  (access check, audit entry, every row);
- ``GPX export``: the same for GPX.

Like each process of the main site (``config/wsgi.py``), the bench freezes its heap once its
set-up is done and before the first timed path (``logitrack.core.heap.freeze_site_heap``: the
URLconf, template engines and languages loaded, one full collection, then ``gc.freeze``), so
that the garbage collector's full collections do not traverse the set-up's objects in the
middle of a timed call, as they no longer do in the server (docs/adr/0050). ``--no-freeze``
leaves the heap as it is, which is how the server ran before (medians alike; the selector's p95
115-148 ms against 37-45 ms frozen).

``EXPLAIN (ANALYZE, BUFFERS)`` of the selector's query is printed once, and the load average.

    .venv/bin/python bench/device_history.py --rows 1000000
    .venv/bin/python bench/device_history.py --rows 50000000 --database bench_history_50m --keep
    .venv/bin/python bench/device_history.py --rows 1000000 --no-freeze
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

STEP_S = 10
FILLED = "logitrack bench filled "


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _timed(runs: int, call: Callable[[], Any]) -> tuple[float, float, float, Any]:
    """(median wall ms, p95 wall ms, median CPU ms, last result) of ``runs`` calls after one
    warm-up call."""
    result = call()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), _p95(walls), statistics.median(cpus), result


def _fill(rows: int, tenant_id: int, ids: list[int], end: dt.datetime) -> float:
    """Insert ``rows`` positions (see the module docstring); the seconds it took."""
    from django.db import connection

    from logitrack.tracking.partitions import partitions_ensure

    per_device = rows // len(ids)
    start = end - dt.timedelta(seconds=per_device * STEP_S)
    partitions_ensure(behind=(end - start).days + 2, ahead=1)
    began = time.perf_counter()
    day = start
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        while day < end:
            upto = min(end, (day + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0))
            cursor.execute(
                """
                INSERT INTO tracking_position (tenant_id, device_id, fix_time, server_time,
                    latitude, longitude, speed, course, altitude, accuracy, battery, valid,
                    attributes)
                SELECT %s, d, t, t + interval '2 seconds',
                    10.0 + ((extract(epoch FROM t)::bigint / 10) %% 1000) / 10000.0,
                    106.7 + d %% 100 / 1000.0, 5.1, 90, 4.0, 5.0, 80, true, '{}'::jsonb
                FROM generate_series(%s::timestamptz, %s::timestamptz - interval '1 second',
                                     interval '10 seconds') AS t,
                     unnest(%s::bigint[]) AS d
                """,
                [tenant_id, day, upto, ids],
            )
            print(f"  filled {day:%Y-%m-%d %H:%M} .. {upto:%Y-%m-%d %H:%M} "
                  f"({time.perf_counter() - began:.0f} s)", flush=True)  # fmt: skip
            day = upto
        cursor.execute("SET session_replication_role = DEFAULT")
        loaded = time.perf_counter() - began
        cursor.execute("VACUUM (ANALYZE) tracking_position")
    return loaded


def _prepare(devices: int) -> tuple[Any, list[int]]:
    """The bench tenant's owner membership and its device ids (made on first use)."""
    from logitrack.accounts.models import User
    from logitrack.core.tenant import tenant_context
    from logitrack.tenancy.models import Membership, Tenant
    from logitrack.tenancy.principal import Principal
    from logitrack.tracking.models import Device
    from logitrack.tracking.services.devices import device_create

    tenant = Tenant.objects.filter(slug="bench-history").first()
    if tenant is None:
        tenant = Tenant.objects.create(
            name="Bench", slug="bench-history", tax_code="0312345678",
            street_address="1 Le Loi", province_code=79, ward_code=26506,
        )  # fmt: skip
        user = User.objects.create_user(
            email="bench-history@example.vn", password=None, full_name="Bench"
        )
        with tenant_context(tenant):
            member = Membership.objects.create(user=user, role="owner")
            principal = Principal.for_membership(user, member)
            for i in range(devices):
                device_create(
                    principal=principal, kind="gps_tracker", identifier=f"hist{i:05d}", name="d"
                )
    member = Membership.dangerously_unscoped.select_related("user").get(tenant=tenant)
    ids = list(
        Device.dangerously_unscoped.filter(tenant=tenant)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return member, ids


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database", default="")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--fill-only", action="store_true")
    parser.add_argument(
        "--no-freeze", action="store_true", help="do not freeze the heap after the set-up"
    )
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = args.database or f"bench_history_{uuid.uuid4().hex[:8]}"
    import psycopg

    admin = psycopg.connect(server, autocommit=True)
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = server.rsplit("/", 1)[0] + f"/{name}"
    data_dir = tempfile.mkdtemp(prefix="logitrack-history-")
    os.environ["LOGITRACK_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    try:
        return _run(args, name, admin)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(args: argparse.Namespace, name: str, admin: Any) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    member, ids = _prepare(args.devices)
    end = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    comment = admin.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
    ).fetchone()[0]
    if comment != f"{FILLED}{args.rows} {end:%Y-%m-%d}":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tracking_position")
            if cursor.fetchone()[0]:
                cursor.execute("TRUNCATE tracking_position")
        print(f"filling {args.rows:,} positions, load average {os.getloadavg()}", flush=True)
        loaded = _fill(args.rows, member.tenant_id, ids, end)
        print(f"fill: {args.rows:,} rows in {loaded:.0f} s ({args.rows / loaded:,.0f} rows/s)")
        admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{FILLED}{args.rows} {end:%Y-%m-%d}'")
    if args.fill_only:
        return 0
    _measure(args.runs, member, ids, end, freeze=not args.no_freeze)
    return 0


def _backend_cpu_ms(pid: int) -> float:
    """CPU milliseconds the PostgreSQL backend ``pid`` has used (it runs on this machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _measure(  # noqa: PLR0915
    runs: int, member: Any, ids: list[int], end: dt.datetime, *, freeze: bool = True
) -> None:
    import logging
    import zoneinfo

    from django.conf import settings
    from django.db import connection

    from logitrack.core.testing import HttpsClient
    from logitrack.tenancy.tests.factories import sign_in
    from logitrack.tracking import exports, selectors
    from logitrack.tracking.models import Device, Position

    # Static URLs without a collected manifest, as in the test settings (a dict lookup either way).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    logging.disable(logging.WARNING)  # no request log line per call
    device = Device.dangerously_unscoped.get(pk=ids[len(ids) // 2])
    since = end - dt.timedelta(hours=24)
    zone = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
    member.user.time_zone = zone.key
    member.user.save(update_fields=["time_zone"])
    client = HttpsClient(HTTP_HOST="localhost")
    sign_in(client, member)
    day = {
        "since": since.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "until": end.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
    }
    base = f"/operations/devices/{device.pk}/positions"

    sent: list[tuple[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sent.append((sql, params))
        return execute(sql, params, many, context)

    def selector() -> list[Any]:
        return selectors.device_positions(
            device=device, since=since, until=end, shape=selectors.ExportRow
        )

    with connection.execute_wrapper(record):
        expected = selector()
    sql, params = sent[-1]
    connection.ensure_connection()
    raw = connection.connection
    backend = connection.cursor().connection.info.backend_pid

    def raw_sql() -> list[Any]:
        with raw.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    def models() -> list[Any]:
        return list(
            Position.dangerously_unscoped.filter(
                tenant_id=device.tenant_id, device_id=device.pk, fix_time__gte=since,
                fix_time__lt=end,
            ).order_by("fix_time")
        )  # fmt: skip

    def export_rows() -> list[Any]:
        return list(
            exports.positions_in_range(
                device=device, since=since, until=end, shape=selectors.ExportRow
            )
        )

    def page_queries() -> tuple[Any, Any]:
        return selectors.device_positions(
            device=device, since=since, until=end, shape=selectors.PageRow, limit=51,
            newest_first=True,
        ), selectors.device_positions_totals(device=device, since=since, until=end)  # fmt: skip

    def page() -> bytes:
        response = client.get(base + "/", day)
        assert response.status_code == 200, response.status_code
        return bytes(response.content)

    def download(fmt: str) -> Callable[[], bytes]:
        def get() -> bytes:
            response = client.get(f"{base}.{fmt}", day)
            assert response.status_code == 200, response.status_code
            return b"".join(response.streaming_content)  # type: ignore[attr-defined]

        return get

    day_rows = selectors.device_positions(
        device=device, since=since, until=end, shape=selectors.PageRow, newest_first=True
    )
    request = client.get(base + "/", day).wsgi_request

    def whole_day_rendered() -> bytes:
        """Not served (the page shows PAGE_SIZE rows): the same template with every row of the
        day, to show why the page is paged."""
        from logitrack.core.tenant import tenant_context
        from logitrack.tracking.views.common import render_page

        with tenant_context(member.tenant):
            response = render_page(
                request,
                "positions.html",
                {"device": device, "rows": day_rows, "totals": page_queries()[1]},
            )
        return bytes(response.content)

    paths: list[tuple[str, Callable[[], Any]]] = [
        ("raw SQL (psycopg fetchall)", raw_sql),
        ("selector, whole day (tuples)", selector),
        ("ORM models, whole day (before)", models),
        ("export rows (selector by chunks)", export_rows),
        ("page queries (51 rows + totals)", page_queries),
        ("page GET, rendered", page),
        ("template with the whole day (not served)", whole_day_rendered),
        ("CSV export GET, whole body", download("csv")),
        ("GPX export GET, whole body", download("gpx")),
    ]
    print(
        f"one device's 24 h: {len(expected):,} positions of device {device.pk}, "
        f"{since:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M} UTC; {runs} runs each after one warm-up"
    )
    print(f"load average at start {os.getloadavg()}")
    assert len(raw_sql()) == len(expected) == len(export_rows()) == len(models())
    if freeze:  # as config/wsgi.py does once the application is made
        from logitrack.core.heap import freeze_site_heap

        print(f"heap frozen after the set-up: {freeze_site_heap():,} objects")
    else:
        print("heap not frozen (--no-freeze)")
    print(
        f"{'path':<40} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>7} {'PG CPU':>7} "
        f"{'CPU sum':>8} {'x raw wall':>10} {'x raw CPU':>9}"
    )
    reference: tuple[float, float] | None = None
    for label, call in paths:
        server = _backend_cpu_ms(backend)
        times = 3 if call is whole_day_rendered else runs  # seconds a call: three suffice
        median, p95, cpu, result = _timed(times, call)
        server = (_backend_cpu_ms(backend) - server) / (times + 1)
        reference = reference or (median, cpu + server)
        size = f"  ({len(result):,} bytes)" if isinstance(result, bytes) else ""
        print(
            f"{label:<40} {median:>9.1f} {p95:>7.1f} {cpu:>7.1f} {server:>7.1f} "
            f"{cpu + server:>8.1f} {median / reference[0]:>10.2f} "
            f"{(cpu + server) / reference[1]:>9.2f}{size}"
        )
    with raw.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n  ".join(row[0] for row in cursor.fetchall())
    print(f"selector's query: {sql}\n  {plan}")
    print(f"load average at end {os.getloadavg()}")


if __name__ == "__main__":
    raise SystemExit(main())
