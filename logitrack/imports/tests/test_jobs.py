"""Upload, mapping, dry run and import as services and the background job (run at once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from logitrack.core.tenant import tenant_context
from logitrack.imports import storage
from logitrack.imports.errors import ImportRefused
from logitrack.imports.models import ColumnMapping, ImportJob, ImportStatus
from logitrack.imports.report import failure_message
from logitrack.imports.services import import_mapping_confirm, import_run, import_upload
from logitrack.imports.tests.sheets import csv_bytes, xlsx_bytes
from logitrack.logistics.models import Order, Shipment, ShipmentEvent
from logitrack.logistics.tests.factories import make_shipper
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = [
    "Mã đơn hàng",
    "Họ tên người nhận (*)",
    "SĐT người nhận (*)",
    "Địa chỉ nhận (*)",
    "Khối lượng (gram) (*)",
    "Tiền thu hộ (COD)",
    "Tên sản phẩm",
]


def good_row(n: int) -> list[Any]:
    return [
        f"DH{n}",
        "Nguyễn Văn An",
        912345678,
        "12 Lê Lợi, Phường Sài Gòn, TP.HCM",
        500,
        "1.250.000",
        "Áo thun",
    ]


BAD_ROW = ["DH-BAD", "Trần Thị Bình", "123", "1 Nguyễn Huệ, Phường Sài Gòn, TP.HCM", -5, "0", ""]


@pytest.fixture
def dispatcher() -> Any:
    tenant = make_tenant()
    membership = make_member(tenant, Role.DISPATCHER)
    shipper = make_shipper(tenant)
    principal = principal_for(membership)
    return tenant, principal, shipper


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Path) -> None:
    """Each test stores uploads in a directory of its own, so "no file left" means this test's."""
    settings.DATA_DIR = tmp_path


def _files() -> list[Path]:
    folder = Path(settings.DATA_DIR) / "imports"
    return sorted(folder.glob("*.bin")) if folder.exists() else []


def _upload(dispatcher: Any, data: bytes, **kwargs: Any) -> ImportJob:
    tenant, principal, shipper = dispatcher
    with tenant_context(tenant):
        return import_upload(
            principal=principal,
            file_name="don-hang.xlsx",
            data=data,
            shipper_id=shipper.pk,
            **kwargs,
        )


def test_upload_finds_the_header_on_row_7_and_stores_the_file_encrypted(dispatcher: Any) -> None:
    tenant, _principal, _shipper = dispatcher
    data = xlsx_bytes([["DANH SÁCH ĐƠN HÀNG"], [], [], [], [], [], HEADERS, good_row(1)])

    job = _upload(dispatcher, data)

    assert (job.header_row, job.total_rows, job.status) == (7, 1, ImportStatus.UPLOADED)
    assert job.mapping == [
        "reference",
        "consignee_name",
        "consignee_phone",
        "address",
        "weight_grams",
        "cod_amount",
        "item_description",
    ]
    stored = Path(settings.DATA_DIR) / "imports" / f"{job.file_key}.bin"
    assert stored.stat().st_mode & 0o777 == 0o600
    assert b"Nguy" not in stored.read_bytes()
    with tenant_context(tenant):
        assert storage.read_upload(tenant.pk, job.file_key) == data


def test_a_refused_file_stores_nothing(dispatcher: Any) -> None:
    tenant, _principal, _shipper = dispatcher
    before = _files()

    with pytest.raises(ImportRefused) as refused:
        _upload(dispatcher, b"MZ\x90\x00\x03\x00\x00\x00")

    assert refused.value.code == "file_type_not_allowed"
    assert _files() == before
    with tenant_context(tenant):
        assert ImportJob.objects.count() == 0


