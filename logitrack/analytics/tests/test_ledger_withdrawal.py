"""A signed-in person's withdrawal in the consent ledger stops analytics at once, in every
browser, although the browser's cookie choice still says yes (issue P7 point 2: withdrawal is
effective at once)."""

from __future__ import annotations

import pytest

from logitrack.analytics.models import PageView
from logitrack.analytics.tests.test_collect import _choose, _collect, _token
from logitrack.core.testing import HttpsClient
from logitrack.privacy.consent.models import Method
from logitrack.privacy.consent.notices import Asked
from logitrack.privacy.consent.services.consents import user_consent_record
from logitrack.privacy.cookies.choice import consent_of
from logitrack.privacy.cookies.registry import ANALYTICS_ID_COOKIE
from logitrack.security.actors import Actor
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db


def test_withdrawing_usage_analytics_on_the_consents_page_stops_collection_at_once(
    client: HttpsClient,
) -> None:
    member = make_member(make_tenant(), Role.VIEWER)
    sign_in(client, member)
    _choose(client, "accept")
    assert _collect(client).status_code == 204
    assert PageView.objects.count() == 1

    withdrawn = client.post(
        "/account/consents/",
        {"purpose": "usage_analytics", "action": "withdraw"},
        HTTP_X_CSRFTOKEN=_token(client),
    )
    after = _collect(client)

    assert withdrawn.status_code == 302
    assert after.status_code == 204
    assert PageView.objects.count() == 1
    # The identifier cookie goes too, and the pages stop loading the analytics script.
    assert after.cookies[ANALYTICS_ID_COOKIE]["max-age"] == 0
    assert consent_of(client.get("/privacy/cookies/").wsgi_request).analytics is False


def test_a_withdrawal_from_another_browser_counts_here_too(client: HttpsClient) -> None:
    member = make_member(make_tenant(), Role.VIEWER)
    sign_in(client, member)
    _choose(client, "accept")
    user_consent_record(
        actor=Actor.user(member.user),
        user=member.user,
        purpose="usage_analytics",
        action="withdraw",
        method=Method.PAGE,
        asked=Asked(),
    )

    _collect(client)

    assert PageView.objects.count() == 0


def test_a_grant_in_the_ledger_never_turns_on_what_this_browser_refused(
    client: HttpsClient,
) -> None:
    member = make_member(make_tenant(), Role.VIEWER)
    sign_in(client, member)
    _choose(client, "reject")
    user_consent_record(
        actor=Actor.user(member.user),
        user=member.user,
        purpose="usage_analytics",
        action="grant",
        method=Method.PAGE,
        asked=Asked(),
    )

    _collect(client)

    assert PageView.objects.count() == 0
