"""The page shell: bilingual, switchable language, finished error pages, phone-ready."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import include, path

from config import urls as config_urls
from logitrack.core.testing import HttpsClient
from logitrack.tenancy.access import public

pytestmark = pytest.mark.django_db


@public("test view that fails on purpose")
def _explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("database password is hunter2")


urlpatterns = [path("explode/", _explode), path("", include("config.urls"))]
handler500 = config_urls.handler500


def _csrf(client: HttpsClient) -> str:
    client.get("/login/")
    return client.cookies["__Host-logitrack_csrf"].value


def test_pages_are_vietnamese_by_default(client: HttpsClient) -> None:
    response = client.get("/login/")

    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập vào Logitrack" in html
    assert response["Content-Language"] == "vi"


def test_language_switch_persists_across_requests(client: HttpsClient) -> None:
    token = _csrf(client)

    switched = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/login/"}, HTTP_X_CSRFTOKEN=token
    )
    later = client.get("/")

    assert switched.status_code == 302
    assert switched["Location"] == "/login/"
    assert '<html lang="en">' in later.content.decode()
    assert "Sign in" in later.content.decode()


def test_language_switch_refuses_an_offsite_next(client: HttpsClient) -> None:
    token = _csrf(client)

    response = client.post(
        "/i18n/setlang/",
        {"language": "en", "next": "https://evil.example/"},
        HTTP_X_CSRFTOKEN=token,
    )

    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_english_browser_still_gets_vietnamese_until_the_person_switches(
    client: HttpsClient,
) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert '<html lang="vi">' in html


def test_api_errors_follow_the_clients_accept_language(client: HttpsClient) -> None:
    english = client.get("/api/v1/no-such-route", HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = client.get("/api/v1/no-such-route", HTTP_ACCEPT_LANGUAGE="vi")

    assert english.json()["error"]["message"].startswith("The page you asked for does not exist")
    assert vietnamese.json()["error"]["message"].startswith("Trang bạn yêu cầu không tồn tại")


def test_shell_is_usable_at_phone_width(client: HttpsClient) -> None:
    html = client.get("/").content.decode()

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'aria-controls="site-nav"' in html


def test_favicon_is_served(client: HttpsClient) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)  # type: ignore[attr-defined]


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_is_translated_and_reveals_nothing() -> None:
    client = HttpsClient(raise_request_exception=False)

    response = client.get("/explode/", HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Đã xảy ra lỗi" in html
    assert "hunter2" not in html
    assert "Traceback" not in html


def test_forged_form_post_gets_the_translated_403_page(client: HttpsClient) -> None:
    from django.test import Client

    strict = HttpsClient(enforce_csrf_checks=True)
    response = strict.post("/login/", {"username": "a@b.vn", "password": "x"})

    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.content.decode()
    assert isinstance(strict, Client)


def test_login_with_wrong_password_shows_a_translated_error(
    client: HttpsClient, django_user_model: type
) -> None:
    django_user_model.objects.create_user(  # type: ignore[attr-defined]
        email="binh@example.vn", password="correct horse battery", full_name="Bình"
    )

    response = client.post("/login/", {"username": "binh@example.vn", "password": "wrong one!!!"})

    assert response.status_code == 200
    assert "Email hoặc mật khẩu không đúng." in response.content.decode()
    assert "_auth_user_id" not in client.session
