"""Listing and ending one's own sessions."""

from __future__ import annotations

import pytest

from logitrack.accounts.models import User, UserSession
from logitrack.accounts.tests.helpers import OTHER_IP, audit_of, sign_in
from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db


def test_the_sessions_page_lists_every_session_and_marks_this_device(
    signed_in_client: HttpsClient, other_client: HttpsClient
) -> None:
    response = signed_in_client.get(
        "/account/sessions/",
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="session-item') == 2
    assert html.count("thiết bị này") == 1
    assert OTHER_IP in html


def test_the_device_is_summarised_not_stored_raw(client: HttpsClient, user: User) -> None:
    ua = "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 Chrome/126.0 Mobile"
    client.post(
        "/login/",
        {"username": user.email, "password": "correct horse battery staple"},
        HTTP_USER_AGENT=ua,
    )

    assert UserSession.objects.get().user_agent == "Chrome / Android"


def test_ending_another_session_signs_that_browser_out(
    signed_in_client: HttpsClient, other_client: HttpsClient, user: User
) -> None:
    other = UserSession.objects.get(ip_address=OTHER_IP)

    response = signed_in_client.post(f"/account/sessions/{other.pk}/revoke/")

    assert response.status_code == 302
    assert not UserSession.objects.filter(pk=other.pk).exists()
    assert other_client.get("/account/").status_code == 302
    assert signed_in_client.get("/account/").status_code == 200
    [entry] = audit_of("session_revoked")
    assert entry.object_id == str(other.pk)


def test_another_persons_session_cannot_be_ended(signed_in_client: HttpsClient, user: User) -> None:
    User.objects.create_user(
        email="binh@example.vn", password="correct horse battery staple", full_name="Bình"
    )
    stranger = HttpsClient()
    sign_in(stranger, email="binh@example.vn", ip=OTHER_IP)
    theirs = UserSession.objects.get(user__email="binh@example.vn")

    response = signed_in_client.post(f"/account/sessions/{theirs.pk}/revoke/")

    assert response.status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()
    assert stranger.get("/account/").status_code == 200
    assert audit_of("session_revoked") == []


def test_ending_all_other_sessions_keeps_this_one(
    signed_in_client: HttpsClient, other_client: HttpsClient, user: User
) -> None:
    third = HttpsClient()
    sign_in(third, ip="192.0.2.44")

    signed_in_client.post("/account/sessions/revoke-others/")

    assert UserSession.objects.count() == 1
    assert signed_in_client.get("/account/").status_code == 200
    assert other_client.get("/account/").status_code == 302
    assert third.get("/account/").status_code == 302
    assert audit_of("session_revoked")[0].details == {"scope": "others", "count": 2}


def test_ending_a_session_needs_a_post(
    signed_in_client: HttpsClient, other_client: HttpsClient
) -> None:
    other = UserSession.objects.get(ip_address=OTHER_IP)

    response = signed_in_client.get(f"/account/sessions/{other.pk}/revoke/")

    assert response.status_code == 405
    assert UserSession.objects.filter(pk=other.pk).exists()


def test_times_are_shown_in_the_persons_time_zone(
    signed_in_client: HttpsClient, user: User
) -> None:
    user.time_zone = "Asia/Tokyo"
    user.save(update_fields=["time_zone"])

    html = signed_in_client.get("/account/sessions/").content.decode()

    assert "+09:00" in html
    assert "+07:00" not in html
