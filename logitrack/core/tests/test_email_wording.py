"""Every e-mail reads cleanly in both languages and links only to the configured site URL."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from logitrack.accounts.emails import render_email
from logitrack.accounts.models import User
from logitrack.tenancy.emails import invitation_link, render_invitation
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Role

SITE = "https://logitrack.example.vn"
LINK = re.compile(r"https?://[^\s\"<>]+")
# Punctuation that only a template slip produces: doubled stops or commas, a space before a stop
# or comma, an escaped entity in plain text, an empty name before a comma.
STRAY = re.compile(r"\.\.(?!\.)|,,|\s[.,;:](?=\s|$)|&amp;|&#x27;|&quot;|\bHello ,|chào ,")
EXPIRY = datetime(2026, 12, 6, 14, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def _person(language: str) -> User:
    return User(email="lan@example.vn", full_name="Nguyễn Thị Lan", language=language)


def _account_emails(language: str) -> dict[str, tuple[str, str, str]]:
    user = _person(language)
    contexts: dict[str, dict[str, object]] = {
        "verify_email": {"link": f"{SITE}/account/verify-email/abc/", "days": 3},
        "password_reset": {"link": f"{SITE}/account/reset/MQ/abc/", "minutes": 60},
        "password_changed": {"link": f"{SITE}/account/password-reset/"},
    }
    return {name: render_email(user, name, context) for name, context in contexts.items()}


def _check(name: str, subject: str, text: str, html: str) -> None:
    for part, content in (("subject", subject), ("text", text)):
        assert STRAY.search(content) is None, f"{name} {part}: {STRAY.search(content)!r}"
    links = LINK.findall(text) + LINK.findall(html)
    assert links, f"{name} has no link"
    for link in links:
        assert link.startswith(f"{SITE}/"), f"{name}: {link}"
        assert "//" not in link.removeprefix("https://"), f"{name}: {link}"


@pytest.mark.parametrize("language", ["vi", "en"])
@override_settings(LOGITRACK_PUBLIC_URL=f"{SITE}/")
def test_account_emails_have_clean_wording_and_links_to_the_site(language: str) -> None:
    for name, (subject, text, html) in _account_emails(language).items():
        _check(name, subject, text, html)


@override_settings(LOGITRACK_PUBLIC_URL=f"{SITE}/")
def test_the_invitation_has_clean_wording_and_links_to_the_site() -> None:
    tenant = Tenant(name="Công ty Vận tải A & B")

    subject, text, html = render_invitation(
        tenant=tenant, role=Role.DISPATCHER, link=invitation_link("tok"), expires_at=EXPIRY
    )

    _check("invitation", subject, text, html)
    assert subject.startswith("Lời mời tham gia Công ty Vận tải A & B")
    assert "6 Dec 2026 14:05" in text
    assert "06/12/2026 14:05" in text


def test_stray_punctuation_would_be_caught() -> None:
    """Control for the pattern the tests above rely on."""
    assert STRAY.search("works until Dec. 6, 2026, 2:05 p.m..")
    assert STRAY.search("Công ty A &amp; B")
    assert STRAY.search("Hello ,")
    assert STRAY.search("Xin chào Lan, mở liên kết này :") is not None
    assert STRAY.search("Xin chào Lan, mở liên kết này: https://x.vn/a.") is None
