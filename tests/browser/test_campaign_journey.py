"""A tenant owner composes a newsletter, previews how many consignees hold a current consent,
sends it as a background job (the real server's worker), follows its progress, and finds it in
the history with its counts: the consignee who unsubscribed by one-click link is skipped."""

from __future__ import annotations

import email
import email.policy
import time
from email.message import EmailMessage
from pathlib import Path

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, expect

from .conftest import Owner
from .journeys import MAIL_WAIT_S, desktop_context, goto, shell_json, sign_in
from .test_consent_journey import _one_click

pytestmark = pytest.mark.browser

_PEOPLE = """
import json, itertools, time
from logitrack.core.tenant import tenant_context
from logitrack.privacy.consent.models import ConsigneeContact
from logitrack.privacy.consent.notices import Asked
from logitrack.privacy.consent.services.consents import subject_consent_record
from logitrack.privacy.consent.services.marketing import unsubscribe_url
from logitrack.privacy.consent.tokens import UnsubscribeTarget
from logitrack.privacy.consent.models import SubjectKind
from logitrack.tenancy.models import Membership
from logitrack.tenancy.principal import Principal
membership = Membership.dangerously_unscoped.select_related("user", "tenant").get(
    user__email={email!r}
)
principal = Principal.for_membership(membership.user, membership)
people = {{}}
with tenant_context(membership.tenant):
    for name in ("agreed", "gone"):
        contact = ConsigneeContact(tenant=membership.tenant, email=f"{{name}}.{tag}@example.vn")
        contact.save()
        subject_consent_record(
            actor=principal, subject=contact, purpose="marketing_email", action="grant",
            method="paper", asked=Asked(),
        )
        people[name] = contact
target = UnsubscribeTarget(
    kind=SubjectKind.CONSIGNEE, subject_id=people["gone"].pk, purpose="marketing_email",
    tenant_id=membership.tenant_id,
)
print(json.dumps({{"link": unsubscribe_url(target)}}))
"""


def _messages_to(mail_dir: Path, to: str) -> list[EmailMessage]:
    found = []
    for path in sorted(mail_dir.iterdir()) if mail_dir.is_dir() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if message["To"] == to:
            found.append(message)
    return found


def test_an_owner_sends_a_campaign_that_skips_the_unsubscribed_consignee(
    browser: Browser, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    base = logitrack_server.https_url
    tag = str(int(time.time() * 1000))
    made = shell_json(logitrack_server, _PEOPLE.format(email=owner.email, tag=tag))
    assert _one_click(logitrack_server, made["link"]) == 200
    mail_dir = logitrack_server.data_dir / "mail"
    context = desktop_context(browser)
    try:
        page = context.new_page()
        sign_in(page, base, owner.email)
        goto(page, f"{base}/operations/campaigns/")
        compose = page.locator("section[data-compose] form")
        compose.locator("select[name=channel]").select_option("email")
        compose.locator("input[name=subject_vi]").fill(f"Bản tin {tag}")
        compose.locator("input[name=subject_en]").fill(f"Newsletter {tag}")
        compose.locator("textarea[name=body_vi]").fill("Tuyến mới Cà Mau - Hà Nội.")
        compose.locator("textarea[name=body_en]").fill("A new Ca Mau - Hanoi route.")
        with page.expect_navigation():
            compose.locator("button[value=preview]").click()
        audience = int(
            page.locator("[data-preview-audience]").get_attribute("data-preview-audience") or "-1"
        )
        assert audience >= 1
        expect(page.locator("section[data-preview]")).to_contain_text("Tuyến mới Cà Mau - Hà Nội.")
        with page.expect_navigation():
            page.locator("section[data-compose] button[value=send]").click()
        assert "/operations/campaigns/" in page.url
        # The worker of the real server sends it; htmx polls the progress until it is done.
        expect(page.locator("[data-campaign-progress]")).to_have_attribute(
            "data-status", "done", timeout=MAIL_WAIT_S * 1000
        )
        sent = int(page.locator("[data-campaign-progress] [data-sent]").inner_text())
        skipped = int(page.locator("[data-campaign-progress] [data-skipped]").inner_text())
        assert sent == audience
        assert skipped >= 1
        assert page.locator("progress").get_attribute("value") == "100"

        goto(page, f"{base}/operations/campaigns/")
        row = page.locator("section[data-history] tr[data-campaign]").first
        assert row.locator("[data-sent]").inner_text() == str(sent)
        assert row.locator("[data-skipped]").inner_text() == str(skipped)

        deadline = time.monotonic() + MAIL_WAIT_S
        while time.monotonic() < deadline and not _messages_to(
            mail_dir, f"agreed.{tag}@example.vn"
        ):
            time.sleep(0.2)
        received = _messages_to(mail_dir, f"agreed.{tag}@example.vn")
        assert len(received) == 1
        assert f"Newsletter {tag}" in str(received[0]["Subject"])
        assert received[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert _messages_to(mail_dir, f"gone.{tag}@example.vn") == []
    finally:
        context.close()
