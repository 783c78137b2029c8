"""Breach journey in Debian's chromium against the real HTTPS server: Logitrack's privacy
officer registers a breach through the form, sees the 72-hour timer, computes the affected
people and tenants, and downloads the Vietnamese report to the authority as a PDF."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import _server  # bench/_server.py, put on sys.path by conftest.py
import pypdfium2
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from .journeys import (
    PASSWORD,
    desktop_context,
    goto,
    shell_json,
    sign_in,
    unique_email,
    unique_tax_code,
)

pytestmark = pytest.mark.browser

_SETUP = """
import json
from logitrack.accounts.models import User
from logitrack.logistics.tests.factories import make_order_row, make_shipper
from logitrack.tenancy.tests.factories import make_tenant
officer = User.objects.create_user(
    email={email!r}, password={password!r}, full_name="Phạm Thu Hà",
    platform_role="privacy_officer",
)
tenant = make_tenant("Công ty Giao nhận Sông Hàn", tax_code={tax_code!r})
make_order_row(make_shipper(tenant))
make_order_row(make_shipper(tenant))
print(json.dumps({{"tenant": tenant.pk, "name": tenant.name}}))
"""


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = desktop_context(browser)
    yield context
    context.close()


def test_the_privacy_officer_registers_a_breach_and_downloads_the_authority_report(
    context: BrowserContext, logitrack_server: _server.RunningServer, tmp_path: Path
) -> None:
    base = logitrack_server.https_url
    email = unique_email("privacy")
    made = shell_json(
        logitrack_server, _SETUP.format(email=email, password=PASSWORD, tax_code=unique_tax_code())
    )
    page: Page = context.new_page()
    sign_in(page, base, email)
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    fmt = "%Y-%m-%dT%H:%M"

    goto(page, f"{base}/staff/privacy/breaches/")
    page.fill("#id_discovered_at", (now - timedelta(minutes=30)).strftime(fmt))
    page.fill("#id_occurred_from", (now - timedelta(days=1)).strftime(fmt))
    page.fill("#id_occurred_until", (now + timedelta(minutes=5)).strftime(fmt))
    page.fill("#id_nature", "Truy cập trái phép vào cơ sở dữ liệu")
    page.fill("#id_description", "Một khoá truy cập bị lộ trên kho mã công khai.")
    page.check("input[name=categories][value='user.contact.phone_number']")
    page.check("input[name=affected_models][value='logistics.order']")
    page.fill("#id_approx_subjects", "2")
    page.fill("#id_approx_records", "2")
    page.fill("#id_measures", "Đã thu hồi khoá và đổi mật khẩu cơ sở dữ liệu.")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng ký sự cố").click()

    timer = page.locator("[data-timer]").inner_text()
    assert "còn" in timer, timer
    assert "giờ" in timer, timer
    with page.expect_navigation():
        page.locator("[data-assess]").click()
    tenant_row = page.locator(f"[data-tenant='{made['tenant']}']")
    assert made["name"] in tenant_row.inner_text()
    assert page.locator("[data-kind='consignee'] [data-count]").inner_text() != "0"

    with page.expect_download() as download_info:
        page.locator("[data-report]").click()
    target = tmp_path / "report.pdf"
    download_info.value.save_as(target)
    document = pypdfium2.PdfDocument(target.read_bytes())
    pages = (document[i].get_textpage().get_text_range() for i in range(len(document)))
    text = " ".join(" ".join(pages).split())
    assert "VI PHẠM QUY ĐỊNH VỀ BẢO VỆ DỮ LIỆU CÁ NHÂN" in text
    assert "Truy cập trái phép vào cơ sở dữ liệu" in text
    assert "Số điện thoại (user.contact.phone_number)" in text
