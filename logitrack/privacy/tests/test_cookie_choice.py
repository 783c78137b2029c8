"""Cookie choices: the banner, the choice endpoint, Global Privacy Control and the footer link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings

from logitrack.core.testing import HttpsClient
from logitrack.privacy.consent.models import Action, FixedPurpose, Method
from logitrack.privacy.consent.services.consents import user_consent_current
from logitrack.privacy.cookies.choice import AUDIT_ACTION, parse_choice
from logitrack.privacy.cookies.registry import ANALYTICS_ID_COOKIE, CHOICE_COOKIE
from logitrack.security.models import AuditEntry
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db

SCRIPT = "analytics/collect.js"


@pytest.fixture(autouse=True)
def _english_pages(client: HttpsClient) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _token(client: HttpsClient) -> str:
    if settings.CSRF_COOKIE_NAME not in client.cookies:
        client.get("/privacy/cookies/")
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def _choose(client: HttpsClient, next_path: str = "/", **fields: str) -> Any:
    headers: dict[str, Any] = {k: fields.pop(k) for k in list(fields) if k.startswith("HTTP_")}
    return client.post(
        "/privacy/cookies/choice",
        {"next": next_path, **fields},
        HTTP_X_CSRFTOKEN=_token(client),
        **headers,
    )


def test_a_first_visit_shows_the_banner_with_three_equal_choices(client: HttpsClient) -> None:
    html = client.get("/").content.decode()

    assert "data-cookie-banner" in html
    banner = html[html.index("data-cookie-banner") : html.index("</section>")]
    controls = re.findall(r'class="button consent-button"[^>]*>([^<]+)<', banner)
    assert controls == ["Accept all", "Reject all", "Customise", "Save choices"]
    # Nothing is ticked before a choice.
    assert not re.search(r'name="(analytics|marketing)"[^>]* checked', banner)
    assert SCRIPT not in html


def test_accept_stores_the_choice_loads_the_script_and_hides_the_banner(
    client: HttpsClient,
) -> None:
    response = _choose(client, "/privacy/", choice="accept")

    assert response.status_code == 302
    assert response["Location"] == "/privacy/"
    stored = parse_choice(client.cookies[CHOICE_COOKIE].value)
    assert (stored.made, stored.analytics, stored.marketing) == (True, True, True)
    morsel = response.cookies[CHOICE_COOKIE]
    assert morsel["secure"]
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    html = client.get("/").content.decode()
    assert SCRIPT in html
    assert "data-cookie-banner" not in html


def test_reject_stores_the_refusal_and_deletes_the_analytics_cookie(client: HttpsClient) -> None:
    _choose(client, choice="accept")
    client.cookies[ANALYTICS_ID_COOKIE] = "x" * 32

    response = _choose(client, choice="reject")

    assert response.cookies[ANALYTICS_ID_COOKIE]["max-age"] == 0
    stored = parse_choice(client.cookies[CHOICE_COOKIE].value)
    assert (stored.made, stored.analytics, stored.marketing) == (True, False, False)
    html = client.get("/").content.decode()
    assert SCRIPT not in html
    assert "data-cookie-banner" not in html


def test_customise_accepts_only_the_ticked_categories(client: HttpsClient) -> None:
    _choose(client, choice="save", analytics="on")

    stored = parse_choice(client.cookies[CHOICE_COOKIE].value)
    assert (stored.analytics, stored.marketing) == (True, False)

    _choose(client, choice="save")
    stored = parse_choice(client.cookies[CHOICE_COOKIE].value)
    assert (stored.made, stored.analytics, stored.marketing) == (True, False, False)


def test_an_unknown_choice_is_refused_and_changes_nothing(client: HttpsClient) -> None:
    response = _choose(client, choice="maybe")

    assert response.status_code == 400
    assert CHOICE_COOKIE not in response.cookies
    assert CHOICE_COOKIE not in client.cookies


def test_a_choice_without_the_csrf_token_is_refused() -> None:
    client = HttpsClient(enforce_csrf_checks=True)
    client.get("/login/")

    response = client.post("/privacy/cookies/choice", {"choice": "accept", "next": "/"})

    assert response.status_code == 403
    assert CHOICE_COOKIE not in client.cookies


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "",
    ],
)
def test_next_leaves_the_site_never(client: HttpsClient, target: str) -> None:
    response = _choose(client, target, choice="reject")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_next_keeps_a_path_and_query_on_the_site(client: HttpsClient) -> None:
    response = _choose(client, "/shipments/?page=2", choice="reject")

    assert response["Location"] == "/shipments/?page=2"


def test_global_privacy_control_is_a_refusal_whatever_was_stored(client: HttpsClient) -> None:
    _choose(client, choice="accept")
    client.cookies[ANALYTICS_ID_COOKIE] = "x" * 32

    response = client.get("/", HTTP_SEC_GPC="1")

    html = response.content.decode()
    assert SCRIPT not in html
    assert response.cookies[ANALYTICS_ID_COOKIE]["max-age"] == 0
    page = client.get("/privacy/cookies/", HTTP_SEC_GPC="1").content.decode()
    assert "data-gpc-honoured" in page


def test_the_banner_says_global_privacy_control_was_honoured(client: HttpsClient) -> None:
    html = client.get("/", HTTP_SEC_GPC="1").content.decode()

    assert "data-gpc-honoured" in html
    assert "Global Privacy Control" in html
    assert 'value="accept"' not in html[html.index("data-cookie-banner") :].split("</section>")[0]


def test_every_page_links_to_the_cookie_settings_in_its_footer(client: HttpsClient) -> None:
    for path in ("/", "/login/", "/signup/", "/privacy/", "/no-such-page/"):
        html = client.get(path).content.decode()
        footer = html[html.index('<footer class="site-footer">') :]
        assert 'href="/privacy/cookies/#settings"' in footer, path


def test_a_signed_in_persons_choice_is_audited(client: HttpsClient) -> None:
    membership = make_member(make_tenant())
    sign_in(client, membership)

    _choose(client, choice="save", analytics="on")

    entry = AuditEntry.objects.get(action=AUDIT_ACTION)
    assert entry.object_id == str(membership.user_id)
    assert entry.tenant_id == membership.tenant_id
    assert entry.details["analytics"] is True
    assert entry.details["marketing"] is False
    assert entry.details["gpc"] is False


def test_a_signed_in_persons_choice_is_written_to_the_consent_ledger(client: HttpsClient) -> None:
    membership = make_member(make_tenant())
    sign_in(client, membership)
    user = membership.user

    _choose(client, choice="accept")
    granted = user_consent_current(user, FixedPurpose.USAGE_ANALYTICS)
    advertising = user_consent_current(user, FixedPurpose.ADVERTISING_MEASUREMENT)
    _choose(client, choice="accept", HTTP_SEC_GPC="1")
    under_gpc = user_consent_current(user, FixedPurpose.USAGE_ANALYTICS)
    refused = user_consent_current(user, FixedPurpose.ADVERTISING_MEASUREMENT)

    assert granted is not None
    assert advertising is not None
    assert (granted.action, granted.method, granted.gpc) == (Action.GRANT, Method.PAGE, False)
    assert granted.policy_version == "1"
    assert advertising.action == Action.GRANT
    # Global Privacy Control is a refusal, even of "Accept all".
    assert under_gpc is not None
    assert refused is not None
    assert (under_gpc.action, under_gpc.gpc, under_gpc.pk > granted.pk) == (
        Action.WITHDRAW,
        True,
        True,
    )
    assert (refused.action, refused.refused_by_gpc) == (Action.WITHDRAW, True)


def test_an_anonymous_choice_writes_no_audit_entry(client: HttpsClient) -> None:
    _choose(client, choice="accept")

    assert not AuditEntry.objects.filter(action=AUDIT_ACTION).exists()


def test_the_settings_page_shows_the_current_choice_ticked(client: HttpsClient) -> None:
    _choose(client, choice="save", analytics="on")

    html = client.get("/privacy/cookies/").content.decode()

    assert re.search(r'id="settings-analytics" name="analytics" value="on" checked', html)
    assert not re.search(r'id="settings-marketing" name="marketing" value="on" checked', html)
