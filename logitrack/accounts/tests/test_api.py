"""/api/v1/me: one's own profile, password and sessions, with coded errors."""

from __future__ import annotations

import json

import pytest

from logitrack.accounts.models import User, UserSession
from logitrack.accounts.tests.helpers import (
    OTHER_IP,
    PASSWORD,
    audit_of,
    csrf_token,
    error_of,
    sign_in,
)
from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "mountain lantern bamboo river"


@pytest.fixture
def api(user: User) -> HttpsClient:
    """A browser that signed in and now calls the API with its session and CSRF token."""
    client = HttpsClient(enforce_csrf_checks=True, HTTP_REFERER="https://testserver/")
    token = csrf_token(client)
    client.post("/login/", {"username": user.email, "password": PASSWORD}, HTTP_X_CSRFTOKEN=token)
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["__Host-logitrack_csrf"].value
    return client


def _json(client: HttpsClient, method: str, path: str, body: object) -> object:
    send = getattr(client, method)
    return send(path, data=json.dumps(body), content_type="application/json")


def test_me_answers_the_own_profile(api: HttpsClient, user: User) -> None:
    response = api.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": "lan.nguyen@example.vn",
        "email_verified": True,
        "full_name": "Nguyễn Thị Lan",
        "phone": "",
        "language": "vi",
        "time_zone": "Asia/Ho_Chi_Minh",
    }


def test_me_without_a_session_is_401(client: HttpsClient, user: User) -> None:
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_patch_changes_only_the_fields_sent(api: HttpsClient, user: User) -> None:
    response = _json(api, "patch", "/api/v1/me", {"phone": "+84 912 345 678"})

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.json()["phone"] == "+84912345678"  # type: ignore[attr-defined]
    user.refresh_from_db()
    assert user.full_name == "Nguyễn Thị Lan"
    assert audit_of("user_updated")[0].details == {"fields": ["phone"]}


def test_patch_with_an_invalid_phone_is_422_and_changes_nothing(
    api: HttpsClient, user: User
) -> None:
    response = _json(api, "patch", "/api/v1/me", {"full_name": "Lan", "phone": "12"})

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert error_of(response)["code"] == "phone_invalid"
    user.refresh_from_db()
    assert user.full_name == "Nguyễn Thị Lan"
    assert audit_of("user_updated") == []


def test_patch_without_the_csrf_token_is_refused(api: HttpsClient, user: User) -> None:
    del api.defaults["HTTP_X_CSRFTOKEN"]

    response = _json(api, "patch", "/api/v1/me", {"full_name": "Lan"})

    assert response.status_code == 403  # type: ignore[attr-defined]
    assert error_of(response)["code"] == "csrf_failed"
    user.refresh_from_db()
    assert user.full_name == "Nguyễn Thị Lan"


def test_password_change_through_the_api(api: HttpsClient, user: User) -> None:
    response = _json(
        api,
        "post",
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 204  # type: ignore[attr-defined]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert api.get("/api/v1/me").status_code == 200


def test_password_change_with_a_wrong_current_password_is_coded(
    api: HttpsClient, user: User
) -> None:
    response = _json(
        api,
        "post",
        "/api/v1/me/password",
        {"current_password": "nope", "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert error_of(response)["code"] == "wrong_password"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_refused_new_password_lists_every_reason(api: HttpsClient, user: User) -> None:
    response = _json(
        api, "post", "/api/v1/me/password", {"current_password": PASSWORD, "new_password": "short"}
    )

    error = error_of(response)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert error["code"] == "password_rejected"
    assert error["fields"] == [
        {
            "field": "new_password",
            "message": "Mật khẩu này quá ngắn. Mật khẩu phải có ít nhất 12 ký tự.",
        }
    ]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_sessions_are_listed_with_the_current_one_marked(api: HttpsClient, user: User) -> None:
    sign_in(HttpsClient(), ip=OTHER_IP)

    response = api.get("/api/v1/me/sessions")

    rows = response.json()
    assert response.status_code == 200
    assert sorted(row["current"] for row in rows) == [False, True]
    assert {row["ip_address"] for row in rows} == {"127.0.0.1", OTHER_IP}


def test_deleting_a_session_ends_it(api: HttpsClient, user: User) -> None:
    other = HttpsClient()
    sign_in(other, ip=OTHER_IP)
    row = UserSession.objects.get(ip_address=OTHER_IP)

    response = api.delete(f"/api/v1/me/sessions/{row.pk}")

    assert response.status_code == 204
    assert other.get("/api/v1/me").status_code == 401


def test_deleting_someone_elses_session_is_404_and_changes_nothing(
    api: HttpsClient, user: User
) -> None:
    User.objects.create_user(email="binh@example.vn", password=PASSWORD, full_name="Bình")
    sign_in(HttpsClient(), email="binh@example.vn", ip=OTHER_IP)
    theirs = UserSession.objects.get(user__email="binh@example.vn")

    response = api.delete(f"/api/v1/me/sessions/{theirs.pk}")

    assert response.status_code == 404
    assert error_of(response)["code"] == "session_not_found"
    assert UserSession.objects.filter(pk=theirs.pk).exists()
