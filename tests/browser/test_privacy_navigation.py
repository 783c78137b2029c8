"""The privacy pages as a new person finds them on a 390-pixel phone, in Debian's chromium
against the real HTTPS server: a company owner reaches the consents of consignees and drivers
from the menu, Logitrack's privacy officer reaches the breach register from the menu, and the
cookie page and the officer's partners form fit the screen without sideways scrolling; the
officer who edits a draft and presses Publish at once publishes what they typed."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize

from .conftest import Owner
from .journeys import PASSWORD, goto, sign_in, submit, unique_email

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}

_OFFICER = """
from logitrack.accounts.models import User
User.objects.create_user(
    email={email!r}, password={password!r}, full_name="Phạm Thu Hà",
    platform_role="privacy_officer",
)
"""


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    yield context
    context.close()


def _officer(server: _server.RunningServer) -> str:
    email = unique_email("officer")
    done = subprocess.run(
        [str(_server.LOGITRACK), "shell", "-c", _OFFICER.format(email=email, password=PASSWORD)],
        env=_server.server_env(server.data_dir),
        cwd=_server.REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return email


def _follow_menu(page: Page, link_name: str) -> None:
    page.get_by_role("button", name="Menu").click()
    with page.expect_navigation():
        page.locator("#site-nav").get_by_role("link", name=link_name, exact=True).click()


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def test_an_owner_finds_the_consents_of_consignees_and_drivers_in_the_menu(
    phone: BrowserContext, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    page = phone.new_page()
    sign_in(page, logitrack_server.https_url, owner.email)

    _follow_menu(page, "Sự đồng ý")

    assert page.url == f"{logitrack_server.https_url}/operations/consents/"
    assert page.locator("h1").first.inner_text() == "Sự đồng ý của người nhận hàng và tài xế"


def test_the_privacy_officer_finds_the_breach_register_in_the_menu(
    phone: BrowserContext, logitrack_server: _server.RunningServer
) -> None:
    base = logitrack_server.https_url
    page = phone.new_page()
    sign_in(page, base, _officer(logitrack_server))

    _follow_menu(page, "Sự cố")

    assert page.url == f"{base}/staff/privacy/breaches/"
    _fits_the_screen(page)


def test_the_partners_form_of_the_privacy_officer_fits_a_phone(
    phone: BrowserContext, logitrack_server: _server.RunningServer
) -> None:
    base = logitrack_server.https_url
    page = phone.new_page()
    sign_in(page, base, _officer(logitrack_server))

    goto(page, f"{base}/staff/privacy/partners/")

    _fits_the_screen(page)


def test_the_cookie_page_fits_a_phone_with_every_choice_on_screen(
    phone: BrowserContext, logitrack_server: _server.RunningServer
) -> None:
    page = phone.new_page()
    goto(page, f"{logitrack_server.https_url}/privacy/cookies/")

    _fits_the_screen(page)
    for name in ("Lưu lựa chọn", "Chấp nhận tất cả", "Từ chối tất cả"):
        box = page.locator("#settings").get_by_role("button", name=name).bounding_box()
        assert box is not None, name
        assert box["x"] >= 0, (name, box)
        assert box["x"] + box["width"] <= PHONE["width"], (name, box)


def test_the_privacy_officer_publishes_the_text_as_typed_without_saving_first(
    phone: BrowserContext, logitrack_server: _server.RunningServer
) -> None:
    base = logitrack_server.https_url
    page = phone.new_page()
    sign_in(page, base, _officer(logitrack_server))
    goto(page, f"{base}/staff/privacy/policies/")
    submit(page, "Soạn phiên bản mới")
    number = page.locator("[data-policy-staff-version]").get_attribute("data-policy-staff-version")

    page.fill("#id_summary", "Làm rõ mục cookie.")
    page.fill("#id_body_vi", "## 1. Cookie\n\nChúng tôi chỉ dùng cookie thiết yếu khi chưa chọn.")
    page.fill("#id_body_en", "## 1. Cookies\n\nOnly necessary cookies until you choose.")
    submit(page, f"Công bố phiên bản {number}")

    assert page.url == f"{base}/staff/privacy/policies/"
    goto(page, f"{base}/privacy/policy/v/{number}/?text=en")
    assert "Only necessary cookies until you choose." in page.locator("main").inner_text()
