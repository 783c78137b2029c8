"""Pages whose address holds a token keep it on this site, and their forms still post.

A browser computes the ``Origin`` of a form POST from the page's Referrer-Policy (Fetch standard):
under ``no-referrer`` it sends ``Origin: null`` and Django's CSRF check refuses every form on the
page. Django's test client sends no Origin at all, which is how the invitation page passed here
while failing in every real browser. These tests send what the browser would send.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse

from logitrack.accounts.tokens import email_verification_token, password_reset_tokens, uid_for
from logitrack.core.referrer import (
    TOKEN_PAGE_REFERRER_POLICY,
    origin_sent_on_same_origin_post,
)
from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.services import membership_invite
from logitrack.tenancy.tests.factories import make_member, make_tenant, make_user, principal_for

pytestmark = pytest.mark.django_db

ORIGIN = "https://testserver"
REPO = Path(__file__).resolve().parents[3]


def _browser() -> HttpsClient:
    """A client that checks CSRF as production does and speaks HTTPS, like chromium."""
    return HttpsClient(enforce_csrf_checks=True)


def _invitation_token() -> str:
    owner: Membership = make_member(make_tenant(), Role.OWNER)
    with tenant_context(owner.tenant):
        created = membership_invite(
            principal=principal_for(owner), email="mai.tran@example.vn", role=Role.DISPATCHER
        )
    return created.token


def _invitation_page() -> str:
    return reverse("tenancy:invitation-accept", kwargs={"token": _invitation_token()})


def _invalid_invitation_page() -> str:
    return reverse("tenancy:invitation-accept", kwargs={"token": "not-a-real-token"})


def _verification_page() -> str:
    token = email_verification_token(make_user(email="hoa.le@example.vn"))
    return reverse("accounts:verify_email", kwargs={"token": token})


def _invalid_verification_page() -> str:
    return reverse("accounts:verify_email", kwargs={"token": "forged"})


def _invalid_reset_page() -> str:
    return reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "x-y"})


def _reset_link() -> str:
    user = make_user(email="binh.do@example.vn")
    token = password_reset_tokens.make_token(user)
    return reverse(
        "accounts:password_reset_confirm", kwargs={"uidb64": uid_for(user), "token": token}
    )


TOKEN_PAGES: dict[str, Callable[[], str]] = {
    "invitation": _invitation_page,
    "invalid invitation": _invalid_invitation_page,
    "e-mail verification": _verification_page,
    "invalid e-mail verification": _invalid_verification_page,
    "invalid password reset link": _invalid_reset_page,
}


@pytest.mark.parametrize("name", sorted(TOKEN_PAGES))
def test_a_page_with_a_token_in_its_address_keeps_it_on_this_site(name: str) -> None:
    response = _browser().get(TOKEN_PAGES[name]())

    assert response["Referrer-Policy"] == TOKEN_PAGE_REFERRER_POLICY == "same-origin"


@pytest.mark.parametrize("name", sorted(TOKEN_PAGES))
def test_the_language_form_on_a_token_page_posts_with_the_origin_a_browser_sends(
    name: str,
) -> None:
    browser = _browser()
    page_url = TOKEN_PAGES[name]()
    page = browser.get(page_url)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert csrf is not None, "the page has no form with a CSRF token"

    response = browser.post(
        reverse("set_language"),
        {"csrfmiddlewaretoken": csrf.group(1), "language": "en", "next": "/"},
        HTTP_ORIGIN=origin_sent_on_same_origin_post(page["Referrer-Policy"], ORIGIN),
        HTTP_REFERER=f"{ORIGIN}{page_url}",
    )

    assert response.status_code == 302, response.content[:300]


def test_the_password_reset_link_redirect_keeps_the_token_on_this_site() -> None:
    response = _browser().get(_reset_link())

    assert response.status_code == 302
    assert "set-password" in response["Location"]
    assert response["Referrer-Policy"] == "same-origin"


def test_accepting_an_invitation_posts_with_the_origin_a_browser_sends() -> None:
    browser = _browser()
    url = _invitation_page()
    page = browser.get(url)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert csrf is not None

    response = browser.post(
        url,
        {
            "csrfmiddlewaretoken": csrf.group(1),
            "full_name": "Trần Thị Mai",
            "password": "lúa-chín-vàng-trên-đồng-xa",
            "date_of_birth": "1994-02-11",
            "privacy_consent": "on",
        },
        HTTP_ORIGIN=origin_sent_on_same_origin_post(page["Referrer-Policy"], ORIGIN),
    )

    assert response.status_code == 302, response.content[:300]
    assert response["Location"] == reverse("tenancy:company")


def test_a_browser_posts_origin_null_from_a_no_referrer_page() -> None:
    """Control for the helper the tests above rely on (Fetch standard, Origin header step 4)."""
    assert origin_sent_on_same_origin_post("no-referrer", ORIGIN) == "null"
    assert origin_sent_on_same_origin_post("same-origin", ORIGIN) == ORIGIN
    assert origin_sent_on_same_origin_post("", ORIGIN) == ORIGIN
    assert origin_sent_on_same_origin_post("same-origin, no-referrer", ORIGIN) == "null"
    assert origin_sent_on_same_origin_post("no-referrer, bogus", ORIGIN) == "null"
    assert origin_sent_on_same_origin_post("no-referrer, strict-origin", ORIGIN) == ORIGIN


def test_a_null_origin_is_refused_by_the_csrf_check() -> None:
    """Control: what a no-referrer page would make the browser send is refused."""
    browser = _browser()
    page = browser.get(_invalid_invitation_page())
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert csrf is not None

    response = browser.post(
        reverse("set_language"),
        {"csrfmiddlewaretoken": csrf.group(1), "language": "en", "next": "/"},
        HTTP_ORIGIN="null",
    )

    assert response.status_code == 403


# Where a page could make the browser drop its origin: a Referrer-Policy header or meta tag of
# no-referrer, or rel="noreferrer" on a form. The plain-HTTP redirect listener is the one place
# allowed: it answers only 301s to HTTPS and serves no page, so no form.
_NO_REFERRER = re.compile(r"no-?referrer", re.IGNORECASE)
_ALLOWED = {"logitrack/core/http_redirect.py", "logitrack/core/referrer.py"}


def test_no_page_sets_a_policy_that_makes_its_forms_post_origin_null() -> None:
    offenders = []
    for path in sorted((REPO / "logitrack").rglob("*")):
        relative = path.relative_to(REPO).as_posix()
        if path.suffix not in {".py", ".html", ".js", ".txt"} or "/tests/" in relative:
            continue
        if relative in _ALLOWED:
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if _NO_REFERRER.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    config = (REPO / "config" / "settings").glob("*.py")
    for path in config:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _NO_REFERRER.search(line) and "REFERRER_POLICY" in line:
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []
