"""The order import's build-ahead step attacked (ADR 0051): interrupted or cut off from its
database it still ends ``failed`` with its upload deleted and no thread left; overlapping
imports give the process its switch interval back; two tenants importing at once (one after
the other, and interleaved in two threads on PostgreSQL) each seal, number and write only
their own rows; odd text and money are refused by the checks, as ``order_create`` refuses
them, before any COPY; ``all_or_nothing`` with thousands of rows is all or nothing."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections
from pydantic import ValidationError

from logitrack.core.tenant import tenant_context
from logitrack.imports import orders as import_orders
from logitrack.imports import pipeline
from logitrack.imports.models import ImportJob, ImportStatus
from logitrack.imports.tests.sheets import csv_bytes
from logitrack.imports.tests.test_build_ahead import (
    HEADERS,
    THREADED,
    VENDOR,
    _checked,
    _count,
    _dispatcher,
    _events_match_their_parcels,
    _own_data_dir,  # noqa: F401 - autouse fixture
    _run,
    _switch_interval,  # noqa: F401 - autouse fixture
    _threaded,
    row,
)
from logitrack.logistics.errors import OrderInvalid
from logitrack.logistics.inputs import OrderInput
from logitrack.logistics.limits import MONEY_MAX_VND
from logitrack.logistics.models import LogisticsSettings, Order, Shipment
from logitrack.logistics.services.orders import order_create

pytestmark = pytest.mark.django_db(transaction=True)
# PostgreSQL-only cases; SQLite's side of each is covered as said.
KILLS_SESSION = pytest.mark.skipif(
    VENDOR != "postgresql",
    reason="pg_terminate_backend ends a server session; SQLite runs in the process and has no "
    "session another connection could end",
)
TWO_WRITERS = pytest.mark.skipif(
    VENDOR != "postgresql",
    reason="SQLite admits one writer at a time; on it the two tenants import one after the "
    "other (test_two_tenants_importing_one_after_the_other_*)",
)


def _job(pk: int) -> ImportJob:
    job: ImportJob = ImportJob.dangerously_unscoped.get(pk=pk)
    return job


def _uploads() -> list[Path]:
    return sorted((Path(settings.DATA_DIR) / "imports").glob("*"))


def _build_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("logitrack-import-build")]


# 1. Interrupted, or cut off from the database --------------------------------------------------


@THREADED
@pytest.mark.parametrize("where", ["build_batch", "write_batch"])
def test_an_interrupted_import_ends_failed_with_its_upload_deleted_and_no_thread_left(
    monkeypatch: pytest.MonkeyPatch, threaded: bool, where: str
) -> None:
    dispatcher = _dispatcher()
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    job = _checked(dispatcher, [row(n) for n in range(1, 7)])
    assert _uploads()
    before = sys.getswitchinterval()
    _threaded(monkeypatch, threaded)
    original = getattr(import_orders, where)
    calls: list[int] = []

    def interrupted(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # the second batch (built ahead, or being written)
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(import_orders, where, interrupted)

    with pytest.raises(KeyboardInterrupt):
        _run(dispatcher, job, "valid_rows_only")

    done = _job(job.pk)
    assert (done.status, done.error_code) == (ImportStatus.FAILED, "import_failed")
    assert done.file_key == ""
    assert done.created_orders == 2  # the first batch, committed; nothing of the second
    assert _count(dispatcher[0]) == (2, 2, 2, 2)
    assert _uploads() == []
    assert _build_threads() == []
    assert sys.getswitchinterval() == before


def _terminate_own_backend() -> None:
    """The job's connection closed by the server (as by a restart), from another session."""
    import psycopg

    pid = connection.connection.info.backend_pid
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
        dbname=db["NAME"], autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@KILLS_SESSION
