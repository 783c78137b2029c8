"""The import step's batches built one ahead of the writes (imports.pipeline._ahead): the build
work never queries the database, the threaded and inline paths store the same rows, waybills
drawn with the build or on write match their events, all_or_nothing and valid_rows_only keep
their promises, and the bulk columns refuse what they cannot write."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from logitrack.core.tenant import tenant_context
from logitrack.imports import orders as import_orders
from logitrack.imports import pipeline
from logitrack.imports.bulk import columns_of, insert_columns, write_keys
from logitrack.imports.models import ImportJob, ImportStatus
from logitrack.imports.report import failure_message, issue, with_messages
from logitrack.imports.services import import_mapping_confirm, import_run, import_upload
from logitrack.imports.tests.sheets import csv_bytes
from logitrack.logistics import numbers
from logitrack.logistics.inputs import OrderInput
from logitrack.logistics.limits import MONEY_MAX_VND, cod_cap_vnd
from logitrack.logistics.models import (
    LogisticsSettings,
    Order,
    OrderItem,
    Shipment,
    ShipmentEvent,
    Shipper,
)
from logitrack.logistics.services.orders import order_create
from logitrack.logistics.tests.factories import make_order_row, make_shipper
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = ["Mã đơn hàng", "Họ tên người nhận", "Số điện thoại", "Địa chỉ", "Khối lượng (gram)",
           "Tiền thu hộ (COD)", "Tên sản phẩm", "Số lượng", "Dịch vụ"]  # fmt: skip


def row(n: int) -> list[Any]:
    return [f"DH{n}", f"Nguyễn Văn An {n}", f"09123456{n % 100:02d}",
            "12 Lê Lợi, Phường Sài Gòn, TP.HCM", 500 + n, f"{n}.000", f"Áo thun {n}", 1 + n % 3,
            "Nhanh" if n % 2 else "Tiêu chuẩn"]  # fmt: skip


VENDOR = connection.vendor
THREADED = pytest.mark.parametrize("threaded", [True, False], ids=["threaded", "inline"])


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


@pytest.fixture(autouse=True)
def _switch_interval() -> Any:
    """CPython's switch interval again after each test, whatever the import left."""
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


