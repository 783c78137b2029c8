"""Idle (30 min) and absolute (12 h) session timeouts, and refusal of revoked sessions.

Time is moved by rewriting the timestamps the middleware keeps in the session, not by sleeping.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.test import override_settings

from logitrack.accounts.models import User, UserSession
from logitrack.accounts.sessions import AUTH_AT_KEY, NOTICE_KEY, SEEN_AT_KEY
from logitrack.accounts.tests.helpers import audit_of, error_of
from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db


def _age_session(client: HttpsClient, *, seen_ago: int, signed_in_ago: int | None = None) -> None:
    session = client.session
    now = session[SEEN_AT_KEY]
    session[SEEN_AT_KEY] = now - seen_ago
    session[AUTH_AT_KEY] = now - (signed_in_ago if signed_in_ago is not None else seen_ago)
    session.save()


def test_a_session_idle_for_less_than_30_minutes_stays_signed_in(
    signed_in_client: HttpsClient,
) -> None:
    _age_session(signed_in_client, seen_ago=29 * 60)

    response = signed_in_client.get("/account/")

    assert response.status_code == 200
    assert SESSION_KEY in signed_in_client.session


def test_a_session_idle_for_30_minutes_is_signed_out(
    signed_in_client: HttpsClient, user: User
) -> None:
    _age_session(signed_in_client, seen_ago=30 * 60)

    response = signed_in_client.get("/account/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/account/"
    assert SESSION_KEY not in signed_in_client.session
    assert UserSession.objects.count() == 0
    [entry] = audit_of("session_expired")
    assert entry.details == {"reason": "idle"}
    assert entry.object_id == str(user.pk)


def test_the_sign_in_page_explains_why_after_an_expiry(signed_in_client: HttpsClient) -> None:
    _age_session(signed_in_client, seen_ago=31 * 60)

    page = signed_in_client.get("/account/", follow=True)

    assert "Phiên làm việc của bạn đã kết thúc. Vui lòng đăng nhập lại." in page.content.decode()


def test_an_active_session_ends_12_hours_after_sign_in(signed_in_client: HttpsClient) -> None:
    _age_session(signed_in_client, seen_ago=10, signed_in_ago=12 * 60 * 60)

    response = signed_in_client.get("/account/")

    assert response.status_code == 302
    assert SESSION_KEY not in signed_in_client.session
    assert audit_of("session_expired")[0].details == {"reason": "absolute"}


def test_an_active_session_just_under_12_hours_stays(signed_in_client: HttpsClient) -> None:
    _age_session(signed_in_client, seen_ago=10, signed_in_ago=12 * 60 * 60 - 60)

    assert signed_in_client.get("/account/").status_code == 200


@override_settings(LOGITRACK_SESSION_IDLE_SECONDS=60, LOGITRACK_SESSION_ABSOLUTE_SECONDS=600)
def test_timeouts_follow_the_settings(signed_in_client: HttpsClient) -> None:
    _age_session(signed_in_client, seen_ago=61)

    assert signed_in_client.get("/account/").status_code == 302


def test_an_expired_api_session_is_answered_401_session_expired(
    signed_in_client: HttpsClient,
) -> None:
    _age_session(signed_in_client, seen_ago=45 * 60)

    response = signed_in_client.get("/api/v1/me")

    assert response.status_code == 401
    assert error_of(response)["code"] == "session_expired"


def test_seen_time_is_written_at_most_once_a_minute(signed_in_client: HttpsClient) -> None:
    _age_session(signed_in_client, seen_ago=30)
    before = signed_in_client.session[SEEN_AT_KEY]

    signed_in_client.get("/account/")

    assert signed_in_client.session[SEEN_AT_KEY] == before


def test_seen_time_moves_forward_after_a_minute(signed_in_client: HttpsClient) -> None:
    _age_session(signed_in_client, seen_ago=10 * 60)
    before = signed_in_client.session[SEEN_AT_KEY]
    row_before = UserSession.objects.get().last_seen_at

    signed_in_client.get("/account/")

    assert signed_in_client.session[SEEN_AT_KEY] >= before + 10 * 60
    assert UserSession.objects.get().last_seen_at > row_before


def test_a_session_without_timestamps_is_refused(signed_in_client: HttpsClient) -> None:
    session = signed_in_client.session
    del session[AUTH_AT_KEY]
    session.save()

    assert signed_in_client.get("/account/").status_code == 302
    assert SESSION_KEY not in signed_in_client.session


def test_a_revoked_session_is_signed_out_on_its_next_request(
    signed_in_client: HttpsClient,
) -> None:
    UserSession.objects.all().delete()

    response = signed_in_client.get("/account/")

    assert response.status_code == 302
    assert SESSION_KEY not in signed_in_client.session


@pytest.mark.parametrize("only_key", [SESSION_KEY, BACKEND_SESSION_KEY])
def test_a_session_with_half_a_sign_in_is_anonymous_not_expired(
    client: HttpsClient, user: User, only_key: str
) -> None:
    # A sign-in writes both the person and the backend; with one of them the session claims no
    # one, so Django serves it anonymously and the timeouts have nothing to end.
    session = client.session
    session[only_key] = str(user.pk) if only_key == SESSION_KEY else "x"
    session.save()

    page = client.get("/login/")

    assert page.status_code == 200
    assert "Phiên làm việc của bạn đã kết thúc" not in page.content.decode()
    assert only_key in client.session
    assert NOTICE_KEY not in client.session
