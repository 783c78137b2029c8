"""A device's position export: the streamed CSV and GPX of logitrack.tracking.exports against
the plain alternative (every row read into a list, then one document built in memory), on the
same rows in the same run.

It migrates a throw-away SQLite database (or the PostgreSQL database named by ``--pg``), stores
``--rows`` positions of one device one second apart, and for each way prints wall time, CPU
seconds and the peak Python heap (tracemalloc) of producing the whole document, and the ratios
streamed / plain. The streamed heap stays flat as the range grows; the plain one grows with it.

    .venv/bin/python bench/device_export.py --rows 200000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIELDS = ("fix_time", "latitude", "longitude", "speed", "course", "altitude", "accuracy", "battery")
sys.path.insert(0, str(REPO))


def _measure(label: str, produce: Callable[[], Iterable[bytes]]) -> tuple[float, float, int, int]:
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    size = sum(len(chunk) for chunk in produce())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"{label:<14} {wall:7.2f} s wall {cpu:7.2f} s CPU  "
        f"peak heap {peak / 1e6:7.1f} MB  {size / 1e6:6.1f} MB out"
    )
    return wall, cpu, peak, size


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL instead of SQLite")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="logitrack-export-")
    os.environ["LOGITRACK_DATA_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    if args.pg:
        os.environ["DATABASE_URL"] = args.pg
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from logitrack.accounts.models import User
    from logitrack.core.tenant import tenant_context
    from logitrack.tenancy.models import Membership, Tenant
    from logitrack.tenancy.principal import Principal
    from logitrack.tracking import exports, selectors
    from logitrack.tracking.models import Position
    from logitrack.tracking.services.devices import device_create

    call_command("migrate", verbosity=0)
    call_command("tracking_partitions", verbosity=0)
    tenant = Tenant.objects.create(
        name="Bench", slug=f"bench-{os.getpid()}", tax_code="0312345678",
        street_address="1 Le Loi", province_code=79, ward_code=26506,
    )  # fmt: skip
    user = User.objects.create_user(
        email=f"b{os.getpid()}@example.vn", password=None, full_name="B"
    )
    with tenant_context(tenant):
        member = Membership.objects.create(user=user, role="owner")
        device = device_create(
            principal=Principal.for_membership(user, member),
            kind="gps_tracker", identifier=f"export{os.getpid()}", name="=HYPERLINK(1)",
        ).device  # fmt: skip
        start = timezone.now().replace(microsecond=0) - dt.timedelta(seconds=args.rows)
        for first in range(0, args.rows, 10_000):
            Position.objects.bulk_create(
                Position(
                    tenant_id=tenant.pk,
                    device=device,
                    server_time=start,
                    fix_time=start + dt.timedelta(seconds=i),
                    latitude=10.7 + i * 1e-6,
                    longitude=106.6,
                    speed=8.0,
                    course=90.0,
                    altitude=4.0,
                    accuracy=5.0,
                    battery=80.0,
                )
                for i in range(first, min(first + 10_000, args.rows))
            )
    since, until = start, start + dt.timedelta(seconds=args.rows)
    zone = dt.UTC

    def rows() -> Iterator[selectors.ExportRow]:
        return exports.positions_in_range(
            device=device, since=since, until=until, shape=selectors.ExportRow
        )

    def points() -> Iterator[selectors.TrackPoint]:
        return exports.positions_in_range(
            device=device, since=since, until=until, shape=selectors.TrackPoint
        )

    def plain_csv() -> Iterable[bytes]:
        everything = list(
            Position.dangerously_unscoped.filter(
                device_id=device.pk, fix_time__gte=since, fix_time__lt=until
            )
            .order_by("fix_time")
            .values(*FIELDS)
        )
        out = io.StringIO()
        writer = csv.writer(out)
        for row in everything:
            writer.writerow([row[name] for name in FIELDS])
        return [out.getvalue().encode()]

    print(f"{args.rows} positions of one device, {'PostgreSQL' if args.pg else 'SQLite'}")
    print(f"load average at start: {os.getloadavg()}")
    header = ["fix time", "lat", "lon", "speed", "course", "alt", "acc", "battery"]
    streamed = _measure("streamed CSV", lambda: exports.csv_lines(rows(), header=header, zone=zone))
    plain = _measure("plain CSV", plain_csv)
    _measure("streamed GPX", lambda: exports.gpx_parts(points(), track_name="b", created=start))
    print(
        f"streamed/plain CSV: wall {streamed[0] / plain[0]:.2f}x, "
        f"CPU {streamed[1] / plain[1]:.2f}x, "
        f"peak heap {streamed[2] / plain[2]:.3f}x"
    )
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
