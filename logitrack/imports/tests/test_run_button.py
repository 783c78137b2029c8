"""The import page offers to create orders only when the dry run allows it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from logitrack.core.tenant import tenant_context
from logitrack.imports.models import ImportJob, ImportStatus
from logitrack.imports.tests.sheets import csv_bytes
from logitrack.logistics.tests.factories import make_shipper
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = ["Họ tên người nhận (*)", "Số điện thoại (*)", "Địa chỉ (*)", "Trọng lượng (kg)"]
GOOD = ["Nguyễn Văn An", "912345678", "12 Lê Lợi, Phường Sài Gòn, TP.HCM", "0,5"]
BAD = ["Trần Thị Bình", "12", "3 Hai Bà Trưng, Phường Sài Gòn, TP.HCM", "1"]


def _checked_page(client: Client, rows: list[list[str]], mode: str) -> str:
    tenant = make_tenant()
    sign_in(client, make_member(tenant, Role.DISPATCHER))
    upload = SimpleUploadedFile("don.csv", csv_bytes([HEADERS, *rows]))
    client.post("/imports/new/", {"file": upload, "shipper": make_shipper(tenant).pk, "mode": mode})
    with tenant_context(tenant):
        job = ImportJob.objects.get()
    form: dict[str, Any] = {"mode": mode, **{f"column_{i}": k for i, k in enumerate(job.mapping)}}
    assert client.post(f"/imports/{job.pk}/mapping/", form).status_code == 302
    with tenant_context(tenant):
        job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED
    return str(client.get(f"/imports/{job.pk}/").content.decode())


def test_all_or_nothing_with_a_bad_row_offers_no_create_button(client: Client) -> None:
    page = _checked_page(client, [GOOD, BAD], "all_or_nothing")

    assert 'id="run-blocked"' in page
    assert "Tạo 1 đơn hàng" not in page
    assert "Create 1 order<" not in page
    assert 'name="mode" value="valid_rows_only"' in page


def test_no_valid_row_offers_no_button_at_all(client: Client) -> None:
    page = _checked_page(client, [BAD], "valid_rows_only")

    assert 'id="run-blocked"' in page
    assert "Tạo 0 đơn hàng" not in page
    assert "Create 0 orders" not in page
    assert "/run/" not in page


def test_valid_rows_only_with_a_bad_row_offers_to_create_the_valid_ones(client: Client) -> None:
    page = _checked_page(client, [GOOD, BAD], "valid_rows_only")

    assert 'id="run-blocked"' not in page
    assert "Tạo 1 đơn hàng" in page or "Create 1 order<" in page
