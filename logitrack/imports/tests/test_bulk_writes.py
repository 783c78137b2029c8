"""The bulk write path stores what order_create stores; its inserts (COPY on PostgreSQL,
executemany on SQLite) keep the database's constraints; the phone memory of a job is its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction

from logitrack.core.crypto import canonical
from logitrack.core.tenant import tenant_context
from logitrack.documents.models import Document
from logitrack.imports import pipeline
from logitrack.imports.bulk import insert_values
from logitrack.imports.models import ImportJob, ImportStatus
from logitrack.imports.orders import prepare_orders
from logitrack.imports.rows import OrderRow
from logitrack.imports.services import import_mapping_confirm, import_run, import_upload
from logitrack.imports.tests.sheets import csv_bytes
from logitrack.logistics.models import Order, OrderItem, Shipment, ShipmentEvent
from logitrack.logistics.services.orders import order_create
from logitrack.logistics.tests.factories import make_shipper
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = ["Mã đơn hàng", "Họ tên người nhận", "Số điện thoại", "Địa chỉ", "Khối lượng (gram)",
           "Tiền thu hộ (COD)", "Tên sản phẩm", "Số lượng", "Dịch vụ"]  # fmt: skip
ROW = ["DH1", "Nguyễn Văn An", 912345678, "12 Lê Lợi, Phường Bến Thành, Quận 1, TP.HCM", 750,
       "1.250.000", "Áo thun", 2, "Nhanh"]  # fmt: skip


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


@pytest.fixture
def dispatcher() -> Any:
    tenant = make_tenant()
    principal = principal_for(make_member(tenant, Role.DISPATCHER))
    return tenant, principal, make_shipper(tenant)


def _imported(dispatcher: Any, rows: list[list[Any]]) -> ImportJob:
    tenant, principal, shipper = dispatcher
    with tenant_context(tenant):
        job = import_upload(
            principal=principal, file_name="o.csv", data=csv_bytes([HEADERS, *rows]),
            shipper_id=shipper.pk,
        )  # fmt: skip
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        job = ImportJob.objects.get(pk=job.pk)
        import_run(principal=principal, job=job)
        done: ImportJob = ImportJob.objects.get(pk=job.pk)
        return done


def _stored(obj: models.Model, leave_out: set[str]) -> dict[str, Any]:
    """Every column of ``obj`` as read back (encrypted ones opened), but ``leave_out``."""
    return {
        f.attname: getattr(obj, f.attname)
        for f in type(obj)._meta.concrete_fields
        if f.attname not in leave_out
    }


# Columns that differ by construction: keys, times, waybills, and the import's idempotency key
# (order_create was called without one).
ORDER_OWN = {"id", "reference", "created_at", "updated_at", "idempotency_key",
             "idempotency_fingerprint"}  # fmt: skip
SHIPMENT_OWN = {"id", "order_id", "waybill", "created_at", "status_changed_at"}
EVENT_OWN = {"id", "shipment_id", "idempotency_key", "occurred_at", "recorded_at"}


def test_the_bulk_import_stores_what_order_create_stores(dispatcher: Any) -> None:
    tenant, principal, _shipper = dispatcher
    job = _imported(dispatcher, [ROW])
    assert (job.status, job.created_orders) == (ImportStatus.DONE, 1), job.report
    with tenant_context(tenant):
        bulk = Order.objects.get(reference="DH1")
        row = OrderRow(
            row=2, reference="DH1-core", consignee_name=str(ROW[1]), consignee_phone="+84912345678",
            address=str(ROW[3]), weight_grams=750, cod_amount=1_250_000,
            item_description="Áo thun", quantity=2, service_level="express",
        )  # fmt: skip
        [(_row, data)], issues = prepare_orders(job, [row])
        assert issues == []
        core = order_create(actor=principal, data=data, source="import").order
        core = Order.objects.get(pk=core.pk)  # as read back, like the bulk one

        assert _stored(bulk, ORDER_OWN) == _stored(core, ORDER_OWN)
        assert bulk.consignee_phone == "+84912345678"
        assert bulk.consignee_phone_index == core.consignee_phone_index != ""
        found = Order.objects.filter(consignee_phone="0912 345 678").order_by("pk")
        assert list(found) == [bulk, core]
        assert bulk.idempotency_key == f"import:{job.pk}:2"

        def items(order: Order) -> list[dict[str, Any]]:
            return [_stored(i, {"id", "order_id"}) for i in OrderItem.objects.filter(order=order)]

        assert items(bulk) == items(core) != []
        [bulk_shipment] = Shipment.objects.filter(order=bulk)
        [core_shipment] = Shipment.objects.filter(order=core)
        assert _stored(bulk_shipment, SHIPMENT_OWN) == _stored(core_shipment, SHIPMENT_OWN)
        [bulk_event] = ShipmentEvent.objects.filter(shipment=bulk_shipment)
        [core_event] = ShipmentEvent.objects.filter(shipment=core_shipment)
        assert _stored(bulk_event, EVENT_OWN) == _stored(core_event, EVENT_OWN)
        assert bulk_event.idempotency_key == f"created:{bulk_shipment.waybill}"


def test_only_the_indexed_column_gets_a_blind_index(
    dispatcher: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sealing without instances computes an index (and fetches an index key) only where the
    model has a blind index: the consignee's phone, not the name, street or e-mail."""
    from logitrack.core.crypto import store

    monkeypatch.setattr(store, "_index_keys", {})
    _imported(dispatcher, [[*ROW[:3], ROW[3], *ROW[4:]]])
    assert set(store._index_keys) == {"logistics.Order.consignee_phone"}


