"""Every response carries the security headers and cookies the platform promises."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db

ROUTES = ["/", "/login/", "/healthz", "/readyz", "/does-not-exist/", "/api/v1/missing"]


@pytest.mark.parametrize("path", ROUTES)
def test_every_response_carries_hsts_csp_nosniff_and_referrer_policy(
    client: HttpsClient, path: str
) -> None:
    response = client.get(path)

    hsts = response["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))  # type: ignore[union-attr]
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/", "/login/", "/api/v1/missing"])
def test_a_plain_http_request_to_django_is_redirected_without_hsts(path: str) -> None:
    response = Client().get(path)

    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{path}"
    assert "Strict-Transport-Security" not in response


def test_script_policy_uses_a_fresh_nonce_and_no_unsafe_inline(client: HttpsClient) -> None:
    first = client.get("/")
    second = client.get("/")

    policies = [first["Content-Security-Policy"], second["Content-Security-Policy"]]
    nonces = []
    for policy in policies:
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src
        assert "'unsafe-eval'" not in script_src
        nonce = re.search(r"'nonce-([A-Za-z0-9+/=_-]+)'", script_src)
        assert nonce is not None
        nonces.append(nonce.group(1))
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[0]}"'.encode() in first.content


def test_page_scripts_carry_the_nonce_and_there_are_no_inline_handlers(client: HttpsClient) -> None:
    html = client.get("/login/").content.decode()

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    assert all("nonce=" in tag for tag in scripts)
    assert not re.search(r"\son[a-z]+=", html)


def test_plain_http_request_is_redirected_to_https() -> None:
    response = Client().get("/login/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"


def test_cookies_are_secure_lax_host_prefixed_and_session_is_httponly(client: HttpsClient) -> None:
    page = client.get("/login/")
    csrf = page.cookies["__Host-logitrack_csrf"]

    switched = client.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/"},
        HTTP_X_CSRFTOKEN=csrf.value,
    )

    language = switched.cookies["__Host-logitrack_lang"]
    for cookie in (csrf, language):
        assert cookie["secure"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
    from django.conf import settings

    assert settings.SESSION_COOKIE_NAME.startswith("__Host-")
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_session_cookie_set_at_login_is_secure_httponly_and_host_prefixed(
    client: HttpsClient, django_user_model: type
) -> None:
    django_user_model.objects.create_user(  # type: ignore[attr-defined]
        email="an@example.vn", password="a long enough passphrase", full_name="An"
    )

    client.get("/login/")
    response = client.post(
        "/login/",
        {"username": "an@example.vn", "password": "a long enough passphrase"},
        HTTP_X_CSRFTOKEN=client.cookies["__Host-logitrack_csrf"].value,
    )

    assert response.status_code == 302
    session = response.cookies["__Host-logitrack_session"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
