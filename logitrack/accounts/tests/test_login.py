"""Signing in and out: session rotation, audit entries, and brute-force lockout per e-mail + IP."""

from __future__ import annotations

import json

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

from logitrack.accounts.models import User, UserSession
from logitrack.accounts.sessions import hash_session_key
from logitrack.accounts.tests.helpers import (
    EMAIL,
    HOME_IP,
    OTHER_IP,
    PASSWORD,
    audit_actions,
    audit_of,
    sign_in,
)
from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db

SESSION_COOKIE = "__Host-logitrack_session"


def test_sign_in_with_the_right_password_redirects_home(client: HttpsClient, user: User) -> None:
    response = sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)


def test_sign_in_rotates_the_session_key(client: HttpsClient, user: User) -> None:
    anonymous = client.session
    anonymous["cart"] = "kept"
    anonymous.save()
    before = anonymous.session_key
    assert before is not None

    sign_in(client)

    after = client.cookies[SESSION_COOKIE].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["cart"] == "kept"


def test_sign_in_records_the_session_and_an_audit_entry(client: HttpsClient, user: User) -> None:
    sign_in(client, ip=HOME_IP)

    row = UserSession.objects.get()
    assert row.user == user
    assert row.key_hash == hash_session_key(client.cookies[SESSION_COOKIE].value)
    assert row.ip_address == HOME_IP
    [entry] = audit_of("authn_login_success")
    assert entry.object_id == str(user.pk)
    assert entry.ip == HOME_IP


def test_sign_in_switches_the_page_language_to_the_persons(client: HttpsClient) -> None:
    User.objects.create_user(
        email="an@example.vn", password=PASSWORD, full_name="An", language="en"
    )

    response = sign_in(client, email="an@example.vn")

    assert response.cookies["__Host-logitrack_lang"].value == "en"


def test_sign_in_is_case_insensitive_on_the_email(client: HttpsClient, user: User) -> None:
    response = sign_in(client, email=EMAIL.upper())

    assert response.status_code == 302


def test_wrong_password_is_refused_and_audited_without_the_email(
    client: HttpsClient, user: User
) -> None:
    response = sign_in(client, password="not the password at all")

    assert response.status_code == 200
    assert "Email hoặc mật khẩu không đúng." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert UserSession.objects.count() == 0
    [entry] = audit_of("authn_login_fail")
    assert entry.object_id == str(user.pk)
    assert EMAIL not in json.dumps(entry.details)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(
    client: HttpsClient, user: User
) -> None:
    wrong_password = sign_in(client, password="not the password at all").content.decode()
    unknown = sign_in(HttpsClient(), email="nobody@example.vn").content.decode()

    assert "Email hoặc mật khẩu không đúng." in unknown
    assert wrong_password.count("alert-error") == unknown.count("alert-error") == 1
    assert [e.object_id for e in audit_of("authn_login_fail")] == [str(user.pk), ""]


def test_five_failures_lock_that_email_from_that_address(client: HttpsClient, user: User) -> None:
    responses = [sign_in(client, password=f"wrong password {n}") for n in range(5)]

    after = sign_in(client)  # even the right password is refused now

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert after.status_code == 429
    assert "Quá nhiều lần đăng nhập không thành công" in after.content.decode()
    assert after["Retry-After"] == "900"
    assert SESSION_KEY not in client.session
    assert len(audit_of("authn_login_lock")) >= 1
    assert audit_of("authn_login_lock")[0].object_id == str(user.pk)
    assert "authn_login_success" not in audit_actions()


def test_lockout_does_not_lock_the_owner_out_from_another_address(
    client: HttpsClient, user: User
) -> None:
    for n in range(5):
        sign_in(client, password=f"wrong password {n}", ip=HOME_IP)

    owner = HttpsClient()
    response = sign_in(owner, ip=OTHER_IP)

    assert response.status_code == 302
    assert owner.session[SESSION_KEY] == str(user.pk)


def test_lockout_counts_the_email_whatever_its_case(client: HttpsClient, user: User) -> None:
    for n, email in enumerate([EMAIL, EMAIL.upper(), " " + EMAIL, EMAIL.title(), EMAIL]):
        sign_in(client, email=email.strip(), password=f"wrong password {n}")

    assert sign_in(client).status_code == 429
    assert AccessAttempt.objects.get().username == EMAIL


def test_success_resets_the_failure_count(client: HttpsClient, user: User) -> None:
    for n in range(4):
        sign_in(client, password=f"wrong password {n}")

    sign_in(client)

    assert AccessAttempt.objects.count() == 0


def test_lockout_answers_json_to_an_api_client(client: HttpsClient, user: User) -> None:
    for n in range(5):
        sign_in(client, password=f"wrong password {n}")

    response = client.post(
        "/login/",
        {"username": EMAIL, "password": PASSWORD},
        HTTP_ACCEPT="application/json",
        REMOTE_ADDR=HOME_IP,
    )

    assert response.status_code == 429
    assert json.loads(response.content)["error"]["code"] == "login_locked"


def test_sign_out_ends_the_session_and_is_audited(
    signed_in_client: HttpsClient, user: User
) -> None:
    response = signed_in_client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert SESSION_KEY not in signed_in_client.session
    assert UserSession.objects.count() == 0
    assert audit_actions()[-1] == "authn_logout"
    assert signed_in_client.get("/account/").status_code == 302


def test_sign_out_by_get_is_refused(signed_in_client: HttpsClient, user: User) -> None:
    response = signed_in_client.get("/logout/")

    assert response.status_code == 405
    assert UserSession.objects.count() == 1


def test_the_lockout_counts_an_ipv6_subscribers_64_as_one_address(
    client: HttpsClient, user: User
) -> None:
    for n in range(5):
        sign_in(client, password=f"wrong password {n}", ip=f"2001:db8:0:1::{n + 1}")

    # Another address inside the same /64 is the same subscriber: still locked.
    same_network = sign_in(HttpsClient(), ip="2001:db8:0:1::ff")
    other_network = sign_in(HttpsClient(), ip="2001:db8:0:2::1")

    assert same_network.status_code == 429
    assert other_network.status_code == 302