def _threaded(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    monkeypatch.setattr(pipeline, "THREADED_VENDORS", frozenset({VENDOR} if on else set()))


def _dispatcher() -> tuple[Any, Any, Shipper]:
    tenant = make_tenant()
    principal = principal_for(make_member(tenant, Role.DISPATCHER))
    # Every tenant's shipper alike, so that two tenants' orders can be compared column by column.
    return tenant, principal, make_shipper(tenant, street="7 Nguyễn Huệ", email="shop@example.vn")


def _checked(dispatcher: Any, rows: list[list[Any]]) -> ImportJob:
    """A job of ``rows`` after its dry run (status ``validated``)."""
    tenant, principal, shipper = dispatcher
    with tenant_context(tenant):
        job = import_upload(
            principal=principal, file_name="o.csv", data=csv_bytes([HEADERS, *rows]),
            shipper_id=shipper.pk,
        )  # fmt: skip
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        checked: ImportJob = ImportJob.objects.get(pk=job.pk)
    assert checked.status == ImportStatus.VALIDATED, checked.report
    return checked


def _run(dispatcher: Any, job: ImportJob, mode: str = "all_or_nothing") -> ImportJob:
    tenant, principal, _shipper = dispatcher
    with tenant_context(tenant):
        import_run(principal=principal, job=job, mode=mode)
        done: ImportJob = ImportJob.objects.get(pk=job.pk)
    return done


def _wrap(monkeypatch: pytest.MonkeyPatch, name: str, before: Callable[..., Any]) -> None:
    """``imports.orders.<name>`` calling ``before(*args)`` first (the pipeline imports it at
    call time, so the patched one is the one it runs)."""
    original = getattr(import_orders, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        before(*args, **kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(import_orders, name, wrapped)


def _count(tenant: Any) -> tuple[int, int, int, int]:
    with tenant_context(tenant):
        return (Order.objects.count(), OrderItem.objects.count(), Shipment.objects.count(),
                ShipmentEvent.objects.count())  # fmt: skip


# 1. ------------------------------------------------------------------------------------------


def _query(*_args: Any, **_kwargs: Any) -> None:
    Shipper.objects.exists()


@THREADED
@pytest.mark.parametrize(
    ("mode", "patched"),
    [
        ("all_or_nothing", "build_batch"),
        ("valid_rows_only", "build_batch"),
        ("valid_rows_only", "prepare_orders"),  # checked ahead too in this mode
    ],
)
def test_a_query_in_the_build_work_fails_the_job_and_stores_nothing(
    monkeypatch: pytest.MonkeyPatch, threaded: bool, mode: str, patched: str
) -> None:
    dispatcher = _dispatcher()
    job = _checked(dispatcher, [row(1), row(2)])
    _threaded(monkeypatch, threaded)
    _wrap(monkeypatch, patched, _query)

    job = _run(dispatcher, job, mode)

    assert (job.status, job.error_code, job.created_orders) == (
        ImportStatus.FAILED,
        "import_failed",
        0,
    )
    assert _count(dispatcher[0]) == (0, 0, 0, 0)


# 2. ------------------------------------------------------------------------------------------

# Differ by construction between two tenants' imports: keys, owners, times and waybills (the
# sealed tokens are not compared: the ORM opens them, the plaintexts are compared; the phone's
# blind index is keyed per tenant, and is checked by searching with it; the fingerprint hashes
# the input with its shipper's id).
OWN = {"id", "tenant_id", "shipper_id", "order_id", "shipment_id", "created_by_id",
       "created_at", "updated_at", "status_changed_at", "occurred_at", "recorded_at",
       "waybill", "idempotency_key", "idempotency_fingerprint", "actor_user_id",
       "consignee_phone_index"}  # fmt: skip


def _stored(obj: models.Model) -> dict[str, Any]:
    return {
        f.attname: getattr(obj, f.attname)
        for f in type(obj)._meta.concrete_fields
        if f.attname not in OWN
    }


def _everything(tenant: Any, job: ImportJob) -> list[Any]:
    """Every stored order of ``tenant`` with its items, parcels and events, in sheet order."""
    out = []
    with tenant_context(tenant):
        for order in Order.objects.order_by("reference"):
            assert order.idempotency_key.startswith(f"import:{job.pk}:")
            assert order in Order.objects.filter(consignee_phone=order.consignee_phone)
            shipments = list(Shipment.objects.filter(order=order).order_by("parcel_number"))
            events = [list(ShipmentEvent.objects.filter(shipment=s)) for s in shipments]
            for shipment, found in zip(shipments, events, strict=True):
                assert [e.idempotency_key for e in found] == [f"created:{shipment.waybill}"]
            out.append(
                (
                    _stored(order),
                    order.idempotency_key.split(":")[-1],
                    [_stored(i) for i in OrderItem.objects.filter(order=order).order_by("pk")],
                    [_stored(s) for s in shipments],
                    [[_stored(e) for e in found] for found in events],
                )
            )
    return out


@pytest.mark.parametrize("mode", ["all_or_nothing", "valid_rows_only"])
def test_threaded_and_inline_store_the_same_rows(
    monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 3)  # several batches: the one-ahead path
    rows = [row(n) for n in range(1, 9)]
    stored = []
    for threaded in (True, False):
        dispatcher = _dispatcher()
        job = _checked(dispatcher, rows)
        _threaded(monkeypatch, threaded)
        job = _run(dispatcher, job, mode)
        assert (job.status, job.created_orders) == (ImportStatus.DONE, 8), job.report
        stored.append(_everything(dispatcher[0], job))
    assert len(stored[0]) == 8
    for threaded, inline in zip(*stored, strict=True):
        assert threaded == inline


@THREADED
def test_the_switch_interval_is_the_builds_during_the_import_and_restored_after(
    monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    dispatcher = _dispatcher()
    job = _checked(dispatcher, [row(1), row(2)])
    before = sys.getswitchinterval()
    assert before != pipeline.BUILD_SWITCH_INTERVAL
    seen: list[float] = []
    _threaded(monkeypatch, threaded)
    _wrap(monkeypatch, "build_batch", lambda *_a, **_k: seen.append(sys.getswitchinterval()))

    job = _run(dispatcher, job)

    assert job.status == ImportStatus.DONE
    expected = pipeline.BUILD_SWITCH_INTERVAL if threaded else before
    assert seen == [pytest.approx(expected)]
    assert sys.getswitchinterval() == before


def test_the_switch_interval_is_restored_when_the_import_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dispatcher = _dispatcher()
    job = _checked(dispatcher, [row(1)])
    before = sys.getswitchinterval()
    assert before != pipeline.BUILD_SWITCH_INTERVAL
    _threaded(monkeypatch, True)
    _wrap(monkeypatch, "build_batch", _query)
    assert _run(dispatcher, job).status == ImportStatus.FAILED
    assert sys.getswitchinterval() == before


# 3. ------------------------------------------------------------------------------------------


def _keep_built(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The batches build_batch returns during the test, in order."""
    built: list[Any] = []
    original = import_orders.build_batch

    def keeping(*args: Any) -> Any:
        built.append(original(*args))
        return built[-1]

    monkeypatch.setattr(import_orders, "build_batch", keeping)
    return built


def _events_match_their_parcels(tenant: Any) -> list[str]:
    with tenant_context(tenant):
        shipments = list(Shipment.objects.order_by("pk"))
        for shipment in shipments:
            keys = list(
                ShipmentEvent.objects.filter(shipment=shipment).values_list(
                    "idempotency_key", flat=True
                )
            )
            assert keys == [f"created:{shipment.waybill}"]
        waybills = [s.waybill for s in shipments]
    assert len(set(waybills)) == len(waybills)
    return waybills


@THREADED
def test_the_first_import_of_a_tenant_draws_its_waybills_on_write(
    monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    dispatcher = _dispatcher()
    tenant = dispatcher[0]
    with tenant_context(tenant):
        assert not LogisticsSettings.objects.exists()
    job = _checked(dispatcher, [row(1), row(2), row(3)])
    _threaded(monkeypatch, threaded)
    built = _keep_built(monkeypatch)

    job = _run(dispatcher, job)

    assert (job.status, job.created_orders) == (ImportStatus.DONE, 3)
    assert [(b.waybill_prefix, b.waybills, b.events) for b in built] == [("", [], None)]
    with tenant_context(tenant):
        prefix = LogisticsSettings.objects.get().waybill_prefix
    waybills = _events_match_their_parcels(tenant)
    assert len(waybills) == 3
    assert all(w.startswith(prefix) for w in waybills)


@THREADED
def test_pre_drawn_waybills_that_collide_are_drawn_again_with_their_events(
    monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    dispatcher = _dispatcher()
    tenant = dispatcher[0]
    assert _run(dispatcher, _checked(dispatcher, [row(1)])).status == ImportStatus.DONE
    with tenant_context(tenant):
        taken = Shipment.objects.get().waybill
    job = _checked(dispatcher, [row(2), row(3)])
    _threaded(monkeypatch, threaded)
    drawn = iter([taken])  # the build's first draw is the taken waybill, then real ones
    real = numbers.new_waybill
    monkeypatch.setattr(numbers, "new_waybill", lambda prefix: next(drawn, None) or real(prefix))
    built = _keep_built(monkeypatch)

    job = _run(dispatcher, job)

    assert (job.status, job.created_orders) == (ImportStatus.DONE, 2), job.report
    [batch] = built
    assert batch.waybills[0] == taken
    assert batch.events is not None
    waybills = _events_match_their_parcels(tenant)
    assert waybills[0] == taken
    assert taken not in waybills[1:]
    assert not set(waybills[1:]) & set(batch.waybills)  # the batch's were drawn again
    assert _count(tenant) == (3, 3, 3, 3)


# 4. ------------------------------------------------------------------------------------------


@THREADED
def test_all_or_nothing_with_a_row_found_invalid_on_import_stores_nothing(
    monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    dispatcher = _dispatcher()
    tenant, _principal, shipper = dispatcher
    job = _checked(dispatcher, [row(1), row(2), row(3)])
    with tenant_context(tenant):  # DH2 made after the dry run: row 3 is now refused
        make_order_row(shipper, reference="DH2")
    _threaded(monkeypatch, threaded)

    job = _run(dispatcher, job)

    assert (job.status, job.error_code) == (ImportStatus.FAILED, "import_has_invalid_rows")
    assert [(i["row"], i["code"]) for i in job.report] == [(3, "reference_exists")]
    assert _count(tenant)[0] == 1
    with tenant_context(tenant):
        assert not Order.objects.filter(idempotency_key__startswith=f"import:{job.pk}:").exists()


@THREADED
def test_all_or_nothing_refuses_a_shipper_deleted_between_check_and_write(
    monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    dispatcher = _dispatcher()
    tenant, _principal, shipper = dispatcher
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    job = _checked(dispatcher, [row(1), row(2), row(3)])
    _threaded(monkeypatch, threaded)
    original = import_orders.build_context

    def then_deleted(job: ImportJob) -> Any:
        context = original(job)
        Shipper.objects.filter(pk=shipper.pk).delete()
        return context

    monkeypatch.setattr(import_orders, "build_context", then_deleted)

    job = _run(dispatcher, job)

    assert (job.status, job.created_orders) == (ImportStatus.FAILED, 0)
    assert [(i["row"], i["code"]) for i in job.report] == [(2, "shipper_not_found")]
    with translation.override("vi"):
        [shown] = with_messages(job.report)
    assert shown["message"] == "Chủ hàng của lượt nhập này không còn tồn tại."
    assert _count(tenant) == (0, 0, 0, 0)


@THREADED
def test_valid_rows_only_loses_only_the_row_refused_on_write(
    monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    dispatcher = _dispatcher()
    tenant = dispatcher[0]
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 3)
    job = _checked(dispatcher, [row(n) for n in range(1, 11)])  # sheet rows 2-11
    _threaded(monkeypatch, threaded)
    original = import_orders.write_batch

    def refusing_row_6(job: ImportJob, built: Any) -> Any:
        if 6 in built.rows:  # its batch (rows 5-7), then row 6 alone
            return 0, [issue(6, "", "order_invalid", detail="refused")]
        return original(job, built)

    monkeypatch.setattr(import_orders, "write_batch", refusing_row_6)

    job = _run(dispatcher, job, "valid_rows_only")

    assert (job.status, job.created_orders, job.invalid_rows) == (ImportStatus.DONE, 9, 1)
    assert [(i["row"], i["code"]) for i in job.report] == [(6, "order_invalid")]
    assert (job.progress, job.total_rows) == (10, 10)
    with tenant_context(tenant):
        made = sorted(int(k.split(":")[-1]) for k in Order.objects.values_list(
            "idempotency_key", flat=True))  # fmt: skip
    assert made == [2, 3, 4, 5, 7, 8, 9, 10, 11]
    assert _count(tenant) == (9, 9, 9, 9)
    _events_match_their_parcels(tenant)


def _refusing_row_8(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    original = import_orders.write_batch

    def refusing(job: ImportJob, built: Any) -> Any:
        if 8 in built.rows:
            raise error
        return original(job, built)

    monkeypatch.setattr(import_orders, "write_batch", refusing)


@THREADED
@pytest.mark.parametrize("refused_by", ["batch", "row"])
def test_a_row_the_database_refuses_is_the_only_one_lost(
    monkeypatch: pytest.MonkeyPatch, threaded: bool, refused_by: str
) -> None:
    dispatcher = _dispatcher()
    tenant = dispatcher[0]
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 3 if refused_by == "batch" else 1)
    job = _checked(dispatcher, [row(n) for n in range(1, 9)])  # sheet rows 2-9
    _threaded(monkeypatch, threaded)
    _refusing_row_8(monkeypatch, IntegrityError("a constraint of row 8"))

    job = _run(dispatcher, job, "valid_rows_only")

    assert (job.status, job.created_orders, job.progress) == (ImportStatus.DONE, 7, 8)
    assert [(i["row"], i["code"]) for i in job.report] == [(8, "order_not_stored")]
    assert _count(tenant) == (7, 7, 7, 7)
    with translation.override("vi"):
        [shown] = with_messages(job.report)
    assert "không được tạo" in shown["message"]


@THREADED
def test_a_job_stopped_by_the_database_counts_the_orders_its_earlier_batches_stored(
    monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    dispatcher = _dispatcher()
    tenant = dispatcher[0]
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 3)
    job = _checked(dispatcher, [row(n) for n in range(1, 8)])  # sheet rows 2-8
    _threaded(monkeypatch, threaded)
    _refusing_row_8(monkeypatch, OperationalError("the server closed the connection"))

    job = _run(dispatcher, job, "valid_rows_only")

    assert (job.status, job.error_code) == (ImportStatus.FAILED, "import_failed")
    assert _count(tenant) == (6, 6, 6, 6)  # the first two batches were committed
    assert (job.created_orders, job.progress) == (6, 6)
    with translation.override("en"):
        assert "6 orders were created" in failure_message(job.error_code, job.created_orders)
    with translation.override("vi"):
        assert "6 đơn" in failure_message(job.error_code, job.created_orders)
        assert "chưa có gì" in failure_message(job.error_code, 0)


# 5. ------------------------------------------------------------------------------------------


def test_columns_of_with_keys_given_queries_nothing_and_refuses_an_unknown_owner() -> None:
    tenant, _principal, shipper = _dispatcher()
    rows = [{"tenant_id": tenant.pk, "shipper_id": shipper.pk, "consignee_name": "An",
             "delivery_street": "1 Lê Lợi", "consignee_phone": "+84912345678"}]  # fmt: skip
    with tenant_context(tenant):
        with CaptureQueriesContext(connection) as queries, pytest.raises(LookupError):
            columns_of(Order, rows, keys={})
        assert queries.captured_queries == []
        keys = write_keys(Order, tenant.pk)
        with CaptureQueriesContext(connection) as queries:
            built = columns_of(Order, rows, keys)
        assert queries.captured_queries == []
        assert built.count == 1
        assert built.values["consignee_phone_index"][0] != ""


def test_insert_columns_refuses_a_late_column_unknown_or_of_another_length() -> None:
    dispatcher = _dispatcher()
    tenant = dispatcher[0]
    assert _run(dispatcher, _checked(dispatcher, [row(1)])).status == ImportStatus.DONE
    with tenant_context(tenant):
        order = Order.objects.get()
        items = [{"tenant_id": tenant.pk, "order_id": None, "position": n, "description": "Áo",
                  "quantity": 1, "declared_value_vnd": 0} for n in (2, 3)]  # fmt: skip
        columns = columns_of(OrderItem, items, write_keys(OrderItem, tenant.pk))
        with transaction.atomic():
            for late in (
                {"order_idd": [order.pk, order.pk]},
                {"order_id": [order.pk]},
                {"order_id": [order.pk] * 3},
            ):
                with pytest.raises(ValueError, match="not a built column of 2 rows"):
                    insert_columns(columns, late)
        assert OrderItem.objects.count() == 1
        with transaction.atomic():
            assert len(insert_columns(columns, {"order_id": [order.pk, order.pk]})) == 2
        assert OrderItem.objects.count() == 3


# 7. ------------------------------------------------------------------------------------------

# Unicode text whose combining marks have no precomposed letter (kept as written by NFC).
COMBINING = "Giao giờ hành chính x\u0301 q\u0323\u0302 — \U0001d538 «ok»"
WINDOW = datetime(2026, 12, 1, 8, 30, 15, 123456, tzinfo=UTC)


def _with_every_type(data: OrderInput) -> OrderInput:
    values = data.model_dump(mode="json")
    values["delivery"].update(latitude="10.776889", longitude="-106.700806")
    values["pickup"] = {**values["delivery"], "street": "7 Nguyễn Huệ", "latitude": "-89.999999",
                        "longitude": "179.999999", "legacy_text": COMBINING}  # fmt: skip
    values.update(
        declared_value_vnd=MONEY_MAX_VND,
        cod_amount_vnd=cod_cap_vnd(),
        notes=COMBINING,
        pickup_window_start=WINDOW.isoformat(),
        pickup_window_end=WINDOW.replace(hour=11, microsecond=1).isoformat(),
        delivery_window_start=None,
        delivery_window_end=WINDOW.replace(day=2).isoformat(),
    )
    values["consignee"]["name"] = f"Nguyễn {COMBINING}"
    values["items"][0]["declared_value_vnd"] = MONEY_MAX_VND
    return OrderInput.model_validate(values)


ORDER_OWN = {"id", "reference", "created_at", "updated_at", "idempotency_key",
             "idempotency_fingerprint"}  # fmt: skip


@THREADED
def test_the_bulk_write_stores_every_order_column_type_as_order_create(
    monkeypatch: pytest.MonkeyPatch, threaded: bool
) -> None:
    dispatcher = _dispatcher()
    tenant, principal, _shipper = dispatcher
    job = _checked(dispatcher, [row(1)])
    _threaded(monkeypatch, threaded)
    original = import_orders.prepare_orders

    def every_type(*args: Any, **kwargs: Any) -> Any:
        prepared, issues = original(*args, **kwargs)
        return [(n, _with_every_type(data)) for n, data in prepared], issues

    monkeypatch.setattr(import_orders, "prepare_orders", every_type)

    job = _run(dispatcher, job)

    assert (job.status, job.created_orders) == (ImportStatus.DONE, 1), job.report
    with tenant_context(tenant):
        bulk = Order.objects.get()
        [(_n, data)], _issues = original(job, [replace(_sheet_row(), reference="DH1-core")])
        core = Order.objects.get(pk=order_create(
            actor=principal, data=_with_every_type(data), source="import").order.pk)  # fmt: skip
        stored_bulk = {f: getattr(bulk, f) for f in _order_fields()}
        stored_core = {f: getattr(core, f) for f in _order_fields()}
        assert stored_bulk == stored_core
        assert bulk.declared_value_vnd == MONEY_MAX_VND
        assert bulk.pickup_latitude == Decimal("-89.999999")
        assert bulk.delivery_longitude == Decimal("-106.700806")
        assert bulk.pickup_window_start == WINDOW
        assert bulk.delivery_window_start is None
        assert COMBINING in bulk.notes
        assert bulk.pickup_legacy_text == core.pickup_legacy_text
        assert _raw(bulk) == _raw(core)


def _order_fields() -> list[str]:
    return [f.attname for f in Order._meta.concrete_fields if f.attname not in ORDER_OWN]


def _raw(order: Order) -> dict[str, Any]:
    """The plain columns as the database holds them (no field conversion on the way back)."""
    plain = [f for f in Order._meta.concrete_fields
             if f.attname not in ORDER_OWN and not getattr(f, "encrypted", False)
             and f.attname != "consignee_phone_index"]  # fmt: skip
    names = ", ".join(connection.ops.quote_name(f.column) for f in plain)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names} FROM {Order._meta.db_table} WHERE id = %s",  # noqa: S608
            [order.pk],
        )
        return dict(zip([f.attname for f in plain], cursor.fetchone(), strict=True))


def _sheet_row() -> Any:
    from logitrack.imports.rows import OrderRow

    r = row(1)
    return OrderRow(
        row=2, reference="DH1", consignee_name=r[1], consignee_phone="+84912345601",
        address=r[3], weight_grams=501, cod_amount=1000, item_description=r[6], quantity=2,
        service_level="express",
    )  # fmt: skip