def test_dry_run_reports_every_row_and_creates_nothing(dispatcher: Any) -> None:
    tenant, principal, _shipper = dispatcher
    job = _upload(dispatcher, csv_bytes([HEADERS, good_row(1), BAD_ROW, good_row(2)]))

    with tenant_context(tenant):
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        job.refresh_from_db()
        assert Order.objects.count() == 0

    assert (job.status, job.total_rows, job.valid_rows, job.invalid_rows) == (
        ImportStatus.VALIDATED,
        3,
        2,
        1,
    )
    assert [(i["row"], i["column"], i["code"]) for i in job.report] == [
        (3, "SĐT người nhận (*)", "phone_invalid"),
        (3, "Khối lượng (gram) (*)", "weight_not_positive"),
    ]


def test_all_or_nothing_refuses_to_run_with_invalid_rows(dispatcher: Any) -> None:
    tenant, principal, _shipper = dispatcher
    job = _upload(dispatcher, csv_bytes([HEADERS, good_row(1), BAD_ROW]))
    with tenant_context(tenant):
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        job.refresh_from_db()

        with pytest.raises(ImportRefused) as refused:
            import_run(principal=principal, job=job)

        job.refresh_from_db()
        assert refused.value.code == "import_has_invalid_rows"
        assert job.status == ImportStatus.VALIDATED
        assert Order.objects.count() == 0


def test_valid_rows_only_creates_the_valid_rows_and_deletes_the_file(dispatcher: Any) -> None:
    tenant, principal, _shipper = dispatcher
    job = _upload(dispatcher, csv_bytes([HEADERS, good_row(1), BAD_ROW, good_row(2)]))
    with tenant_context(tenant):
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        job.refresh_from_db()
        import_run(principal=principal, job=job, mode="valid_rows_only")
        job.refresh_from_db()

        orders = list(Order.objects.order_by("reference"))
        shipments = list(Shipment.objects.order_by("pk"))
        assert [o.reference for o in orders] == ["DH1", "DH2"]
        assert str(orders[0].consignee_phone) == "+84912345678"
        assert orders[0].cod_amount_vnd == 1250000
        assert orders[0].delivery_province_code == 79
        assert [s.weight_g for s in shipments] == [500, 500]
        events = list(ShipmentEvent.objects.order_by("pk"))
        assert [(e.source, e.status, e.idempotency_key) for e in events] == [
            ("import", "created", f"created:{s.waybill}") for s in shipments
        ]
        assert orders[0].idempotency_key == f"import:{job.pk}:2"
        assert orders[0].items.get().description == "Áo thun"
    assert (job.status, job.created_orders, job.invalid_rows, job.file_key) == (
        ImportStatus.DONE,
        2,
        1,
        "",
    )
    assert job.percent == 100


def test_all_or_nothing_imports_every_row_of_a_clean_file(dispatcher: Any) -> None:
    tenant, principal, _shipper = dispatcher
    job = _upload(dispatcher, csv_bytes([HEADERS] + [good_row(n) for n in range(1, 6)]))
    with tenant_context(tenant):
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        job.refresh_from_db()
        import_run(principal=principal, job=job)
        job.refresh_from_db()
        assert Order.objects.count() == 5

    assert (job.status, job.created_orders) == (ImportStatus.DONE, 5)


def test_importing_the_same_file_twice_creates_nothing_twice(dispatcher: Any) -> None:
    tenant, principal, _shipper = dispatcher
    data = csv_bytes([HEADERS, good_row(1)])
    for _ in range(2):
        job = _upload(dispatcher, data)
        with tenant_context(tenant):
            import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
            job.refresh_from_db()
            if job.invalid_rows == 0:
                import_run(principal=principal, job=job)
                job.refresh_from_db()

    assert [(i["row"], i["code"]) for i in job.report] == [(2, "reference_exists")]
    with tenant_context(tenant):
        assert Order.objects.count() == 1


def test_the_confirmed_mapping_is_reused_for_the_same_template(dispatcher: Any) -> None:
    tenant, principal, _shipper = dispatcher
    headers = ["Người nhận", "Cột A", "SĐT", "Địa chỉ", "Khối lượng (gram)"]
    row = ["An", "12 Lê Lợi, Phường Sài Gòn, TP.HCM", "0912345678", "x", "100"]
    job = _upload(dispatcher, csv_bytes([headers, row]))
    assert job.mapping == ["consignee_name", "", "consignee_phone", "address", "weight_grams"]
    corrected = ["consignee_name", "address", "consignee_phone", "", "weight_grams"]
    with tenant_context(tenant):
        import_mapping_confirm(principal=principal, job=job, mapping=corrected)
        assert ColumnMapping.objects.get().mapping == corrected

    again = _upload(dispatcher, csv_bytes([headers, row]))

    assert again.mapping == corrected


