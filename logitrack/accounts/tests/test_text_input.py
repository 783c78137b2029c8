"""A person's own profile (page and PATCH /api/v1/me) goes through the text layer: hazards answer
4xx with a field error and change nothing; names are stored NFC with whitespace collapsed and
phone numbers typed in any script's digits are stored in ASCII E.164. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest

from logitrack.accounts.models import User
from logitrack.accounts.tests.helpers import PASSWORD, audit_of, csrf_token
from logitrack.core.testing import HttpsClient
from logitrack.core.tests.test_text import fullwidth

pytestmark = pytest.mark.django_db

HAZARDS = [
    ("\x00", "text_control_character"),
    ("\x1b]8;;https://evil.example\x07", "text_control_character"),
    ("\x9b", "text_control_character"),
    ("\u202e", "text_bidi_control"),
    ("\u200f", "text_bidi_control"),
    ("\udfff", "text_invalid_character"),
]


@pytest.fixture
def api(user: User) -> HttpsClient:
    client = HttpsClient(enforce_csrf_checks=True, HTTP_REFERER="https://testserver/")
    token = csrf_token(client)
    client.post("/login/", {"username": user.email, "password": PASSWORD}, HTTP_X_CSRFTOKEN=token)
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["__Host-logitrack_csrf"].value
    return client


def _patch(client: HttpsClient, body: dict[str, Any]) -> Any:
    return client.patch("/api/v1/me", data=json.dumps(body), content_type="application/json")


def _profile_row(user: User) -> tuple[str, str, str, str]:
    user.refresh_from_db()
    return (user.full_name, user.phone or "", user.language, user.time_zone)


@pytest.mark.parametrize(("hazard", "code"), HAZARDS)
@pytest.mark.parametrize("field", ["full_name", "phone", "language", "time_zone"])
def test_patching_the_profile_with_a_hazard_answers_422_and_changes_nothing(
    api: HttpsClient, user: User, field: str, hazard: str, code: str
) -> None:
    before = _profile_row(user)
    value = {"full_name": "Lan", "phone": "0912", "language": "vi", "time_zone": "Asia"}[field]

    response = _patch(api, {field: f"{value}{hazard}"})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert [(f["field"], f["code"]) for f in error["fields"]] == [(field, code)]
    assert _profile_row(user) == before
    assert audit_of("user_updated") == []


def test_patching_the_profile_stores_a_decomposed_name_composed_and_collapsed(
    api: HttpsClient, user: User
) -> None:
    response = _patch(api, {"full_name": "  Nguye\u0302\u0303n   Thi\u0323\u00a0Lan  "})

    assert response.status_code == 200
    assert response.json()["full_name"] == "Nguyễn Thị Lan"
    user.refresh_from_db()
    assert user.full_name == "Nguyễn Thị Lan"


def test_a_full_name_of_invisible_characters_only_is_refused(api: HttpsClient, user: User) -> None:
    before = _profile_row(user)

    response = _patch(api, {"full_name": "\u200b\u2060\ufeff"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "full_name_invalid"
    assert _profile_row(user) == before


@pytest.mark.parametrize(
    "typed", [fullwidth("0912 345 678"), "٠٩١٢٣٤٥٦٧٨", fullwidth("+84 912-345-678")]
)
def test_a_phone_typed_in_unicode_digits_is_stored_in_ascii_e164(
    api: HttpsClient, user: User, typed: str
) -> None:
    response = _patch(api, {"phone": typed})

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.phone == "+84912345678"


def _page(**overrides: str) -> dict[str, str]:
    return {
        "full_name": "Nguyễn Thị Lan",
        "phone": "",
        "language": "vi",
        "time_zone": "Asia/Ho_Chi_Minh",
        **overrides,
    }


@pytest.mark.parametrize(("hazard", "code"), HAZARDS[:-1])
@pytest.mark.parametrize("field", ["full_name", "phone"])
def test_the_profile_page_refuses_hazards_with_a_field_error_and_changes_nothing(
    signed_in_client: HttpsClient, user: User, field: str, hazard: str, code: str
) -> None:
    before = _profile_row(user)

    response = signed_in_client.post("/account/", _page(**{field: f"0912{hazard}"}))

    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()[field]] == [code]
    assert _profile_row(user) == before
    assert audit_of("user_updated") == []


def test_the_profile_page_stores_the_name_normalised_and_the_phone_in_ascii(
    signed_in_client: HttpsClient, user: User
) -> None:
    response = signed_in_client.post(
        "/account/", _page(full_name="  Tra\u0302\u0300n   Lan ", phone=fullwidth("0912 345 678"))
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.phone) == ("Trần Lan", "+84912345678")


def test_the_profile_page_requires_a_name_that_is_not_only_invisible(
    signed_in_client: HttpsClient, user: User
) -> None:
    before = _profile_row(user)

    response = signed_in_client.post("/account/", _page(full_name="\u200b \u00ad"))

    assert [e.code for e in response.context["form"].errors.as_data()["full_name"]] == ["required"]
    assert _profile_row(user) == before
