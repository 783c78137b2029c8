"""The cookie registry is complete: every cookie any response sets is declared, with the names
and lifetimes configured in settings, and the cookie page renders its table from it."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from logitrack.accounts.tests.helpers import EMAIL, PASSWORD
from logitrack.core.testing import HttpsClient
from logitrack.privacy.cookies.registry import (
    ANALYTICS_ID_COOKIE,
    CHOICE_COOKIE,
    Category,
    cookie_named,
    declared_cookies,
    registry_version,
)
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db

Collected = dict[str, list[str]]


def _collect(response: Any, into: Collected) -> Any:
    cookies: SimpleCookie = response.cookies
    for name in cookies:
        into.setdefault(name, []).append(response.request["PATH_INFO"])
    return response


def _undeclared(seen: Collected) -> dict[str, list[str]]:
    declared = {cookie.name for cookie in declared_cookies()}
    return {name: paths for name, paths in seen.items() if name not in declared}


def test_every_cookie_set_while_browsing_signing_in_and_choosing_is_declared(
    client: HttpsClient,
) -> None:
    from logitrack.accounts.models import User

    User.objects.create_user(email=EMAIL, password=PASSWORD, full_name="Nguyễn Thị Lan")
    seen: Collected = {}
    for path in ("/", "/login/", "/signup/", "/privacy/", "/privacy/cookies/", "/no-such-page/"):
        _collect(client.get(path), seen)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    _collect(
        client.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_X_CSRFTOKEN=token),
        seen,
    )
    _collect(client.post("/login/", {"username": EMAIL, "password": "wrong one"}), seen)
    _collect(client.post("/login/", {"username": EMAIL, "password": PASSWORD}), seen)
    _collect(client.get("/"), seen)
    _collect(client.get("/account/profile/"), seen)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    post: dict[str, Any] = {"HTTP_X_CSRFTOKEN": token}
    _collect(
        client.post("/privacy/cookies/choice", {"choice": "accept", "next": "/"}, **post), seen
    )
    _collect(client.post("/a/collect", {"path": "/", "screen": "l"}, **post), seen)
    _collect(
        client.post("/privacy/cookies/choice", {"choice": "reject", "next": "/"}, **post), seen
    )
    _collect(client.post("/logout/", **post), seen)

    assert _undeclared(seen) == {}
    # The drive reached the cookies that matter, so the assertion above means something.
    assert {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        CHOICE_COOKIE,
        ANALYTICS_ID_COOKIE,
    } <= set(seen)


def test_an_undeclared_cookie_is_reported(client: HttpsClient) -> None:
    response = client.get("/")
    response.set_cookie("tracker", "1")
    seen: Collected = {}

    _collect(response, seen)

    assert _undeclared(seen) == {"tracker": ["/"]}


def test_before_a_choice_only_necessary_cookies_are_set(client: HttpsClient) -> None:
    seen: Collected = {}
    for path in ("/", "/login/", "/privacy/cookies/"):
        _collect(client.get(path), seen)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    _collect(client.post("/a/collect", {"path": "/", "screen": "l"}, HTTP_X_CSRFTOKEN=token), seen)

    categories = {name: cookie_named(name) for name in seen}
    assert all(
        found is not None and found.category == Category.NECESSARY for found in categories.values()
    ), categories


@override_settings(
    SESSION_COOKIE_NAME="__Host-other_session",
    SESSION_COOKIE_AGE=3600,
    LANGUAGE_COOKIE_AGE=86400 * 30,
)
def test_names_and_lifetimes_come_from_settings() -> None:
    session = cookie_named("__Host-other_session")
    language = cookie_named(settings.LANGUAGE_COOKIE_NAME)

    assert session is not None
    assert session.lifetime_seconds == 3600
    assert language is not None
    assert language.lifetime_seconds == 86400 * 30
    assert cookie_named("__Host-logitrack_session") is None


def test_the_cookie_page_renders_the_table_from_the_registry(client: HttpsClient) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get("/privacy/cookies/").content.decode()

    for cookie in declared_cookies():
        assert f"<code>{cookie.name}</code>" in html
    assert "Keeps you signed in" in html
    assert "12 hours" in html  # the session's configured absolute lifetime
    assert "First party (Logitrack)" in html


def test_a_choice_made_under_another_cookie_list_asks_again(client: HttpsClient) -> None:
    client.cookies[CHOICE_COOKIE] = f"{'0' * 8}.a1.m1"
    assert registry_version() != "0" * 8

    html = client.get("/").content.decode()

    assert "data-cookie-banner" in html
    assert "analytics/collect.js" not in html


def test_registry_version_changes_with_the_optional_cookies(monkeypatch: Any) -> None:
    from logitrack.privacy.cookies import registry

    before = registry_version()
    original = registry.declared_cookies

    def renamed() -> tuple[registry.DeclaredCookie, ...]:
        return tuple(
            registry.DeclaredCookie(
                name="__Host-other" if c.name == ANALYTICS_ID_COOKIE else c.name,
                category=c.category,
                purpose=c.purpose,
                lifetime_seconds=c.lifetime_seconds,
            )
            for c in original()
        )

    monkeypatch.setattr(registry, "declared_cookies", renamed)
    assert registry_version() != before


def test_signed_in_member_pages_set_only_declared_cookies(client: HttpsClient) -> None:
    membership = make_member(make_tenant())
    sign_in(client, membership)
    seen: Collected = {}
    for path in ("/", "/company/", "/shipments/", "/devices/"):
        _collect(client.get(path), seen)
    assert _undeclared(seen) == {}
