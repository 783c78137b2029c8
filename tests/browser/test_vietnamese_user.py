"""What a Vietnamese user sees, in chromium: phone-width tables, the time-zone picker, dates.

Runs against the same server and owner as test_journeys.py (conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

from .conftest import Owner
from .journeys import desktop_context, goto, sign_in, unique_email

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
# Pages whose main content is a table of people, keys or sessions.
TABLE_PAGES = ["/company/members/", "/company/api-keys/", "/company/permissions/"]
VI_DATETIME = re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$")
EN_DATETIME = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}$")


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    yield context
    context.close()


def _page_width(page: Page) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def test_tables_fit_a_390_px_phone_without_sideways_scrolling(
    phone: BrowserContext,
    logitrack_server: _server.RunningServer,
    owner: Owner,
    tmp_path: Path,
) -> None:
    base = logitrack_server.https_url
    page = phone.new_page()
    sign_in(page, base, owner.email)
    # Rows with long content: an API key with a long name, an invitation to a long address.
    goto(page, f"{base}/company/api-keys/")
    page.fill("#id_name", "Website bán hàng của chi nhánh Thành phố Hồ Chí Minh")
    page.locator("input[name=permissions]").first.check()
    with page.expect_navigation():
        page.locator("main form[action='/company/api-keys/new/'] button[type=submit]").click()
    goto(page, f"{base}/company/members/invite/")
    page.fill("#id_email", unique_email("nguyen.thi.thanh.huong.phong.kinh.doanh"))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    widths = {}
    for path in TABLE_PAGES:
        goto(page, f"{base}{path}")
        assert page.locator("main table").count() >= 1, path
        widths[path] = _page_width(page)
        shot = tmp_path / f"phone{path.replace('/', '-').rstrip('-')}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5 * 1024

    assert widths == dict.fromkeys(TABLE_PAGES, PHONE["width"])


def test_the_time_zone_picker_offers_ho_chi_minh_first_and_saves_a_typed_zone(
    browser: Browser, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    base = logitrack_server.https_url
    context = desktop_context(browser)
    try:
        page = context.new_page()
        sign_in(page, base, owner.email)
        goto(page, f"{base}/account/")
        box = page.locator("#id_time_zone")
        assert box.get_attribute("list") == "time-zones"
        assert box.input_value() == "Asia/Ho_Chi_Minh"
        options = page.locator("#time-zones option")
        assert options.first.get_attribute("value") == "Asia/Ho_Chi_Minh"
        assert options.count() > 300

        box.fill("Asia/Bangkok")
        with page.expect_navigation():
            page.locator("main form:not(.account-inline) button[type=submit]").click()
        goto(page, f"{base}/account/")
        assert page.locator("#id_time_zone").input_value() == "Asia/Bangkok"
        # Back, so the other journeys see the owner as they left them.
        page.locator("#id_time_zone").fill("Asia/Ho_Chi_Minh")
        with page.expect_navigation():
            page.locator("main form:not(.account-inline) button[type=submit]").click()
    finally:
        context.close()


def test_session_times_read_day_first_in_vietnamese_and_unambiguous_in_english(
    browser: Browser, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    base = logitrack_server.https_url
    context = desktop_context(browser)
    try:
        page = context.new_page()
        sign_in(page, base, owner.email)
        goto(page, f"{base}/account/sessions/")
        vietnamese = page.locator(".session-current time").first.inner_text().strip()
        with page.expect_navigation():
            page.select_option("#language-select", "en")
        english = page.locator(".session-current time").first.inner_text().strip()
        with page.expect_navigation():
            page.select_option("#language-select", "vi")
    finally:
        context.close()

    assert VI_DATETIME.fullmatch(vietnamese), vietnamese
    assert EN_DATETIME.fullmatch(english), english
