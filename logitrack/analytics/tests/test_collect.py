"""``POST /a/collect``: only with consent, pseudonymised, route names only, CSRF and rate limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from logitrack.analytics.models import PageView
from logitrack.core.testing import HttpsClient
from logitrack.privacy.cookies.registry import ANALYTICS_ID_COOKIE, CHOICE_COOKIE
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
CLIENT_IP = "198.51.100.23"


def _token(client: HttpsClient) -> str:
    if settings.CSRF_COOKIE_NAME not in client.cookies:
        client.get("/privacy/cookies/")
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def _choose(client: HttpsClient, choice: str) -> None:
    response = client.post(
        "/privacy/cookies/choice",
        {"choice": choice, "next": "/"},
        HTTP_X_CSRFTOKEN=_token(client),
    )
    assert response.status_code == 302


def _collect(client: HttpsClient, **fields: Any) -> Any:
    headers = {k: fields.pop(k) for k in list(fields) if k.startswith("HTTP_")}
    data = {"path": "/", "referrer": "", "screen": "l", **fields}
    return client.post(
        "/a/collect",
        data,
        HTTP_X_CSRFTOKEN=_token(client),
        HTTP_USER_AGENT=CHROME,
        REMOTE_ADDR=CLIENT_IP,
        **headers,
    )


def test_without_a_choice_nothing_is_stored_and_no_cookie_set(client: HttpsClient) -> None:
    response = _collect(client)

    assert response.status_code == 204
    assert PageView.objects.count() == 0
    assert ANALYTICS_ID_COOKIE not in response.cookies


def test_after_reject_nothing_is_stored(client: HttpsClient) -> None:
    _choose(client, "reject")

    response = _collect(client)

    assert response.status_code == 204
    assert PageView.objects.count() == 0


def test_with_global_privacy_control_nothing_is_stored_even_after_accept(
    client: HttpsClient,
) -> None:
    _choose(client, "accept")

    response = _collect(client, HTTP_SEC_GPC="1")

    assert response.status_code == 204
    assert PageView.objects.count() == 0
    assert (
        ANALYTICS_ID_COOKIE not in client.cookies or not client.cookies[ANALYTICS_ID_COOKIE].value
    )


def test_after_accept_a_pseudonymous_page_view_is_stored(client: HttpsClient) -> None:
    _choose(client, "accept")

    response = _collect(client, path="/privacy/cookies/?email=lan@example.vn", referrer="/login/")

    assert response.status_code == 204
    visitor_id = response.cookies[ANALYTICS_ID_COOKIE].value
    assert len(visitor_id) == 32
    view = PageView.objects.get()
    assert view.route == "privacy:cookies"
    assert view.referrer_route == "web:login"
    assert view.screen == "l"
    assert view.browser == "Chrome"
    assert view.tenant_id is None
    assert view.occurred_at.second == 0
    assert view.occurred_at.microsecond == 0
    assert len(view.visitor) == 64
    assert visitor_id not in view.visitor
    stored = " ".join(str(value) for value in PageView.objects.values().get().values())
    assert CLIENT_IP not in stored
    assert "lan@example.vn" not in stored


def test_one_visitor_keeps_one_pseudonym_within_the_day(client: HttpsClient) -> None:
    _choose(client, "accept")

    _collect(client)
    _collect(client, path="/privacy/")

    assert PageView.objects.values("visitor").distinct().count() == 1
    other = HttpsClient()
    _choose(other, "accept")
    _collect(other)
    assert PageView.objects.values("visitor").distinct().count() == 2


def test_ids_in_the_path_never_reach_the_row(client: HttpsClient) -> None:
    _choose(client, "accept")

    _collect(client, path="/shipments/LT123456789VN/")

    rows = list(PageView.objects.values_list("route", flat=True))
    assert all("LT123456789VN" not in route for route in rows)


def test_a_path_off_the_site_or_unknown_is_not_stored(client: HttpsClient) -> None:
    _choose(client, "accept")

    for path in ("https://evil.example/", "//evil.example/x", "/no-such-page/", "/a/collect"):
        assert _collect(client, path=path).status_code == 204

    assert PageView.objects.count() == 0


def test_a_bad_screen_class_is_refused(client: HttpsClient) -> None:
    _choose(client, "accept")

    response = _collect(client, screen="xl")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_screen"
    assert PageView.objects.count() == 0


def test_a_signed_in_members_view_carries_the_company(client: HttpsClient) -> None:
    membership = make_member(make_tenant())
    sign_in(client, membership)
    _choose(client, "accept")

    _collect(client)

    assert PageView.objects.get().tenant_id == membership.tenant_id


def test_a_post_without_the_csrf_token_is_refused() -> None:
    client = HttpsClient(enforce_csrf_checks=True)
    client.get("/login/")
    client.cookies[CHOICE_COOKIE] = _accepted_value()

    response = client.post("/a/collect", {"path": "/", "screen": "l"})

    assert response.status_code == 403
    assert PageView.objects.count() == 0


def _accepted_value() -> str:
    from logitrack.privacy.cookies.choice import ACCEPT_ALL

    return ACCEPT_ALL.as_cookie_value()


@override_settings(LOGITRACK_RATE_LIMITS={"analytics.ip": "3/m"})
def test_one_address_is_rate_limited(client: HttpsClient) -> None:
    _choose(client, "accept")

    answers = [_collect(client).status_code for _ in range(4)]

    assert answers == [204, 204, 204, 429]
    assert PageView.objects.count() == 3


def test_get_is_not_allowed(client: HttpsClient) -> None:
    assert client.get("/a/collect").status_code == 405
