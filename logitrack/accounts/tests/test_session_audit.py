"""What ending sessions writes to the audit chain, the order sessions are listed in, and how
long a locked-out person is told to wait."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from logitrack.accounts.lockout import cool_off_minutes, lockout_response
from logitrack.accounts.models import User, UserSession
from logitrack.accounts.sessions import (
    AUTH_AT_KEY,
    SEEN_AT_KEY,
    hash_session_key,
    sessions_of_user,
)
from logitrack.accounts.tests.helpers import (
    EMAIL,
    HOME_IP,
    OTHER_IP,
    PASSWORD,
    audit_of,
    sign_in,
)
from logitrack.core.testing import HttpsClient
from logitrack.security.actors import Actor
from logitrack.security.models import AuditEntry

pytestmark = pytest.mark.django_db


def _row(entry: AuditEntry) -> tuple[object, ...]:
    return (
        entry.actor_kind,
        entry.actor_pseudonym,
        entry.tenant_id,
        entry.object_type,
        entry.object_id,
        entry.details,
        entry.ip,
    )


FIREFOX_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_signing_in_records_the_session_its_times_and_the_audit_entry(
    client: HttpsClient, user: User
) -> None:
    before, started = int(time.time()), timezone.now()

    response = client.post(
        "/login/",
        {"username": EMAIL, "password": PASSWORD},
        REMOTE_ADDR=HOME_IP,
        HTTP_USER_AGENT=FIREFOX_ON_LINUX,
    )

    after, ended = int(time.time()), timezone.now()
    assert response.status_code == 302
    [row] = UserSession.objects.filter(user=user)
    assert (row.key_hash, row.ip_address, row.user_agent) == (
        hash_session_key(client.session.session_key or ""),
        HOME_IP,
        "Firefox / Linux",
    )
    assert started <= row.created_at <= row.last_seen_at <= ended
    assert before <= client.session[AUTH_AT_KEY] <= client.session[SEEN_AT_KEY] <= after
    [entry] = audit_of("authn_login_success")
    me = Actor.user(user)
    assert _row(entry) == (me.kind, me.pseudonym, None, "user", str(user.pk), {}, HOME_IP)


def test_a_sign_in_without_a_user_agent_records_no_device(client: HttpsClient, user: User) -> None:
    response = sign_in(client)

    assert response.status_code == 302
    assert list(UserSession.objects.filter(user=user).values_list("user_agent", flat=True)) == [""]


def test_ending_one_session_is_audited_with_who_what_and_where(
    signed_in_client: HttpsClient, other_client: HttpsClient, user: User
) -> None:
    other = UserSession.objects.get(ip_address=OTHER_IP)

    signed_in_client.post(f"/account/sessions/{other.pk}/revoke/", REMOTE_ADDR=HOME_IP)

    [entry] = audit_of("session_revoked")
    me = Actor.user(user)
    assert _row(entry) == (
        me.kind, me.pseudonym, None, "user_session", str(other.pk), {"scope": "one"}, HOME_IP,
    )  # fmt: skip


def test_ending_the_other_sessions_is_audited_with_who_what_and_where(
    signed_in_client: HttpsClient, other_client: HttpsClient, user: User
) -> None:
    signed_in_client.post("/account/sessions/revoke-others/", REMOTE_ADDR=HOME_IP)

    [entry] = audit_of("session_revoked")
    me = Actor.user(user)
    assert _row(entry) == (
        me.kind, me.pseudonym, None, "user", str(user.pk), {"scope": "others", "count": 1},
        HOME_IP,
    )  # fmt: skip


def test_ending_the_other_sessions_when_there_are_none_writes_nothing(
    signed_in_client: HttpsClient,
) -> None:
    signed_in_client.post("/account/sessions/revoke-others/")

    assert audit_of("session_revoked") == []
    assert UserSession.objects.count() == 1


def test_signing_out_is_audited_with_who_and_where(
    signed_in_client: HttpsClient, user: User
) -> None:
    signed_in_client.post("/logout/", REMOTE_ADDR=HOME_IP)

    [entry] = audit_of("authn_logout")
    me = Actor.user(user)
    assert _row(entry) == (me.kind, me.pseudonym, None, "user", str(user.pk), {}, HOME_IP)
    assert UserSession.objects.count() == 0


def test_sessions_are_listed_most_recently_used_first_then_newest(user: User) -> None:
    now = timezone.now()
    older = UserSession.objects.create(user=user, key_hash="1" * 64, last_seen_at=now)
    recent = UserSession.objects.create(
        user=user, key_hash="2" * 64, last_seen_at=now - timedelta(hours=1)
    )
    tie = UserSession.objects.create(user=user, key_hash="3" * 64, last_seen_at=now)
    UserSession.objects.filter(pk=recent.pk).update(last_seen_at=now + timedelta(hours=1))

    assert [row.pk for row in sessions_of_user(user=user)] == [recent.pk, tie.pk, older.pk]


@pytest.mark.parametrize(
    ("cool_off", "minutes"),
    [(1.5, 90), (1 / 60 * 1.5, 2), (1 / 3600 * 20, 1), (None, 15)],
)
def test_the_wait_is_the_cool_off_in_whole_minutes(cool_off: float | None, minutes: int) -> None:
    request = RequestFactory().get("/login/")

    with override_settings(AXES_COOLOFF_TIME=cool_off):
        assert cool_off_minutes(request) == minutes


def test_an_api_client_is_told_how_long_to_wait_in_the_error_message() -> None:
    request = RequestFactory().post("/api/v1/login", HTTP_ACCEPT_LANGUAGE="en")

    with override_settings(AXES_COOLOFF_TIME=0.5):
        response = lockout_response(request, None)

    assert response.status_code == 429
    body = response.content.decode()
    assert '"code": "login_locked"' in body
    assert "30 minutes" in body or "30 phút" in body
