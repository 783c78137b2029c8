"""A wrong HTTP method gets the site's own 405: a page in a browser, the envelope on the API."""

from __future__ import annotations

import pytest
from django.conf import settings

from logitrack.accounts.models import User
from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title"),
    [("vi", "Không mở được theo cách này"), ("en", "Not available this way")],
)
def test_opening_sign_out_by_its_address_shows_a_page_in_the_persons_language(
    language: str, title: str
) -> None:
    user = User.objects.create_user(
        email="lan@example.vn", password="correct horse battery staple", full_name="Lan"
    )
    client = HttpsClient()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get("/logout/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert f"<h1>{title}</h1>" in response.content.decode()
    assert client.get("/account/").status_code == 200  # still signed in: nothing changed


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "vi",
            "Phương thức này không được phép ở đây; "
            "tiêu đề Allow liệt kê các phương thức được phép.",
        ),
        ("en", "This method is not allowed here; the Allow header lists those that are."),
    ],
)
def test_a_wrong_method_on_the_api_answers_the_error_envelope(language: str, message: str) -> None:
    response = HttpsClient().delete("/api/v1/orders", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}  # ninja's order varies
    assert response.json() == {"error": {"code": "method_not_allowed", "message": message}}
