"""Journeys changed by the issue 7 fixes, in Debian's chromium against the real HTTPS server:
an order whose delivery address is typed in the pre-2025 form (no pickers), the two-step bulk
cancel without JavaScript, and waybills that never wrap in the shipments list."""

from __future__ import annotations

from collections.abc import Iterator

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from . import test_operations as operations
from .conftest import Owner
from .journeys import desktop_context, goto, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = desktop_context(browser)
    yield context
    context.close()


@pytest.fixture
def owner_page(
    context: BrowserContext, logitrack_server: _server.RunningServer, owner: Owner
) -> Page:
    page = context.new_page()
    sign_in(page, logitrack_server.https_url, owner.email)
    return page


def test_an_order_with_a_legacy_address_typed_in_full_is_created(
    owner_page: Page, logitrack_server: _server.RunningServer
) -> None:
    base = logitrack_server.https_url
    operations.create_order(owner_page, base, phone=operations._phone())  # a shipper exists now
    goto(owner_page, f"{base}/operations/orders/new/")
    owner_page.fill("#id_consignee_name", "Phạm Thị Hoa")
    owner_page.fill("#id_consignee_phone", operations._phone())
    owner_page.fill("#id_delivery_street", "12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM")
    owner_page.fill("#id_weight_g", "500")
    owner_page.fill("#id_item_1_description", "Nón lá")
    with owner_page.expect_navigation() as navigation:
        owner_page.locator("[data-save-order]").click()

    response = navigation.value
    assert response is not None
    assert response.ok, owner_page.content()[:2000]
    text = owner_page.locator("main").inner_text()
    assert "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh" in text
    assert "P. Bến Thành, Q.1, TP.HCM" in text


def test_bulk_cancel_is_confirmed_on_a_second_page_without_javascript(
    owner_page: Page,
    browser: Browser,
    logitrack_server: _server.RunningServer,
    owner: Owner,
) -> None:
    base = logitrack_server.https_url
    waybills = operations.create_order(owner_page, base, phone=operations._phone(), parcels=2)
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    try:
        page = context.new_page()
        sign_in(page, base, owner.email)
        goto(page, f"{base}/operations/shipments/")
        for waybill in waybills:
            page.check(f"#pick-{waybill}")

        with page.expect_navigation():
            page.locator("[data-bulk-cancel]").click()
        assert page.locator("[data-cancel-confirm]").count() == 1
        other = context.new_page()
        goto(other, f"{base}/operations/shipments/{waybills[0]}/")
        assert other.locator("[data-status]").inner_text() == "Đã tạo"

        with page.expect_navigation():
            page.locator("[data-confirm-cancel]").click()
        assert "2 vận đơn đã được hủy." in page.content()
        goto(other, f"{base}/operations/shipments/{waybills[0]}/")
        assert other.locator("[data-status]").inner_text() == "Đã hủy"
    finally:
        context.close()


def test_waybills_do_not_wrap_in_the_shipments_list(
    owner_page: Page, logitrack_server: _server.RunningServer
) -> None:
    base = logitrack_server.https_url
    operations.create_order(owner_page, base, phone=operations._phone())
    owner_page.set_viewport_size({"width": 360, "height": 800})
    goto(owner_page, f"{base}/operations/shipments/")

    link = owner_page.locator("[data-shipments] tbody tr a.mono").first
    style = link.evaluate("e => getComputedStyle(e).whiteSpace")
    lines = link.evaluate("e => e.getClientRects().length")

    assert style == "nowrap"
    assert lines == 1
