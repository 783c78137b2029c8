"""Device settings in Debian's chromium against the real HTTPS server: an owner turns camera
blurring off (refused without a reason, then done with one), back on, and sets the RFID
de-duplication window, each saved and shown again on the page."""

from __future__ import annotations

from collections.abc import Iterator

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from .conftest import Owner
from .journeys import desktop_context, goto, sign_in

pytestmark = pytest.mark.browser

SETTINGS = "/operations/devices/plain-http/"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = desktop_context(browser)
    yield context
    context.close()


def test_blurring_off_needs_a_reason_and_the_rfid_window_is_saved(
    context: BrowserContext, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    base = logitrack_server.https_url
    page: Page = context.new_page()
    sign_in(page, base, owner.email)
    goto(page, f"{base}{SETTINGS}")
    blur = page.locator("[data-camera-blur]")

    with page.expect_navigation():
        blur.get_by_role("button", name="Tắt làm mờ").click()
    blur = page.locator("[data-camera-blur]")
    assert "Hãy cho biết" in blur.inner_text()  # refused: no reason given
    assert page.locator("[data-camera-blur-reason]").count() == 0

    blur.locator("textarea[name=reason]").fill("Điều tra sự cố tại cửa 3")
    with page.expect_navigation():
        blur.get_by_role("button", name="Tắt làm mờ").click()
    assert page.locator("[data-camera-blur-reason]").inner_text() == "Điều tra sự cố tại cửa 3"

    with page.expect_navigation():
        page.locator("[data-camera-blur]").get_by_role("button", name="Bật làm mờ").click()
    assert page.locator("[data-camera-blur-reason]").count() == 0

    window = page.locator("[data-rfid-window]")
    window.locator("input[name=window_seconds]").fill("3.5")
    with page.expect_navigation():
        window.get_by_role("button", name="Lưu").click()
    goto(page, f"{base}{SETTINGS}")
    assert page.locator("[data-rfid-window] input[name=window_seconds]").input_value() == "3.5"