@pytest.mark.parametrize(
    ("mode", "where"),
    [
        ("valid_rows_only", "build_context"),  # outside any transaction
        ("all_or_nothing", "prepare_context"),  # the checks, outside the writes' transaction
        ("valid_rows_only", "write_batch"),  # the second batch's transaction
        ("all_or_nothing", "write_batch"),
    ],
)
def test_a_connection_closed_by_the_server_mid_import_fails_the_job_and_keeps_batches_whole(
    monkeypatch: pytest.MonkeyPatch, mode: str, where: str
) -> None:
    dispatcher = _dispatcher()
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    job = _checked(dispatcher, [row(n) for n in range(1, 7)])
    _threaded(monkeypatch, True)
    original = getattr(import_orders, where)
    calls: list[int] = []

    def cut_off(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == (2 if where == "write_batch" else 1):
            _terminate_own_backend()
        return original(*args, **kwargs)

    monkeypatch.setattr(import_orders, where, cut_off)

    done = _run(dispatcher, job, mode)

    assert (done.status, done.error_code) == (ImportStatus.FAILED, "import_failed")
    assert done.file_key == ""
    stored = 2 if (mode, where) == ("valid_rows_only", "write_batch") else 0
    assert done.created_orders == stored
    assert _count(dispatcher[0]) == (stored,) * 4
    assert _uploads() == []
    assert _build_threads() == []


@KILLS_SESSION
def test_a_connection_terminated_while_batches_are_written_leaves_only_whole_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Killed from another session at a moment of its own (the first batch seen committed)."""
    dispatcher = _dispatcher()
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 50)
    job = _checked(dispatcher, [row(n) for n in range(1, 1001)])
    _threaded(monkeypatch, True)
    pids: list[int] = []
    original = import_orders.write_batch

    def noting_the_backend(*args: Any) -> Any:
        pids.append(connection.connection.info.backend_pid)
        return original(*args)

    monkeypatch.setattr(import_orders, "write_batch", noting_the_backend)

    def killer() -> None:
        import psycopg

        db = settings.DATABASES["default"]
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
            dbname=db["NAME"], autocommit=True,
        ) as other:  # fmt: skip
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                found = other.execute(
                    "SELECT created_orders FROM imports_importjob WHERE id = %s", [job.pk]
                ).fetchone()
                if found and found[0] and pids:
                    other.execute("SELECT pg_terminate_backend(%s)", [pids[-1]])
                    return
                time.sleep(0.002)

    thread = threading.Thread(target=killer)
    thread.start()
    done = _run(dispatcher, job, "valid_rows_only")
    thread.join()

    assert (done.status, done.file_key) == (ImportStatus.FAILED, "")
    count = _count(dispatcher[0])
    assert 0 < done.created_orders < 1000
    assert count == (done.created_orders,) * 4
    assert done.created_orders % 50 == 0  # whole batches only
    assert _build_threads() == []


# 2. The switch interval with two imports at once ----------------------------------------------


def test_overlapping_imports_give_the_process_its_switch_interval_back() -> None:
    before = sys.getswitchinterval()
    first = pipeline._switching_every(pipeline.BUILD_SWITCH_INTERVAL)
    second = pipeline._switching_every(pipeline.BUILD_SWITCH_INTERVAL)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first import ends while the second still runs
    assert sys.getswitchinterval() == pytest.approx(pipeline.BUILD_SWITCH_INTERVAL)
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before
    assert pipeline._SWITCHING == []


# 3. Two tenants -------------------------------------------------------------------------------


def _own_rows_only(dispatcher: Any, job: ImportJob, count: int) -> None:
    """Every order of the tenant is this job's, opens under the tenant's own keys (sealed under
    another's, the ORM refuses it: wrong_owner), and its parcels carry the tenant's prefix."""
    tenant = dispatcher[0]
    assert (job.status, job.created_orders) == (ImportStatus.DONE, count), job.report
    assert _count(tenant) == (count,) * 4
    with tenant_context(tenant):
        prefix = LogisticsSettings.objects.get().waybill_prefix
        for order in Order.objects.all():
            assert order.idempotency_key.startswith(f"import:{job.pk}:")
            assert order.tenant_id == tenant.pk
            assert order.consignee_name.startswith("Nguyễn Văn An")
            assert order in Order.objects.filter(consignee_phone=order.consignee_phone)
        assert all(s.waybill.startswith(prefix) for s in Shipment.objects.all())
    _events_match_their_parcels(tenant)


def _numbered(dispatcher: Any) -> None:
    """The tenant's numbering made first, so that the build draws its waybills ahead."""
    from django.db import transaction

    from logitrack.logistics.services.numbering import logistics_settings_for_update

    with tenant_context(dispatcher[0]), transaction.atomic():
        logistics_settings_for_update(dispatcher[0].pk)


@THREADED
def test_two_tenants_importing_one_after_the_other_each_write_only_their_own(
    monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 3)
    _threaded(monkeypatch, threaded)
    first, second = _dispatcher(), _dispatcher()
    for dispatcher in (first, second):
        _numbered(dispatcher)
    with tenant_context(first[0]):
        first_prefix = LogisticsSettings.objects.get().waybill_prefix
    with tenant_context(second[0]):
        assert LogisticsSettings.objects.get().waybill_prefix != first_prefix
    jobs = [_checked(d, [row(n) for n in range(1, 8)]) for d in (first, second)]
    built = [_run(first, jobs[0], "valid_rows_only"), _run(second, jobs[1], "all_or_nothing")]
    _own_rows_only(first, built[0], 7)
    _own_rows_only(second, built[1], 7)


@TWO_WRITERS
def test_two_tenants_importing_at_once_in_two_threads_each_write_only_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 3)
    _threaded(monkeypatch, True)
    dispatchers = [_dispatcher(), _dispatcher()]
    for dispatcher in dispatchers:
        _numbered(dispatcher)
    jobs = [_checked(d, [row(n) for n in range(1, 11)]) for d in dispatchers]
    before = sys.getswitchinterval()
    # Each job's second build waits for the other's: their batches interleave.
    meet = threading.Barrier(2, timeout=10)
    original = import_orders.build_batch
    seen: dict[int, int] = {}

    def interleaved(job: ImportJob, prepared: Any, context: Any) -> Any:
        seen[job.pk] = seen.get(job.pk, 0) + 1
        if seen[job.pk] == 2:
            meet.wait()
        return original(job, prepared, context)

    monkeypatch.setattr(import_orders, "build_batch", interleaved)
    done: list[Any] = [None, None]

    def importing(position: int) -> None:
        try:
            done[position] = _run(dispatchers[position], jobs[position], "valid_rows_only")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=importing, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for dispatcher, job in zip(dispatchers, done, strict=True):
        _own_rows_only(dispatcher, job, 10)
    assert sys.getswitchinterval() == before
    assert _build_threads() == []


# 4. Odd input ---------------------------------------------------------------------------------

EMOJI = "\U0001f4e6"  # 4 bytes in UTF-8


def _sheet_row(n: int, **cells: Any) -> list[Any]:
    values = dict(zip(HEADERS, row(n), strict=True))
    values.update(cells)
    return [values[h] for h in HEADERS]


def test_a_sheet_holding_a_nul_byte_is_refused_on_upload() -> None:
    from logitrack.imports.errors import ImportRefused
    from logitrack.imports.services import import_upload

    tenant, principal, shipper = _dispatcher()
    data = csv_bytes([HEADERS, _sheet_row(1, **{"Họ tên người nhận": "An\x00Bình"})])
    with tenant_context(tenant), pytest.raises(ImportRefused):
        import_upload(principal=principal, file_name="o.csv", data=data, shipper_id=shipper.pk)
    assert _uploads() == []


@THREADED
def test_odd_text_is_refused_by_the_checks_or_stored_whole_as_order_create_stores_it(
    monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    from dataclasses import replace

    dispatcher = _dispatcher()
    tenant, principal, _shipper = dispatcher
    job = _checked(
        dispatcher,
        [
            _sheet_row(1, **{"Mã đơn hàng": f"R{EMOJI * 63}"}),  # the sheet's 64 characters
            _sheet_row(2, **{"Họ tên người nhận": EMOJI * 200, "Tên sản phẩm": EMOJI * 300}),
            _sheet_row(3),
            _sheet_row(4),
            _sheet_row(5),
        ],
    )
    # What a sheet cannot carry (NUL, a lone surrogate, a name above NAME_MAX), put in the rows
    # the import step checks again: refused there, never written.
    odd = {4: "An\x00Bình", 5: "An \ud800", 6: EMOJI * 201}
    original = import_orders.prepare_orders

    def with_odd_names(job: ImportJob, rows: Any, **kwargs: Any) -> Any:
        rows = [replace(r, consignee_name=odd.get(r.row, r.consignee_name)) for r in rows]
        return original(job, rows, **kwargs)

    monkeypatch.setattr(import_orders, "prepare_orders", with_odd_names)
    _threaded(monkeypatch, threaded)
    copied: list[str] = []
    from logitrack.imports import bulk

    copy_rows = bulk._copy_rows

    def noting(conn: Any, table: str, columns: str, rows: Any) -> None:
        copied.extend(str(value) for r in rows for value in r)
        copy_rows(conn, table, columns, rows)

    monkeypatch.setattr(bulk, "_copy_rows", noting)

    done = _run(dispatcher, job, "valid_rows_only")

    assert (done.status, done.created_orders) == (ImportStatus.DONE, 2), done.report
    assert sorted((i["row"], i["code"]) for i in done.report) == [
        (4, "order_invalid"), (5, "order_invalid"), (6, "order_invalid")]  # fmt: skip
    assert not any("\x00" in value or "\ud800" in value for value in copied)
    with tenant_context(tenant):
        stored = {o.reference: o for o in Order.objects.all()}
        assert set(stored) == {f"R{EMOJI * 63}", "DH2"}
        assert stored["DH2"].consignee_name == EMOJI * 200
        assert stored["DH2"].items.get().description == EMOJI * 300
        # order_create: the same input refused by the same checks, or stored the same.
        base = _input(dispatcher)
        for name in odd.values():
            consignee = {"name": name, "phone": "0912345678"}
            with pytest.raises(ValidationError):
                OrderInput.model_validate({**base, "consignee": consignee})
        made = order_create(actor=principal, data=OrderInput.model_validate(
            {**base, "consignee": {"name": EMOJI * 200, "phone": "0912345678"}}))  # fmt: skip
        assert Order.objects.get(pk=made.order.pk).consignee_name == EMOJI * 200


@THREADED
def test_items_declared_above_money_max_are_refused_by_the_checks_as_order_create_refuses_them(
    monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    from logitrack.logistics import inputs

    dispatcher = _dispatcher()
    tenant, principal, _shipper = dispatcher
    job = _checked(dispatcher, [row(1), row(2), row(3)])
    # Items without the order's declared value, adding up above MONEY_MAX_VND: DH1 just above
    # (2 x the maximum), DH2 above the bigint column (200 x 10^6 x 10^12).
    many = {"DH1": (1, 2), "DH2": (200, 1_000_000)}

    def items_above(data: dict[str, Any]) -> dict[str, Any]:
        count, quantity = many[data["reference"]]
        item = {"description": "Vàng", "quantity": quantity, "declared_value_vnd": MONEY_MAX_VND}
        return {**data, "declared_value_vnd": None, "items": [item] * count}

    class Above(OrderInput):
        @classmethod
        def model_validate(cls, obj: Any, **kwargs: Any) -> Any:
            if obj.get("reference") in many:
                obj = items_above(obj)
            return OrderInput.model_validate(obj, **kwargs)

    monkeypatch.setattr(inputs, "OrderInput", Above)
    _threaded(monkeypatch, threaded)

    done = _run(dispatcher, job, "valid_rows_only")

    assert (done.status, done.created_orders, done.invalid_rows) == (ImportStatus.DONE, 1, 2)
    assert [(i["row"], i["code"]) for i in done.report] == [
        (2, "money_above_cap"),
        (3, "money_above_cap"),
    ]
    with tenant_context(tenant):
        assert list(Order.objects.values_list("reference", flat=True)) == ["DH3"]
        for reference in many:
            data = OrderInput.model_validate(
                items_above({**_input(dispatcher), "reference": reference})
            )
            with pytest.raises(OrderInvalid) as refused:
                order_create(actor=principal, data=data)
            assert refused.value.field == "declared_value_vnd"
        with pytest.raises(ValueError, match="MONEY_MAX_VND"):
            import_orders.declared_value(data)


def _input(dispatcher: Any) -> dict[str, Any]:
    return {
        "shipper_id": dispatcher[2].pk,
        "reference": "x",
        "consignee": {"name": "An", "phone": "0912345678"},
        "delivery": {
            "street": "1 Lê Lợi",
            "ward_code": dispatcher[2].ward_code,
            "province_code": dispatcher[2].province_code,
        },
        "parcels": [{"weight_g": 500}],
    }


# 5. all_or_nothing with thousands of rows -----------------------------------------------------


@pytest.mark.parametrize("fails", ["", "write_batch", "build_batch"], ids=["all", "write", "build"])
def test_all_or_nothing_with_thousands_of_rows_threaded_is_all_or_nothing(
    monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    dispatcher = _dispatcher()
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 500)
    total = 5000
    job = _checked(dispatcher, [_sheet_row(n, **{"Tiền thu hộ (COD)": "1.000"})
                                for n in range(1, total + 1)])  # fmt: skip
    _threaded(monkeypatch, True)
    if fails:  # the last batch refused by the database, or its build failing, nine written
        from django.db import IntegrityError

        original = getattr(import_orders, fails)

        def failing_the_last(job: ImportJob, built: Any, *more: Any) -> Any:
            rows = built.rows if fails == "write_batch" else [n for n, _data in built]
            if total + 1 in rows:
                raise IntegrityError("the last batch")
            return original(job, built, *more)

        monkeypatch.setattr(import_orders, fails, failing_the_last)

    done = _run(dispatcher, job)

    expected = 0 if fails else total
    assert done.status == (ImportStatus.FAILED if fails else ImportStatus.DONE)
    assert done.created_orders == expected
    assert _count(dispatcher[0]) == (expected,) * 4
    assert _build_threads() == []
