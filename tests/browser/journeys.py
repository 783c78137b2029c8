"""What the journey tests share: the mail outbox, distinct people and companies, signing in.

The server writes e-mails with Django's file backend into ``<data dir>/mail``. Sending may happen
after the response (on commit, or in a background job), so the outbox is polled, never assumed
written. Every journey uses its own addresses: rate limits and lockout count per address and IP.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import json
import re
import secrets
import subprocess
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Browser, BrowserContext, Page, Response

if TYPE_CHECKING:
    import _server

MAIL_WAIT_S = 20.0
# A Vietnamese passphrase: 12+ characters, on no common list, unlike any name or address here.
PASSWORD = "mây trắng bay qua đồi chè xanh"
NEW_PASSWORD = "sóng vỗ ghềnh đá mười hai bến nước"
BIRTH_DATE = "1990-05-17"
_MESSAGE_SEPARATOR = re.compile(r"^-{79}$", re.MULTILINE)
_LINK = re.compile(r"https://[^\s\"<>]+")
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_serial = itertools.count(1)
_RUN = secrets.token_hex(3)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str

    def links(self) -> list[str]:
        return _LINK.findall(self.text)

    def link_to(self, path_fragment: str) -> str:
        matching = [link for link in self.links() if path_fragment in link]
        assert len(set(matching)) == 1, (path_fragment, self.links())
        return matching[0]


def desktop_context(browser: Browser, locale: str = "vi-VN") -> BrowserContext:
    return browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)


def unique_email(tag: str) -> str:
    """A fresh address per journey, so no journey inherits another's counters."""
    return f"{tag}.{_RUN}.{next(_serial)}@congty-{_RUN}.example.vn"


def unique_tax_code() -> str:
    """A ten-digit tax code with a valid check digit, different in each run and call."""
    while True:
        head = f"{secrets.randbelow(10**9):09d}"
        total = sum(w * int(d) for w, d in zip(_TAX_WEIGHTS, head, strict=True))
        digit = (10 - total) % 11
        if digit != 10:
            return f"{head}{digit}"


def _read_outbox(mail_dir: Path) -> list[Mail]:
    mails: list[Mail] = []
    if not mail_dir.is_dir():
        return mails
    for path in sorted(mail_dir.iterdir()):
        raw = path.read_text(encoding="utf-8", errors="replace")
        for chunk in _MESSAGE_SEPARATOR.split(raw):
            if not chunk.strip():
                continue
            parsed = email.message_from_string(chunk.lstrip("\n"), policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            body = parsed.get_body(preferencelist=("plain",))
            text = body.get_content() if body is not None else ""
            mails.append(Mail(to=str(parsed["To"]), subject=str(parsed["Subject"]), text=text))
    return mails


def wait_for_mail(
    data_dir: Path, to: str, *, containing: str = "", timeout: float = MAIL_WAIT_S
) -> Mail:
    """The first message to ``to`` whose text holds ``containing``, polling until it arrives."""
    deadline = time.monotonic() + timeout
    seen: list[Mail] = []
    while time.monotonic() < deadline:
        seen = [mail for mail in _read_outbox(data_dir / "mail") if mail.to == to]
        matching = [mail for mail in seen if containing in mail.text]
        if matching:
            return matching[0]
        time.sleep(0.2)
    subjects = [mail.subject for mail in seen]
    raise AssertionError(
        f"no message to {to} with {containing!r} within {timeout:.0f}s: {subjects}"
    )


def goto(page: Page, url: str) -> Response:
    response = page.goto(url)
    assert response is not None, url
    assert response.ok, f"{url}: HTTP {response.status}"
    return response


def submit(page: Page, button_name: str) -> Response:
    """Click the submit button named ``button_name`` and return the final response."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button_name, exact=True).click()
    response = navigation.value
    assert response is not None
    return response


def sign_in(page: Page, base: str, email_address: str, password: str = PASSWORD) -> Response:
    goto(page, f"{base}/login/")
    page.fill("#id_username", email_address)
    page.fill("#id_password", password)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    response = navigation.value
    assert response is not None
    return response


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.locator("form[action='/logout/'] button").click()


def choose_address(page: Page) -> None:
    """Pick a province, wait for htmx to load its communes, and pick the first commune."""
    page.select_option("#id_province_code", index=1)
    # htmx swaps the options in; waiting on a locator needs no eval, which the CSP forbids.
    page.locator("#id_ward_code option").nth(1).wait_for(state="attached")
    page.select_option("#id_ward_code", index=1)


def sign_up(page: Page, base: str, *, email_address: str, company: str, name: str) -> Response:
    """The public sign-up form, filled as a person does, and submitted."""
    goto(page, f"{base}/signup/")
    page.fill("#id_name", company)
    page.fill("#id_tax_code", unique_tax_code())
    page.select_option("#id_industry", index=1)
    page.fill("#id_street_address", "12 Phố Tràng Tiền")
    choose_address(page)
    page.fill("#id_full_name", name)
    page.fill("#id_email", email_address)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_date_of_birth", BIRTH_DATE)
    page.check("#id_privacy_consent")
    with page.expect_navigation() as navigation:
        page.locator("main form[action='/signup/'] button[type=submit]").click()
    response = navigation.value
    assert response is not None
    return response


def shell_json(
    server: _server.RunningServer,
    code: str,
    *,
    timeout: float = 240,
) -> Any:
    """Run ``code`` in ``logitrack shell`` against the server's data; return its last line as JSON.

    Journeys set up what no page makes (another company, a report's age, a sent newsletter) this
    way, on the same database the server uses; links the code writes into e-mails point where the
    server's own do.
    """
    import _server  # bench/_server.py, put on sys.path by conftest.py after this module loads

    done = subprocess.run(
        [str(_server.LOGITRACK), "shell", "-c", code],
        env={**_server.server_env(server.data_dir), "LOGITRACK_PUBLIC_URL": server.https_url},
        cwd=_server.REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
