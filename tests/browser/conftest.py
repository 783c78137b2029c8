"""Fixtures for the browser tests: the real server, and a Debian chromium that trusts its CA.

The server is ``logitrack serve`` itself, started by bench/_server.py in a temporary data
directory. When chromium or certutil is missing the tests fail under CI=true and under
`make test-browser` (which installs them first); only a bare pytest run on a laptop skips.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from .chromium import BrowserTools, find_browser_tools, in_ci, launch_chromium, make_nss_home
from .journeys import desktop_context, sign_up, unique_email

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import _server  # noqa: E402


@pytest.fixture(scope="session")
def browser_tools() -> BrowserTools:
    tools, missing = find_browser_tools()
    if tools is None:
        if in_ci():
            pytest.fail(f"the browser tests are required and {missing}", pytrace=False)
        pytest.skip(missing)
    return tools


@pytest.fixture(scope="session")
def logitrack_server(
    browser_tools: BrowserTools, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[_server.RunningServer]:
    """``logitrack serve`` on free loopback ports; at the end it must stop cleanly on Ctrl-C.

    Its public URL (the base of every link in its e-mails) is the address chromium uses, so a
    link read from the outbox opens on the same site, with the same cookies.
    """
    data_dir = tmp_path_factory.mktemp("logitrack-data")
    _server.prepare(data_dir)
    https_port, http_port = _server.free_ports(2)
    public_url = f"https://127.0.0.1:{https_port}"
    server = _server.start(
        data_dir,
        https_port=https_port,
        http_port=http_port,
        # Every journey signs in from 127.0.0.1: past 30 sign-ins in ten minutes the server
        # rightly refuses that address (signin.ip, tested in accounts/tests), so the whole
        # suite's server gets a higher ceiling for it.
        extra_env={
            "LOGITRACK_PUBLIC_URL": public_url,
            "LOGITRACK_RATE_LIMITS": "signin.ip=100000/10m",
        },
    )
    yield server
    code = server.stop(timeout=_server.STOP_TIMEOUT_S)
    log = server.log()
    assert code == 0, f"logitrack serve exited {code} after SIGINT:\n{log}"
    assert "Traceback" not in log, f"logitrack serve logged a traceback:\n{log}"


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(
    playwright_driver: Playwright,
    browser_tools: BrowserTools,
    logitrack_server: _server.RunningServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Browser]:
    """Chromium whose NSS database trusts the running server's local CA."""
    home = make_nss_home(
        browser_tools.certutil, tmp_path_factory.mktemp("chromium-home"), logitrack_server.ca_file
    )
    browser = launch_chromium(playwright_driver, browser_tools, home)
    yield browser
    browser.close()


@dataclass(frozen=True)
class Owner:
    email: str
    company: str
    name: str


def _owner(browser: Browser, server: _server.RunningServer, tag: str, company: str) -> Owner:
    context = desktop_context(browser)
    try:
        page = context.new_page()
        owner = Owner(email=unique_email(tag), company=company, name="Nguyễn Văn An")
        response = sign_up(
            page, server.https_url, email_address=owner.email, company=company, name=owner.name
        )
        assert response.ok, f"sign-up answered {response.status}: {page.content()[:500]}"
        return owner
    finally:
        context.close()


@pytest.fixture(scope="session")
def owner(browser: Browser, logitrack_server: _server.RunningServer) -> Owner:
    """A company signed up through the page, whose owner invites and creates keys."""
    return _owner(browser, logitrack_server, "owner", "Công ty TNHH Vận tải Cà Mau")


@pytest.fixture(scope="session")
def other_owner(browser: Browser, logitrack_server: _server.RunningServer) -> Owner:
    """Someone with an account of their own elsewhere: the invitee who already has one."""
    return _owner(browser, logitrack_server, "other", "Công ty CP Kho vận Đà Nẵng")