@pytest.mark.parametrize(
    ("mapping", "code"),
    [
        (
            [
                "consignee_name",
                "consignee_name",
                "consignee_phone",
                "address",
                "weight_grams",
                "",
                "",
            ],
            "mapping_duplicate_field",
        ),
        (["consignee_name", "", "", "address", "weight_grams", "", ""], "mapping_missing_required"),
        (["consignee_name"], "mapping_invalid"),
        (["nonsense", "", "", "", "", "", ""], "mapping_invalid"),
    ],
)
def test_an_invalid_mapping_is_refused_and_changes_nothing(
    dispatcher: Any, mapping: list[str], code: str
) -> None:
    tenant, principal, _shipper = dispatcher
    job = _upload(dispatcher, csv_bytes([HEADERS, good_row(1)]))

    with tenant_context(tenant), pytest.raises(ImportRefused) as refused:
        import_mapping_confirm(principal=principal, job=job, mapping=mapping)

    assert refused.value.code == code
    with tenant_context(tenant):
        job.refresh_from_db()
        assert job.status == ImportStatus.UPLOADED
        assert ColumnMapping.objects.count() == 0


def _grouped(separator: str) -> str:
    return separator.join(["4111", "1111", "1111", "1111"])


# Every spelling of a card number that got past the import's first check (issue 7).
CARD_SPELLINGS = {
    "plain": "4111111111111111",
    "fullwidth": "\uff14" + "\uff11" * 15,
    "arabic-indic": "\u0664" + "\u0661" * 15,
    "dots": _grouped("."),
    "slashes": _grouped("/"),
    "underscores": _grouped("_"),
    "glued to letters": "card4111111111111111",
    "double spaces": _grouped("  "),
    "nbsp": _grouped("\u00a0"),
    "zero-width spaces": _grouped("\u200b"),
    "in a sentence": "thẻ 4111 1111 1111 1111",
}


def _stored_anywhere() -> str:
    """Every import job and order as text, to look for a card number in."""
    jobs = ImportJob.dangerously_unscoped.values()
    orders = Order.dangerously_unscoped.values()
    return repr([list(jobs), list(orders)])


def _assert_no_card_stored() -> None:
    from logitrack.core.cards import contains_payment_card_number

    stored = _stored_anywhere()
    assert not contains_payment_card_number(stored)
    assert "4111" not in stored
    assert "\uff14\uff11" not in stored


@pytest.mark.parametrize("card", CARD_SPELLINGS.values(), ids=CARD_SPELLINGS.keys())
def test_a_card_number_in_any_cell_refuses_the_file_and_nothing_is_stored(
    dispatcher: Any, card: str
) -> None:
    tenant, _principal, _shipper = dispatcher
    row = good_row(1)
    row[6] = card
    job = _upload(dispatcher, csv_bytes([HEADERS, row, good_row(2)]))

    with tenant_context(tenant):
        job.refresh_from_db()
        assert Order.objects.count() == 0
    assert job.status == ImportStatus.FAILED
    assert job.error_code == "card_number"
    assert "thẻ thanh toán" in failure_message(job.error_code)
    assert job.report == [{"row": 2, "column": "Tên sản phẩm", "code": "card_number", "params": {}}]
    assert job.file_key == ""
    assert _files() == []
    _assert_no_card_stored()


def test_a_card_number_in_an_unmapped_column_above_the_header_refuses_the_file(
    dispatcher: Any,
) -> None:
    data = xlsx_bytes([["Khách: " + _grouped("\u00a0")], [], HEADERS, good_row(1)])

    job = _upload(dispatcher, data)

    assert (job.status, job.error_code, job.file_key) == (ImportStatus.FAILED, "card_number", "")
    assert job.report == [{"row": 1, "column": "Mã đơn hàng", "code": "card_number", "params": {}}]
    assert _files() == []
    _assert_no_card_stored()


