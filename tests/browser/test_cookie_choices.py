"""Cookie choices in Debian's chromium against the real HTTPS server (issue 11, points 3 and 4):
before a choice, after Reject and with Global Privacy Control, only strictly necessary cookies
exist and no analytics script or request; after Accept the script reports a page view that is
stored; changing the choice back to Reject from the footer removes the analytics cookie and stops
the requests."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request

from .journeys import desktop_context, goto

pytestmark = pytest.mark.browser

NECESSARY = {
    "__Host-logitrack_session",
    "__Host-logitrack_csrf",
    "__Host-logitrack_lang",
    "__Host-logitrack_cookies",
    "messages",
}
ANALYTICS_COOKIE = "__Host-logitrack_aid"
SCRIPT = "/static/analytics/collect"
COLLECT = "/a/collect"


class Watched:
    """Every request a page makes, kept for assertions about analytics traffic."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        page.on("request", self._seen)

    def _seen(self, request: Request) -> None:
        self.urls.append(request.url)

    def analytics(self) -> list[str]:
        return [url for url in self.urls if COLLECT in url or SCRIPT in url]


def _cookie_names(context: BrowserContext) -> set[str]:
    return {cookie["name"] for cookie in context.cookies()}


def _page_views(server: _server.RunningServer) -> int:
    database = server.data_dir / "logitrack.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM analytics_pageview").fetchone()
    return int(count)


def _wait_for_views(server: _server.RunningServer, at_least: int, timeout: float = 15.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        count = _page_views(server)
        if count >= at_least or time.monotonic() > deadline:
            return count
        time.sleep(0.25)


def _browse(page: Page, base: str) -> None:
    for path in ("/", "/privacy/", "/login/", "/privacy/cookies/"):
        goto(page, f"{base}{path}")
        page.wait_for_load_state("networkidle")


def _choose(page: Page, value: str) -> None:
    """Click the banner's (or settings page's) button with this value and wait for the page."""
    with page.expect_navigation():
        page.locator(f"button[name=choice][value={value}]").first.click()
    page.wait_for_load_state("networkidle")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = desktop_context(browser, locale="en-GB")
    yield context
    context.close()


@pytest.fixture
def gpc_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        locale="en-GB",
        extra_http_headers={"Sec-GPC": "1"},
    )
    context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
    )
    yield context
    context.close()


def test_a_fresh_visit_sets_only_necessary_cookies_and_loads_no_analytics(
    context: BrowserContext, logitrack_server: _server.RunningServer
) -> None:
    page = context.new_page()
    watched = Watched(page)
    base = logitrack_server.https_url

    _browse(page, base)

    banner = page.locator("[data-cookie-banner]")
    assert banner.is_visible()
    buttons = [
        banner.locator("button[value=accept]"),
        banner.locator("button[value=reject]"),
        banner.locator("summary"),
    ]
    boxes = [button.bounding_box() for button in buttons]
    assert all(box is not None for box in boxes)
    heights = {round(box["height"]) for box in boxes if box is not None}
    widths = {round(box["width"]) for box in boxes if box is not None}
    assert len(heights) == 1, boxes  # the three choices weigh the same
    assert max(widths) - min(widths) <= max(widths) // 4, boxes
    styles = {button.evaluate("e => getComputedStyle(e).backgroundColor") for button in buttons}
    assert len(styles) == 1, styles
    assert _cookie_names(context) <= NECESSARY
    assert watched.analytics() == []
    assert page.locator(f"script[src*='{SCRIPT}']").count() == 0


def test_after_reject_nothing_but_necessary_cookies_while_browsing(
    context: BrowserContext, logitrack_server: _server.RunningServer
) -> None:
    page = context.new_page()
    watched = Watched(page)
    base = logitrack_server.https_url
    goto(page, f"{base}/privacy/")

    _choose(page, "reject")
    _browse(page, base)

    assert page.url == f"{base}/privacy/cookies/"
    assert page.locator("[data-cookie-banner]").count() == 0
    assert "__Host-logitrack_cookies" in _cookie_names(context)
    assert _cookie_names(context) <= NECESSARY
    assert watched.analytics() == []


def test_global_privacy_control_is_honoured_as_a_refusal(
    gpc_context: BrowserContext, logitrack_server: _server.RunningServer
) -> None:
    page = gpc_context.new_page()
    watched = Watched(page)
    base = logitrack_server.https_url

    _browse(page, base)

    assert page.evaluate("navigator.globalPrivacyControl") is True
    assert page.locator("[data-gpc-honoured]").first.is_visible()
    assert page.locator("[data-cookie-banner] button[value=accept]").count() == 0
    # Even a stored "accept all" (made before GPC was switched on) loads nothing.
    page.evaluate(
        """async ([url, token]) => {
            const body = new URLSearchParams({choice: "accept", next: "/"});
            await fetch(url, {method: "POST", body, headers: {"X-CSRFToken": token}});
        }""",
        [f"{base}/privacy/cookies/choice", _csrf(page)],
    )
    assert "__Host-logitrack_cookies" in _cookie_names(gpc_context)
    _browse(page, base)
    assert _cookie_names(gpc_context) <= NECESSARY
    assert watched.analytics() == []


def _csrf(page: Page) -> str:
    value = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    assert value
    return value


def test_accept_then_reject_from_the_footer(
    context: BrowserContext, logitrack_server: _server.RunningServer
) -> None:
    page = context.new_page()
    watched = Watched(page)
    base = logitrack_server.https_url
    goto(page, f"{base}/privacy/")
    before = _page_views(logitrack_server)

    _choose(page, "accept")  # back on /privacy/ with the script in the page
    goto(page, f"{base}/login/")
    page.wait_for_load_state("networkidle")

    assert page.locator(f"script[src*='{SCRIPT}']").count() == 1
    assert any(COLLECT in url for url in watched.urls)
    assert _wait_for_views(logitrack_server, before + 2) >= before + 2
    assert ANALYTICS_COOKIE in _cookie_names(context)

    page.locator("footer [data-cookie-settings]").click()
    page.wait_for_url(f"{base}/privacy/cookies/#settings")
    with page.expect_navigation():
        page.locator("#settings form.cookie-actions button[value=reject]").click()
    page.wait_for_load_state("networkidle")
    watched.urls.clear()
    stored = _page_views(logitrack_server)
    _browse(page, base)

    assert ANALYTICS_COOKIE not in _cookie_names(context)
    assert _cookie_names(context) <= NECESSARY
    assert watched.analytics() == []
    assert _page_views(logitrack_server) == stored


def test_customise_works_without_javascript(
    browser: Browser, logitrack_server: _server.RunningServer
) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="en-GB", java_script_enabled=False
    )
    try:
        page = context.new_page()
        base = logitrack_server.https_url
        goto(page, f"{base}/privacy/")
        page.locator("[data-cookie-banner] summary").click()
        page.locator("#banner-analytics").check()
        with page.expect_navigation():
            page.locator("[data-cookie-banner] button[value=save]").click()

        assert page.url == f"{base}/privacy/"
        assert page.locator("[data-cookie-banner]").count() == 0
        assert page.locator(f"script[src*='{SCRIPT}']").count() == 1
    finally:
        context.close()
