"""Bulk import of N orders (default 100,000) from one CSV file, against a raw ``executemany``.

For each database (a throw-away SQLite file; PostgreSQL at ``BENCH_POSTGRES_URL``, default
``postgres://postgres@127.0.0.1:5432/postgres``, when it answers, in a database made and dropped
for the run): the whole import as a user runs it, with the job run in-process
(django-tasks' ImmediateBackend): upload (type sniffing, reading, header search, encrypted
store), dry run (every row checked through the core's ``OrderInput``, addresses resolved from
2,000 distinct texts) and import (``valid_rows_only``, batches of 2,000 in bulk, each checked
and built one batch ahead of its writes, in a thread on PostgreSQL: ADR 0051). The baseline
inserts the same N rows, already parsed, into a plain table of the same columns with one
``executemany`` in one transaction: no checks, no encryption, no shipments. Prints rows/s of
each phase and of the whole, and the ratio to the baseline: wall seconds (what a user waits,
from the upload to the last batch; the job runs in-process, so no queue wait is counted) and the
bench process's CPU seconds (what the code costs on a shared machine). On PostgreSQL the
server backend's CPU (read from /proc: the server must run on this machine) is added in a
separate line, since COPY, indexes and constraints are worked there.

    .venv/bin/python bench/import_orders.py [N]
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
N = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
TARGET = 5000
PER_ROW_SAMPLE = 500
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Per run: two benches on one server (a shared machine) must not drop each other's database.
BENCH_DB = f"logitrack_bench_import_{os.getpid()}"

WARDS = [
    ("Phường Sài Gòn", "TP.HCM"),
    ("Phường Bến Thành", "Thành phố Hồ Chí Minh"),
    ("Phường Ba Đình", "Hà Nội"),
    ("Phường Hoàn Kiếm", "Hà Nội"),
]


def make_csv(n: int) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["CÔNG TY TNHH SHOP HOA MAI - DANH SÁCH ĐƠN HÀNG"])
    writer.writerow([])
    writer.writerow(
        [
            "Mã đơn hàng",
            "Họ tên người nhận (*)",
            "Số điện thoại (*)",
            "Địa chỉ (*)",
            "Khối lượng (gram)",
            "Tiền thu hộ (COD)",
            "Tên sản phẩm",
            "Số lượng",
            "Dịch vụ",
        ]
    )
    for i in range(n):
        ward, province = WARDS[i % len(WARDS)]
        writer.writerow(
            [
                f"DH{i:07d}",
                f"Nguyễn Văn {i % 997}",
                f"9{i % 100_000_000:08d}",  # stored as a number: the leading 0 is lost
                f"{i % 500} Lê Lợi, {ward}, {province}",
                100 + i % 5000,
                f"{(i % 200) * 5000:,}".replace(",", "."),
                "Áo thun",
                1 + i % 3,
                ("Tiêu chuẩn", "Nhanh", "Hỏa tốc")[i % 3],
            ]
        )
    return out.getvalue().encode("utf-8")


def _postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(POSTGRES, connect_timeout=3, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
        return True
    except Exception:
        return False


def _drop_postgres() -> None:
    import psycopg

    with psycopg.connect(POSTGRES, connect_timeout=3, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def _backend_cpu_reader(connection: Any) -> Callable[[], float]:
    """A function giving the CPU seconds of this connection's PostgreSQL backend process so far
    (user + system, from /proc: the server runs on this machine), or -1 when not readable."""
    pid = None
    if getattr(connection, "vendor", "") == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return -1.0
        return (int(fields[11]) + int(fields[12])) / ticks

    return read if pid is not None else (lambda: -1.0)


def main() -> None:
    print(f"import of {N:,} orders from one CSV file (target >= {TARGET:,} rows/s)")
    data_dir = Path(tempfile.mkdtemp(prefix="logitrack-bench-import-"))
    runs = [("SQLite", f"sqlite:///{data_dir / 'bench.sqlite3'}")]
    if _postgres_reachable():
        base = POSTGRES.rsplit("/", 1)[0]
        runs.append(("PostgreSQL", f"{base}/{BENCH_DB}"))
    else:
        print("PostgreSQL: not reachable at BENCH_POSTGRES_URL, skipped")
    try:
        for label, url in runs:
            env = dict(os.environ, DATABASE_URL=url, LOGITRACK_DATA_DIR=str(data_dir))
            print(f"{label}: starting, load average {os.getloadavg()[0]:.2f}", flush=True)
            subprocess.run([sys.executable, __file__, str(N), "--run", label], env=env, check=True)
    finally:
        if len(runs) > 1:
            _drop_postgres()


def run(label: str) -> None:  # noqa: PLR0915
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    settings.IMPORT_MAX_FILE_BYTES = 100 * 1024 * 1024
    call_command("migrate", verbosity=0)

    from logitrack.core.tenant import tenant_context
    from logitrack.imports import cells
    from logitrack.imports.models import ImportJob
    from logitrack.imports.reading import read_sheet
    from logitrack.imports.rows import locate_header, parse_rows
    from logitrack.imports.services import import_mapping_confirm, import_run, import_upload
    from logitrack.logistics.models import Order, Shipment
    from logitrack.logistics.tests.factories import make_shipper
    from logitrack.tenancy.roles import Role
    from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for

    data = make_csv(N)
    tenant = make_tenant()
    principal = principal_for(make_member(tenant, Role.DISPATCHER))
    shipper = make_shipper(tenant)

    backend_cpu = _backend_cpu_reader(connection)
    cpu = time.process_time
    b0 = backend_cpu()
    with tenant_context(tenant):
        t0, c0 = time.perf_counter(), cpu()
        job = import_upload(
            principal=principal, file_name="orders.csv", data=data, shipper_id=shipper.pk
        )
        t1, c1 = time.perf_counter(), cpu()
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        t2, c2 = time.perf_counter(), cpu()
        job = ImportJob.objects.get(pk=job.pk)
        assert job.invalid_rows == 0, job.report[:3]
        import_run(principal=principal, job=job, mode="valid_rows_only")
        t3, c3 = time.perf_counter(), cpu()
        b3 = backend_cpu()
        job = ImportJob.objects.get(pk=job.pk)
        orders = Order.objects.count()
        shipments = Shipment.objects.count()
    assert job.created_orders == N == orders == shipments, (job.status, job.error_code, orders)

    # The baseline: the same rows, parsed, into a plain table with one executemany.
    sheet = read_sheet(data)
    header = locate_header(sheet)
    rows = parse_rows(sheet, header, header.mapping).rows
    values = [
        (
            r.reference,
            r.consignee_name,
            r.consignee_phone,
            r.address,
            r.weight_grams,
            r.cod_amount,
            r.item_description,
            r.quantity,
            r.service_level,
        )
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_raw_orders (id integer PRIMARY KEY, reference varchar(100), "
            "name varchar(200), phone varchar(20), address varchar(500), weight_g integer, "
            "cod bigint, description varchar(300), quantity integer, service varchar(16))"
            if connection.vendor == "sqlite"
            else "CREATE TABLE bench_raw_orders (id serial PRIMARY KEY, reference varchar(100), "
            "name varchar(200), phone varchar(20), address varchar(500), weight_g integer, "
            "cod bigint, description varchar(300), quantity integer, service varchar(16))"
        )
    r0, rc0, rb0 = time.perf_counter(), cpu(), backend_cpu()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_raw_orders (reference, name, phone, address, weight_g, cod, "
            "description, quantity, service) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            values,
        )
    raw, raw_cpu = time.perf_counter() - r0, cpu() - rc0
    raw_backend = backend_cpu() - rb0
    assert cells  # the parsing module is the one the import used

    # The core's per-order service on the same inputs, for the record (a sample of the rows).
    from logitrack.imports.orders import prepare_orders
    from logitrack.imports.rows import OrderRow
    from logitrack.logistics.services.orders import order_create

    sample = min(N, PER_ROW_SAMPLE)
    with tenant_context(tenant):
        copies = [
            OrderRow(**{**vars(r), "reference": r.reference + "-core"}) for r in rows[:sample]
        ]
        inputs, _issues = prepare_orders(job, copies)
        s0, sc0 = time.perf_counter(), cpu()
        for _row, data in inputs:
            order_create(actor=principal, data=data, source="import")
        per_row, per_row_cpu = time.perf_counter() - s0, cpu() - sc0

    total, total_cpu = t3 - t0, c3 - c0
    lines = [
        ("upload (read, find header, encrypt, store)", t1 - t0, c1 - c0, N),
        (f"dry run (check {N:,} rows)", t2 - t1, c2 - c1, N),
        ("import (create orders in bulk)", t3 - t2, c3 - c2, N),
        ("whole import", total, total_cpu, N),
        ("raw executemany of the same rows", raw, raw_cpu, N),
        (f"core order_create, one by one ({sample:,} rows)", per_row, per_row_cpu, sample),
    ]
    # The machine may be shared: CPU seconds of this process say what the code costs, wall
    # seconds what a user waited (they differ by the time other processes had the cores).
    print(f"{label}: (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    print(
        f"  {'':<48} {'wall s':>8} {'rows/s':>9} {'CPU s':>8} {'rows/CPU-s':>11} {'CPU us/row':>11}"
    )
    for name, seconds, cpu_seconds, rows_done in lines:
        print(
            f"  {name:<48} {seconds:8.2f} {rows_done / seconds:9,.0f} {cpu_seconds:8.2f} "
            f"{rows_done / max(cpu_seconds, 1e-9):11,.0f} {cpu_seconds / rows_done * 1e6:11,.1f}"
        )
    verdict = "met" if N / total >= TARGET else "NOT met"
    cpu_verdict = "met" if N / total_cpu >= TARGET else "NOT met"
    print(
        f"  ratio whole import / raw executemany: wall {raw / total:.4f} (import "
        f"{total / raw:.0f}x slower), CPU {raw_cpu / total_cpu:.4f}; import step alone: wall "
        f"{raw / (t3 - t2):.4f}, CPU {raw_cpu / (c3 - c2):.4f}"
    )
    if connection.vendor == "postgresql" and min(b0, b3, rb0) >= 0:
        # The CPU above is this process's; PostgreSQL's backend (COPY, indexes, constraints)
        # works in its own process on the same machine: both counted here.
        print(
            f"  with the PostgreSQL backend's CPU: whole import {total_cpu + b3 - b0:.2f} CPU s "
            f"({N / (total_cpu + b3 - b0):,.0f} rows/CPU-s), raw executemany "
            f"{raw_cpu + raw_backend:.2f} CPU s ({N / (raw_cpu + raw_backend):,.0f} rows/CPU-s)"
        )
    print(
        f"  target {TARGET:,} rows/s: wall {verdict} ({N / total:,.0f}), per CPU-second "
        f"{cpu_verdict} ({N / total_cpu:,.0f})"
    )


if __name__ == "__main__":
    if "--run" in sys.argv:
        run(sys.argv[sys.argv.index("--run") + 1])
    else:
        main()
