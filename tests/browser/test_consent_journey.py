"""A person grants marketing e-mail on their consents page, a newsletter is sent, and the
message's one-click unsubscribe (RFC 8058), posted as a mail client would, withdraws at once."""

from __future__ import annotations

import email
import email.policy
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser

from .conftest import Owner
from .journeys import MAIL_WAIT_S, desktop_context, goto, shell_json, sign_in

pytestmark = pytest.mark.browser

_SEND = """
import json
from logitrack.accounts.models import User
from logitrack.privacy.consent.services.marketing import Campaign, marketing_send
from logitrack.security.actors import Actor
user = User.objects.get(email={email!r})
report = marketing_send(
    actor=Actor.system("newsletter"),
    campaign=Campaign(
        key="journey-news",
        subject_vi="Bản tin Logitrack",
        subject_en="Logitrack news",
        text_vi="Tuyến mới Cà Mau - Hà Nội.",
        text_en="A new Ca Mau - Hanoi route.",
    ),
    channel="email",
    recipients=[user.pk],
)
print(json.dumps({{"sent": len(report.sent), "without_consent": len(report.without_consent)}}))
"""


def _newsletter(mail_dir: Path, to: str) -> EmailMessage:
    deadline = time.monotonic() + MAIL_WAIT_S
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.iterdir()) if mail_dir.is_dir() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            if message["To"] == to and message["List-Unsubscribe"]:
                return message
        time.sleep(0.2)
    raise AssertionError(f"no newsletter to {to}")


def _one_click(server: _server.RunningServer, url: str) -> int:
    request = urllib.request.Request(
        url,
        data=b"List-Unsubscribe=One-Click",
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "MailClient/1"},
    )
    try:
        with urllib.request.urlopen(request, context=server.ssl_context(), timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_a_person_grants_newsletters_and_one_click_unsubscribes(
    browser: Browser, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    base = logitrack_server.https_url
    context = desktop_context(browser)
    try:
        page = context.new_page()
        sign_in(page, base, owner.email)
        goto(page, f"{base}/account/consents/")
        row = page.locator("li[data-purpose=marketing_email]")
        assert row.get_attribute("data-state") == "withdrawn"
        assert page.locator("main input[type=checkbox]").count() == 0
        with page.expect_navigation():
            row.locator("button[value=grant]").click()
        row = page.locator("li[data-purpose=marketing_email]")
        assert row.get_attribute("data-state") == "granted"

        report = shell_json(logitrack_server, _SEND.format(email=owner.email))
        assert report == {"sent": 1, "without_consent": 0}
        message = _newsletter(logitrack_server.data_dir / "mail", owner.email)
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = str(message["List-Unsubscribe"]).strip().strip("<>")
        assert link.startswith(f"{base}/u/")
        assert owner.email not in link

        assert _one_click(logitrack_server, link[:-3] + "xx/") == 400
        assert _one_click(logitrack_server, link) == 200

        goto(page, f"{base}/account/consents/")
        row = page.locator("li[data-purpose=marketing_email]")
        assert row.get_attribute("data-state") == "withdrawn"
        again = shell_json(logitrack_server, _SEND.format(email=owner.email))
        assert again == {"sent": 0, "without_consent": 1}
    finally:
        context.close()
