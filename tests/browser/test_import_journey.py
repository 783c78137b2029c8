"""Importing orders from a spreadsheet in chromium: upload, confirm the columns, dry run, import.

The job runs in the worker that ``logitrack serve`` supervises (the database task backend), so
the pages are seen as a person sees them: the progress page refreshes itself until the check and
then the import are done.
"""

from __future__ import annotations

import csv
import io
import subprocess
import time
from collections.abc import Iterator

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page

from .conftest import Owner
from .journeys import desktop_context, goto, sign_in

pytestmark = pytest.mark.browser

JOB_TIMEOUT_S = 90.0

ADD_SHIPPER = """
from logitrack.core.tenant import tenant_context
from logitrack.logistics.models import Shipper
from logitrack.tenancy.models import Tenant
tenant = Tenant.objects.get(name={company!r})
with tenant_context(tenant):
    Shipper.objects.create(tenant=tenant, name="Shop Hoa Mai", street="1 Nguyễn Huệ",
                           ward_code=26740, province_code=79)
"""


def _sheet() -> bytes:
    """A carrier-style sheet: a title block, the header on row 4, one bad phone on row 6."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["SHOP HOA MAI - ĐƠN HÀNG NGÀY 29/11"])
    writer.writerow([])
    writer.writerow(["Ghi chú: các cột (*) là bắt buộc"])
    writer.writerow(
        [
            "Mã đơn hàng",
            "Họ tên người nhận (*)",
            "SĐT người nhận (*)",
            "Địa chỉ nhận (*)",
            "Khối lượng (gram) (*)",
            "Tiền thu hộ (COD)",
        ]
    )
    writer.writerow(
        [
            "HM-1",
            "Nguyễn Văn An",
            "912345678",
            "12 Lê Lợi, Phường Sài Gòn, TP.HCM",
            "500",
            "250.000",
        ]
    )
    writer.writerow(
        ["HM-2", "Trần Thị Bình", "12345", "3 Hai Bà Trưng, Phường Sài Gòn, TP.HCM", "300", "0"]
    )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = desktop_context(browser)
    yield context
    context.close()


def _wait_for(page: Page, url: str, selector: str) -> None:
    """Open ``url`` until ``selector`` is on it (the job finished), as a person reloading."""
    deadline = time.monotonic() + JOB_TIMEOUT_S
    while True:
        goto(page, url)
        if page.locator(selector).count():
            return
        assert time.monotonic() < deadline, f"{selector} never appeared on {url}"
        page.wait_for_timeout(1000)


def test_a_dispatcher_imports_orders_from_a_carrier_sheet(
    context: BrowserContext, owner: Owner, logitrack_server: _server.RunningServer
) -> None:
    base = logitrack_server.https_url
    subprocess.run(
        [str(_server.LOGITRACK), "shell", "-c", ADD_SHIPPER.format(company=owner.company)],
        env=_server.server_env(logitrack_server.data_dir),
        check=True,
        capture_output=True,
        timeout=120,
    )
    page = context.new_page()
    sign_in(page, base, owner.email)

    goto(page, f"{base}/imports/")
    sheet: FilePayload = {"name": "don-hang.csv", "mimeType": "text/csv", "buffer": _sheet()}
    page.set_input_files("#id_file", files=[sheet])
    page.check("input[name=mode][value=valid_rows_only]")
    with page.expect_navigation():
        page.locator("form[action='/imports/new/'] button[type=submit]").click()

    assert "/imports/" in page.url
    detail = page.url
    assert page.locator("#id_column_2").input_value() == "consignee_phone"
    assert page.locator("#id_column_4").input_value() == "weight_grams"
    page.screenshot(path=str(logitrack_server.data_dir / "import-mapping.png"), full_page=True)
    with page.expect_navigation():
        page.locator("form[action$='/mapping/'] button[type=submit]").click()

    _wait_for(page, detail, "form[action$='/run/']")
    assert page.locator("#valid-rows").inner_text() == "1"
    assert page.locator("#invalid-rows").inner_text() == "1"
    problem = page.locator("#report tr[data-code=phone_invalid]")
    assert problem.locator("td").first.inner_text() == "6"
    page.screenshot(path=str(logitrack_server.data_dir / "import-report.png"), full_page=True)
    with page.expect_navigation():
        page.locator("form[action$='/run/'] button[type=submit]").click()

    # Without reloading: the progress box and the status badge above it finish together.
    page.wait_for_selector(
        "#import-progress[data-finished], #created-orders", timeout=JOB_TIMEOUT_S * 1000
    )
    badge = page.locator("#import-status")
    assert page.locator("#import-status.ok").count() == 1, badge.inner_text()
    _wait_for(page, detail, "#import-status.ok")
    assert page.locator("#created-orders").inner_text() == "1"
    assert page.locator("#import-progress").count() == 0
