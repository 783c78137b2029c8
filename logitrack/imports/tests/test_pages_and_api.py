"""The import pages and API end to end with the Django client (the job runs at once)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from logitrack.core.tenant import tenant_context
from logitrack.imports.models import ImportJob, ImportStatus
from logitrack.imports.tests.sheets import csv_bytes, xlsx_bytes
from logitrack.logistics.models import Order
from logitrack.logistics.tests.factories import make_shipper
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import (
    bearer,
    make_api_key,
    make_member,
    make_tenant,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = ["Họ tên người nhận (*)", "Số điện thoại (*)", "Địa chỉ (*)", "Trọng lượng (kg)"]
ROWS = [
    ["Nguyễn Văn An", "912345678", "12 Lê Lợi, Phường Sài Gòn, TP.HCM", "0,5"],
    ["Trần Thị Bình", "12", "3 Hai Bà Trưng, Phường Sài Gòn, TP.HCM", "1"],
]


@pytest.fixture
def setup() -> Any:
    tenant = make_tenant()
    membership = make_member(tenant, Role.DISPATCHER)
    shipper = make_shipper(tenant)
    return tenant, membership, shipper


def test_the_page_journey_uploads_checks_and_imports_the_valid_rows(
    client: Client, setup: Any
) -> None:
    tenant, membership, shipper = setup
    sign_in(client, membership)
    assert client.get("/imports/").status_code == 200
    upload = SimpleUploadedFile("don.csv", csv_bytes([["Danh sách"], [], HEADERS, *ROWS]))

    response = client.post(
        "/imports/new/", {"file": upload, "shipper": shipper.pk, "mode": "valid_rows_only"}
    )

    with tenant_context(tenant):
        job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{job.pk}/"
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Trọng lượng (kg)" in page
    form = {"mode": "valid_rows_only", **{f"column_{i}": k for i, k in enumerate(job.mapping)}}

    assert client.post(f"/imports/{job.pk}/mapping/", form).status_code == 302

    page = client.get(f"/imports/{job.pk}/").content.decode()
    with tenant_context(tenant):
        job.refresh_from_db()
        assert Order.objects.count() == 0
    assert job.status == ImportStatus.VALIDATED
    assert 'data-code="phone_invalid"' in page
    assert client.post(f"/imports/{job.pk}/run/", {"mode": "valid_rows_only"}).status_code == 302
    with tenant_context(tenant):
        job.refresh_from_db()
        assert Order.objects.count() == 1
        assert Order.objects.get().shipments.get().weight_g == 500
    assert (job.status, job.created_orders) == (ImportStatus.DONE, 1)


def test_the_menu_names_the_imports_once_and_the_progress_carries_the_status_badge(
    client: Client, setup: Any
) -> None:
    tenant, membership, shipper = setup
    sign_in(client, membership)

    def menu(page: str) -> str:
        return page.split('<nav id="site-nav"', 1)[1].split("</nav>", 1)[0]

    listing = client.get("/imports/").content.decode()
    assert menu(listing).count('href="/imports/"') == 1
    upload = SimpleUploadedFile("don.csv", csv_bytes([["Danh sách"], [], HEADERS, *ROWS]))
    client.post("/imports/new/", {"file": upload, "shipper": shipper.pk, "mode": "valid_rows_only"})
    with tenant_context(tenant):
        job = ImportJob.objects.get()
    detail = client.get(f"/imports/{job.pk}/").content.decode()
    assert menu(detail).count('href="/imports/"') == 1
    assert detail.count('id="import-status"') == 1

    fragment = client.get(f"/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()

    # htmx swaps the badge by its id from the fragment that refreshes the progress.
    assert 'id="import-status" hx-swap-oob="true"' in fragment
    assert fragment.count('id="import-status"') == 1


def test_an_executable_named_csv_is_refused_on_the_page(client: Client, setup: Any) -> None:
    tenant, membership, shipper = setup
    sign_in(client, membership)
    upload = SimpleUploadedFile("don.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff")

    response = client.post(
        "/imports/new/", {"file": upload, "shipper": shipper.pk, "mode": "all_or_nothing"}
    )

    assert response.status_code == 400
    assert "neither a CSV file nor an Excel workbook" in response.content.decode() or (
        "không phải" in response.content.decode()
    )
    with tenant_context(tenant):
        assert ImportJob.objects.count() == 0


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_template_downloads_as_an_attachment(client: Client, kind: str) -> None:
    response = client.get(f"/imports/template.{kind}")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="logitrack-don-hang.{kind}"'


def test_the_api_runs_an_import_with_an_api_key(client: Client, setup: Any) -> None:
    tenant, _membership, shipper = setup
    owner = make_member(tenant, Role.OWNER)
    headers = bearer(make_api_key(owner, permissions={Permission.OPERATIONS_MANAGE}).token)
    data = xlsx_bytes([HEADERS, ROWS[0]])

    created = client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("don.xlsx", data), "shipper_id": shipper.pk},
        headers=headers,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert [c["field"] for c in body["columns"]] == [
        "consignee_name",
        "consignee_phone",
        "address",
        "weight_kg",
    ]
    confirmed = client.post(
        f"/api/v1/imports/{body['id']}/mapping",
        json.dumps({"mapping": [c["field"] for c in body["columns"]]}),
        content_type="application/json",
        headers=headers,
    )
    assert confirmed.status_code == 202
    checked = client.get(f"/api/v1/imports/{body['id']}", headers=headers).json()
    assert (checked["status"], checked["valid_rows"], checked["report"]) == ("validated", 1, [])

    ran = client.post(f"/api/v1/imports/{body['id']}/run", headers=headers)

    assert ran.status_code == 202
    done = client.get(f"/api/v1/imports/{body['id']}", headers=headers).json()
    assert (done["status"], done["created_orders"], done["percent"]) == ("done", 1, 100)


def test_the_api_refuses_a_decompression_bomb_with_its_code(client: Client, setup: Any) -> None:
    from logitrack.imports.tests.sheets import with_extra_member

    tenant, _membership, shipper = setup
    owner = make_member(tenant, Role.OWNER)
    token = make_api_key(owner, permissions={Permission.OPERATIONS_MANAGE}).token
    bomb = with_extra_member(xlsx_bytes([HEADERS, ROWS[0]]), "xl/media/x.bin", b"\0" * 30_000_000)

    response = client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("don.xlsx", bomb), "shipper_id": shipper.pk},
        headers=bearer(token),
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "xlsx_too_large"
    with tenant_context(tenant):
        assert ImportJob.objects.count() == 0


def test_the_api_refuses_another_tenants_shipper_at_upload(client: Client, setup: Any) -> None:
    tenant, _membership, _own_shipper = setup
    owner = make_member(tenant, Role.OWNER)
    headers = bearer(make_api_key(owner, permissions={Permission.OPERATIONS_MANAGE}).token)
    foreign = make_shipper(make_tenant())
    data = xlsx_bytes([HEADERS, ROWS[0]])

    response = client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("don.xlsx", data), "shipper_id": foreign.pk},
        headers=headers,
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "shipper_not_found"
    with tenant_context(tenant):
        assert ImportJob.objects.count() == 0


def test_the_api_refuses_a_card_number_in_the_header_without_echoing_it(
    client: Client, setup: Any
) -> None:
    tenant, _membership, shipper = setup
    owner = make_member(tenant, Role.OWNER)
    token = make_api_key(owner, permissions={Permission.OPERATIONS_MANAGE}).token
    data = csv_bytes([[*HEADERS, "4111\u00a01111\u00a01111\u00a01111"], [*ROWS[0], ""]])

    response = client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("don.csv", data), "shipper_id": shipper.pk},
        headers=bearer(token),
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "card_number_in_header"
    assert "1111" not in response.content.decode()
    with tenant_context(tenant):
        assert ImportJob.objects.count() == 0


def test_the_api_refuses_another_tenants_shipper_at_mapping(client: Client, setup: Any) -> None:
    tenant, _membership, own_shipper = setup
    owner = make_member(tenant, Role.OWNER)
    headers = bearer(make_api_key(owner, permissions={Permission.OPERATIONS_MANAGE}).token)
    foreign = make_shipper(make_tenant())
    created = client.post(
        "/api/v1/imports",
        {
            "file": SimpleUploadedFile("don.xlsx", xlsx_bytes([HEADERS, ROWS[0]])),
            "shipper_id": own_shipper.pk,
        },
        headers=headers,
    ).json()

    response = client.post(
        f"/api/v1/imports/{created['id']}/mapping",
        json.dumps({"mapping": [c["field"] for c in created["columns"]], "shipper_id": foreign.pk}),
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "shipper_not_found"
    with tenant_context(tenant):
        job = ImportJob.objects.get(pk=created["id"])
    assert (job.status, job.shipper_id) == (ImportStatus.UPLOADED, own_shipper.pk)


def test_the_api_answers_a_card_number_in_a_cell_with_a_refused_job_and_its_place(
    client: Client, setup: Any
) -> None:
    tenant, _membership, shipper = setup
    owner = make_member(tenant, Role.OWNER)
    token = make_api_key(owner, permissions={Permission.OPERATIONS_MANAGE}).token
    row = [*ROWS[0][:3], "card4111111111111111"]
    data = csv_bytes([HEADERS, row])

    response = client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("don.csv", data), "shipper_id": shipper.pk},
        headers=bearer(token),
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "failed"
    assert [(i["row"], i["column"], i["code"]) for i in body["report"]] == [
        (2, "Trọng lượng (kg)", "card_number")
    ]
    assert "1111" not in response.content.decode()
    with tenant_context(tenant):
        assert Order.objects.count() == 0
