"""The labels API: files, their order, headers, and the errors partners rely on."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from pypdf import PdfReader

from logitrack.core.testing import HttpsClient
from logitrack.logistics.labels.api import BATCH_MAX
from logitrack.logistics.models import Shipment
from logitrack.logistics.tests.factories import (
    make_order,
    make_order_row,
    make_shipment_row,
    make_shipper,
)
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import bearer, make_api_key, make_member, make_tenant

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
A6_PT = (round(105 * 72 / 25.4, 2), round(148 * 72 / 25.4, 2))


def _client(tenant: Tenant) -> HttpsClient:
    owner = make_member(tenant, Role.OWNER)
    created = make_api_key(owner, {Permission.OPERATIONS_VIEW})
    return HttpsClient(headers={**bearer(created.token), "Accept-Language": "en"})


def _post(client: HttpsClient, body: Any) -> Any:
    return client.post(f"{V1}/labels", data=json.dumps(body), content_type="application/json")


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _waybills(tenant: Tenant, parcels: int = 1) -> list[str]:
    created = make_order(tenant, parcels=parcels)
    return [shipment.waybill for shipment in created.shipments]


def test_a_shipments_label_is_a_pdf_attachment_that_is_not_cached() -> None:
    tenant = make_tenant()
    (waybill,) = _waybills(tenant)

    response = _client(tenant).get(f"{V1}/shipments/{waybill}/label?size=a6")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="label-{waybill}-a6.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A6_PT
    text = page.extract_text()
    assert waybill in text
    assert "Trần Thị Bích" in text
    assert "12 Lê Lợi" in text
    assert "Phường Ba Đình, Thành phố Hà Nội" in text
    assert "COD: 250.000 ₫" in text
    assert "Service: Express" in text
    assert "Weight: 1.000 g" in text
    assert "0912 345 678" in text


def test_the_label_speaks_the_callers_language() -> None:
    tenant = make_tenant()
    (waybill,) = _waybills(tenant)
    client = _client(tenant)

    response = client.get(f"{V1}/shipments/{waybill}/label", headers={"Accept-Language": "vi"})

    (text,) = _pages(response.content)
    assert "NGƯỜI NHẬN" in text
    assert "NGƯỜI GỬI" in text
    assert "Thu hộ COD: 250.000 ₫" in text
    assert "Khối lượng: 1.000 g" in text
    assert "Kiện 1/1" in text


@pytest.mark.parametrize(("dpi", "width", "length"), [(203, 839, 1183), (300, 1240, 1748)])
def test_a_label_as_zpl_has_the_size_of_the_label_at_the_printers_resolution(
    dpi: int, width: int, length: int
) -> None:
    tenant = make_tenant()
    (waybill,) = _waybills(tenant)

    response = _client(tenant).get(f"{V1}/shipments/{waybill}/label?format=zpl&dpi={dpi}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-zpl"
    assert response["Content-Disposition"] == (
        f'attachment; filename="label-{waybill}-a6-{dpi}dpi.zpl"'
    )
    zpl = response.content.decode("utf-8")
    assert zpl.count("^XA") == zpl.count("^XZ") == 1
    assert f"^PW{width}\n^LL{length}\n" in zpl
    assert f"^FD>:{waybill}^FS" in zpl


@pytest.mark.parametrize(
    ("query", "field"),
    [("size=a4", "size"), ("format=png", "format"), ("format=zpl&dpi=600", "dpi")],
)
def test_a_size_format_or_resolution_outside_the_contract_is_422(query: str, field: str) -> None:
    tenant = make_tenant()
    (waybill,) = _waybills(tenant)

    response = _client(tenant).get(f"{V1}/shipments/{waybill}/label?{query}")

    assert response.status_code == 422
    assert field in json.dumps(response.json()["error"])


def test_many_labels_come_as_one_pdf_with_pages_in_the_order_given() -> None:
    tenant = make_tenant()
    first, second = _waybills(tenant, parcels=2)
    (third,) = _waybills(tenant)
    wanted = [third, first, second, first]

    response = _post(_client(tenant), {"waybills": wanted, "size": "100x150"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="labels-4-100x150.pdf"'
    pages = _pages(response.content)
    assert [re.search(r"[A-Z0-9]{12,14}", p.replace(" ", "")) is not None for p in pages]
    assert [next(w for w in (first, second, third) if w in p) for p in pages] == wanted
    assert ["Parcel 1/1" in pages[0], "Parcel 1/2" in pages[1], "Parcel 2/2" in pages[2]] == [
        True,
        True,
        True,
    ]


def test_a_batch_with_another_companys_or_an_unknown_waybill_is_refused_whole() -> None:
    tenant, other = make_tenant(), make_tenant()
    (mine,) = _waybills(tenant)
    (theirs,) = _waybills(other)
    client = _client(tenant)

    foreign = _post(client, {"waybills": [mine, theirs], "size": "a6"})
    malformed = _post(client, {"waybills": [mine, "NOT-A-WAYBILL"], "size": "a6"})
    single = client.get(f"{V1}/shipments/{theirs}/label")

    for response in (foreign, malformed, single):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "waybill_not_found"
        assert theirs not in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        {"waybills": [], "size": "a6"},
        {"waybills": ["X"] * (BATCH_MAX + 1), "size": "a6"},
        {"waybills": ["X"], "size": "A4"},
    ],
)
def test_an_empty_an_oversized_batch_or_a_bad_size_is_422(body: dict[str, Any]) -> None:
    tenant = make_tenant()

    response = _post(_client(tenant), body)

    assert response.status_code == 422


def test_a_converted_address_prints_in_its_new_and_its_old_form() -> None:
    tenant = make_tenant()
    order = make_order_row(
        make_shipper(tenant),
        delivery_legacy_text="12 Lê Lợi, P. Điện Biên, Q. Ba Đình, Hà Nội",
    )
    shipment: Shipment = make_shipment_row(order)

    response = _client(tenant).get(f"{V1}/shipments/{shipment.waybill}/label?size=80x80")

    (text,) = _pages(response.content)
    assert "Phường Ba Đình, Thành phố Hà Nội" in text
    assert "Old address: 12 Lê Lợi, P. Điện Biên, Q. Ba Đình, Hà Nội" in text
