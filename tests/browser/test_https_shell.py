"""The page shell as a person's browser sees it: trusted HTTPS, language switch, phone layout.

Every test drives Debian's chromium against ``logitrack serve`` (see conftest.py). Chromium
trusts the local CA through its NSS database; nothing here ignores certificate errors.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.utils import translation
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    ViewportSize,
)
from playwright.sync_api import Error as PlaywrightError

from .chromium import BrowserTools, launch_chromium, make_nss_home

pytestmark = pytest.mark.browser

LANGUAGE_COOKIE = "__Host-logitrack_lang"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
MIN_SCREENSHOT_BYTES = 5 * 1024
# A browser language Logitrack does not offer, so the site's own default applies.
UNOFFERED_LOCALE = "fr-FR"

# Reports Content-Security-Policy violations from the page to the test (init scripts are
# injected by the browser, not by the page, so the page's CSP does not apply to this one).
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__logitrackCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}`
  );
});
"""


def _translated(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def _ca_common_name(ca_file: Path) -> str:
    cert = x509.load_pem_x509_certificate(ca_file.read_bytes())
    value = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    return value if isinstance(value, str) else value.decode()


class Problems:
    """Console errors, uncaught exceptions and CSP violations seen by the pages of a context."""

    def __init__(self, context: BrowserContext) -> None:
        self.messages: list[str] = []
        context.expose_binding(
            "__logitrackCspViolation", lambda _source, text: self.messages.append(f"CSP: {text}")
        )
        context.add_init_script(CSP_REPORTER)
        context.on("page", self.watch)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.messages.append(f"console error: {message.text} ({message.location})")


@pytest.fixture
def desktop(browser: Browser) -> Iterator[tuple[Page, Problems]]:
    context = browser.new_context(viewport=DESKTOP, locale=UNOFFERED_LOCALE)
    problems = Problems(context)
    yield context.new_page(), problems
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[tuple[Page, Problems]]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    problems = Problems(context)
    yield context.new_page(), problems
    context.close()


def _screenshot(page: Page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    assert path.is_file(), path
    size = path.stat().st_size
    assert size > MIN_SCREENSHOT_BYTES, f"{path.name} is only {size} bytes"


def _html_lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def _nav_sign_in(page: Page) -> str:
    return page.locator("#site-nav a[href='/login/']").inner_text().strip()


def _goto(page: Page, url: str) -> Response:
    response = page.goto(url)
    assert response is not None, url
    assert response.ok, f"{url}: HTTP {response.status}"
    return response


def test_https_shell_language_switch_and_cookie(
    desktop: tuple[Page, Problems], logitrack_server: _server.RunningServer, tmp_path: Path
) -> None:
    page, problems = desktop
    base = logitrack_server.https_url

    # Trusted HTTPS: the navigation would fail with ERR_CERT_AUTHORITY_INVALID otherwise.
    response = _goto(page, f"{base}/")
    details = response.security_details()
    assert details is not None
    assert details.get("protocol") in {"TLS 1.3", "TLS 1.2"}, details
    assert details.get("issuer") == _ca_common_name(logitrack_server.ca_file), details
    assert str(details.get("issuer", "")).startswith("Logitrack local CA"), details
    assert details.get("subjectName") == "localhost", details
    assert float(details.get("validTo") or 0) > time.time(), details
    headers = response.headers
    assert "nonce-" in headers.get("content-security-policy", ""), headers
    assert headers.get("strict-transport-security", "").startswith("max-age="), headers

    # Vietnamese is the default for a browser whose language Logitrack does not offer.
    assert _html_lang(page) == "vi"
    assert page.locator("#language-select").input_value() == "vi"
    assert _nav_sign_in(page) == _translated("vi", "Sign in")
    # app.js ran under the CSP: it hides the no-JS submit button of the language form.
    assert page.locator("button[data-autosubmit-fallback]").is_hidden()
    _screenshot(page, tmp_path / "desktop-home-vi.png")

    # Choosing English in the select submits the form by itself (app.js) and reloads the page.
    with page.expect_navigation(url=f"{base}/"):
        page.select_option("#language-select", "en")
    assert _html_lang(page) == "en"
    assert _nav_sign_in(page) == "Sign in"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Logistics operations")

    # The choice persists in the language cookie, which a new navigation sends back.
    _goto(page, f"{base}/login/")
    assert _html_lang(page) == "en"
    assert page.get_by_role("heading", name="Sign in to Logitrack").is_visible()
    assert page.locator("#language-select").input_value() == "en"
    cookies = {cookie.get("name"): cookie for cookie in page.context.cookies()}
    lang_cookie = cookies.get(LANGUAGE_COOKIE)
    assert lang_cookie is not None, sorted(str(name) for name in cookies)
    assert lang_cookie.get("value") == "en"
    assert lang_cookie.get("secure") is True
    assert lang_cookie.get("sameSite") == "Lax"
    assert lang_cookie.get("httpOnly") is True
    assert lang_cookie.get("path") == "/"
    assert lang_cookie.get("domain") == "127.0.0.1"  # host-only, as __Host- requires
    assert float(lang_cookie.get("expires", 0)) > time.time() + 300 * 86400
    for name, cookie in cookies.items():
        assert cookie.get("secure") is True, f"cookie {name} is not Secure"
        assert cookie.get("sameSite") == "Lax", f"cookie {name} is not SameSite=Lax"
    _screenshot(page, tmp_path / "desktop-login-en.png")

    assert problems.messages == []


def test_phone_layout(
    phone: tuple[Page, Problems], logitrack_server: _server.RunningServer, tmp_path: Path
) -> None:
    page, problems = phone
    _goto(page, f"{logitrack_server.https_url}/")
    assert _html_lang(page) == "vi"
    # Narrow screens fold the navigation behind the menu button, which app.js reveals.
    toggle = page.locator("[data-nav-toggle]")
    assert toggle.is_visible()
    nav_link = page.locator("#site-nav a[href='/login/']")
    assert nav_link.is_hidden()
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= PHONE["width"], f"the page scrolls sideways ({page_width}px wide)"
    _screenshot(page, tmp_path / "phone-home-vi.png")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav_link.is_visible()
    _screenshot(page, tmp_path / "phone-menu-open-vi.png")
    _goto(page, f"{logitrack_server.https_url}/login/")
    _screenshot(page, tmp_path / "phone-login-vi.png")
    assert problems.messages == []


def test_plain_http_redirects_to_https(
    desktop: tuple[Page, Problems], logitrack_server: _server.RunningServer
) -> None:
    page, problems = desktop
    response = _goto(page, f"{logitrack_server.http_url}/login/")
    assert page.url == f"{logitrack_server.https_url}/login/"
    first = response.request.redirected_from
    assert first is not None, "no redirect happened"
    assert first.url == f"{logitrack_server.http_url}/login/"
    first_response = first.response()
    assert first_response is not None
    assert first_response.status == 301
    # RFC 6797 §7.2: HSTS on the HTTPS answer only, never over plain HTTP.
    assert "strict-transport-security" not in first_response.headers
    assert response is not None
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    assert problems.messages == []


def test_untrusted_ca_is_refused(
    playwright_driver: Playwright,
    browser_tools: BrowserTools,
    logitrack_server: _server.RunningServer,
    tmp_path: Path,
) -> None:
    """Control: without the CA in its NSS database chromium refuses the certificate."""
    home = make_nss_home(browser_tools.certutil, tmp_path / "home", ca_file=None)
    untrusting = launch_chromium(playwright_driver, browser_tools, home)
    try:
        page = untrusting.new_page()
        with pytest.raises(PlaywrightError, match="ERR_CERT_AUTHORITY_INVALID"):
            page.goto(f"{logitrack_server.https_url}/")
    finally:
        untrusting.close()


def test_vietnamese_pages_are_translated(
    desktop: tuple[Page, Problems], logitrack_server: _server.RunningServer
) -> None:
    """What a Vietnamese reader sees is Vietnamese, not the English source strings."""
    page, _problems = desktop
    _goto(page, f"{logitrack_server.https_url}/")
    assert _html_lang(page) == "vi"
    untranslated = [
        text
        for text in ("Sign in", "Home", "Shipments", "Live tracking", "Privacy", "Security")
        if page.get_by_text(text, exact=True).count()
    ]
    assert untranslated == [], (
        f"English source strings shown on the Vietnamese home page: {untranslated} "
        "(logitrack/web/locale/vi/LC_MESSAGES/django.po lacks their translations)"
    )


def test_desktop_has_no_menu_button(
    desktop: tuple[Page, Problems], logitrack_server: _server.RunningServer
) -> None:
    """On a wide screen the navigation is always shown, so the phone menu button must not be."""
    page, _problems = desktop
    _goto(page, f"{logitrack_server.https_url}/")
    assert page.locator("#site-nav a[href='/login/']").is_visible()
    assert page.locator("[data-nav-toggle]").is_hidden(), (
        "the phone 'Menu' button shows at 1280px and does nothing there: site.css hides "
        "#site-nav.collapsible only below 640px but never hides .nav-toggle above it"
    )


def test_csp_violation_would_be_caught(
    desktop: tuple[Page, Problems], logitrack_server: _server.RunningServer
) -> None:
    """Control: the watcher the other tests rely on does see a CSP violation."""
    page, problems = desktop
    _goto(page, f"{logitrack_server.https_url}/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__inlineRan = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__inlineRan === undefined"), "an inline script without nonce ran"
    assert any(message.startswith("CSP: script-src") for message in problems.messages), (
        problems.messages
    )