def test_a_card_number_stored_in_a_number_cell_refuses_the_file(dispatcher: Any) -> None:
    row = good_row(1)
    row[6] = 4111111111111111

    job = _upload(dispatcher, xlsx_bytes([HEADERS, row]))

    assert (job.status, job.error_code, job.file_key) == (ImportStatus.FAILED, "card_number", "")
    assert _files() == []
    _assert_no_card_stored()


@pytest.mark.parametrize("card", CARD_SPELLINGS.values(), ids=CARD_SPELLINGS.keys())
def test_a_card_number_in_the_header_row_refuses_the_upload_and_stores_nothing(
    dispatcher: Any, card: str
) -> None:
    tenant, _principal, _shipper = dispatcher
    headers = [*HEADERS, card]

    with pytest.raises(ImportRefused) as refused:
        _upload(dispatcher, csv_bytes([headers, [*good_row(1), ""]]))

    assert refused.value.code == "card_number_in_header"
    assert "(dòng 1, cột H)" in refused.value.message
    assert "4111" not in refused.value.message
    with tenant_context(tenant):
        assert ImportJob.objects.count() == 0
    assert _files() == []
    _assert_no_card_stored()


def test_a_card_number_met_by_the_job_deletes_the_file_at_once(dispatcher: Any) -> None:
    # A stored file whose card number the upload did not see (stored before this check
    # existed): the dry run refuses the job and deletes the file before anything else.
    tenant, principal, _shipper = dispatcher
    job = _upload(dispatcher, csv_bytes([HEADERS, good_row(1), good_row(2)]))
    row = good_row(1)
    row[6] = _grouped("/")
    with tenant_context(tenant):
        storage.delete_upload(job.file_key)
        key = storage.store_upload(tenant.pk, csv_bytes([HEADERS, row, good_row(2)]))
        ImportJob.objects.filter(pk=job.pk).update(file_key=key)
        job.refresh_from_db()
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        job.refresh_from_db()
        assert Order.objects.count() == 0

    assert (job.status, job.error_code, job.file_key) == (ImportStatus.FAILED, "card_number", "")
    assert job.report == [{"row": 2, "column": "Tên sản phẩm", "code": "card_number", "params": {}}]
    assert _files() == []
    _assert_no_card_stored()


def test_an_unresolved_address_is_reported_with_its_code(dispatcher: Any) -> None:
    tenant, principal, _shipper = dispatcher
    row = good_row(1)
    row[3] = "12 Lê Lợi, Phường Không Có, Hà Nội"
    job = _upload(dispatcher, csv_bytes([HEADERS, row]))
    with tenant_context(tenant):
        import_mapping_confirm(principal=principal, job=job, mapping=job.mapping)
        job.refresh_from_db()

    assert [(i["row"], i["column"], i["code"]) for i in job.report] == [
        (2, "Địa chỉ nhận (*)", "address_commune_unknown")
    ]


def test_an_import_left_waiting_for_a_day_loses_its_file(dispatcher: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from logitrack.imports.services import import_uploads_expire

    tenant, _principal, _shipper = dispatcher
    old = _upload(dispatcher, csv_bytes([HEADERS, good_row(1)]))
    fresh = _upload(dispatcher, csv_bytes([HEADERS, good_row(2)]))
    ImportJob.dangerously_unscoped.filter(pk=old.pk).update(
        updated_at=timezone.now() - timedelta(days=2)
    )

    old_key = old.file_key

    assert import_uploads_expire() == 1

    with tenant_context(tenant):
        old.refresh_from_db()
        fresh.refresh_from_db()
    assert (old.status, old.error_code, old.file_key) == (ImportStatus.FAILED, "import_expired", "")
    assert fresh.status == ImportStatus.UPLOADED
    stems = [path.stem for path in _files()]
    assert fresh.file_key in stems
    assert old_key not in stems