def test_the_stored_ciphertext_opens_only_as_its_own_column(dispatcher: Any) -> None:
    tenant, _principal, _shipper = dispatcher
    _imported(dispatcher, [ROW])
    with tenant_context(tenant):
        raw = Order.objects.values_list("consignee_phone", "consignee_name").get()
    # Sealed tokens, never the plaintext (COPY and executemany bind the field's own token).
    assert all("912345678" not in str(value) and "Nguyễn" not in str(value) for value in raw)


def test_a_repeated_waybill_is_refused_by_the_database_and_the_batch_can_go_on(
    dispatcher: Any,
) -> None:
    """The unique constraint decides (COPY on PostgreSQL, executemany on SQLite)."""
    tenant, _principal, _shipper = dispatcher
    _imported(dispatcher, [ROW])
    with tenant_context(tenant):
        taken = Shipment.objects.get()
        copy = {
            "tenant_id": tenant.pk, "order_id": taken.order_id, "parcel_number": 2,
            "waybill": taken.waybill, "weight_g": 10, "service_level": "standard",
            "delivery_province_code": 79, "status": "created",
            "status_changed_at": taken.created_at, "created_at": taken.created_at,
        }  # fmt: skip
        with transaction.atomic():
            with pytest.raises(IntegrityError, match=r"(?i)waybill"), transaction.atomic():
                insert_values(Shipment, [copy])
            # The savepoint rolled back; the transaction itself still writes.
            copy["waybill"] = taken.waybill[:-1] + ("0" if taken.waybill[-1] != "0" else "1")
            [made] = insert_values(Shipment, [copy])
        assert Shipment.objects.count() == 2
        # A column the builder did not give takes the field's default, as Model() would.
        assert Shipment.objects.get(pk=made).current_place == Shipment(**copy).current_place


def test_columns_without_instances_refuse_what_they_cannot_store_as_save_would(
    dispatcher: Any,
) -> None:
    tenant, _principal, shipper = dispatcher
    with tenant_context(tenant), transaction.atomic():
        # A misspelt column is an error, not a silently dropped value.
        with pytest.raises(TypeError, match="consignee_nam"):
            insert_values(Order, [{"tenant_id": tenant.pk, "consignee_nam": "An"}])
        # An encrypted column needs its key owner on the row; without it nothing is sealed.
        with pytest.raises(ValueError, match="tenant"):
            insert_values(Order, [{"tenant_id": None, "shipper_id": shipper.pk,
                                   "consignee_name": "An"}])  # fmt: skip
        # A column save() would fill itself (auto_now_add) is not guessed.
        with pytest.raises(TypeError, match="sets its own value on save"):
            insert_values(Document, [{"tenant_id": tenant.pk}])
        # Rows that own their key (a company's own address) are sealed only by save().
        with pytest.raises(TypeError, match="owning their key"):
            insert_values(Tenant, [{"name": "Công ty An"}])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_postgresql_inserts_the_rows_with_copy(dispatcher: Any) -> None:
    statements: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        job = _imported(dispatcher, [ROW, ["DH2", *ROW[1:]]])
    assert job.created_orders == 2
    # Rows go through COPY (psycopg's copy, not a Django statement): no INSERT of an order.
    assert not any("INSERT INTO" in s and '"logistics_order"' in s for s in statements)
    assert any("nextval" in s for s in statements)  # the wrapper does see the import's SQL


def test_a_jobs_phone_memory_is_its_own() -> None:
    assert canonical._E164_MEMO.get() is None
    with canonical.e164_memo():
        assert canonical.e164("0912 345 678") == "+84912345678"
        memo = canonical._E164_MEMO.get()
        assert memo == {"0912 345 678": "+84912345678", "+84912345678": "+84912345678"}
        with canonical.e164_memo():
            assert canonical._E164_MEMO.get() == {}
        assert canonical._E164_MEMO.get() is memo
    assert canonical._E164_MEMO.get() is None
    # Outside a block nothing is remembered, and an invalid number is refused every time.
    canonical.remember_e164("123", "+84123")
    with pytest.raises(ValidationError) as refused:
        canonical.e164("123")
    assert refused.value.code == "invalid_phone"


def test_an_e164_form_is_its_own_canonical_form() -> None:
    """What the memo relies on: e164(e164(x)) == e164(x), here over VN mobiles and landlines."""
    for national in ("0912345678", "0388123456", "0283812345", "02438123456", "0909000001",
                     "+14155552671", "+442071838750", "0070912345678"[2:]):  # fmt: skip
        try:
            once = canonical.e164(national)
        except ValidationError:  # an invalid number has no canonical form
            continue
        assert canonical.e164(once) == once


def test_the_import_job_runs_inside_its_own_memo_and_leaves_none(
    dispatcher: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []
    real = pipeline._process

    def spy(job: ImportJob, *, dry_run: bool) -> None:
        seen.append(canonical._E164_MEMO.get())
        real(job, dry_run=dry_run)

    monkeypatch.setattr(pipeline, "_process", spy)
    _imported(dispatcher, [ROW])
    # Dry run and import: a new memory each, none left after the job (nor for another tenant's).
    assert len(seen) == 2
    assert seen[0] is not seen[1]
    assert all(isinstance(memo, dict) for memo in seen)
    assert canonical._E164_MEMO.get() is None
