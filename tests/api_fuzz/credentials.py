"""Real credentials for fuzzing a running server: a company, its owner's session and an API key.

Everything goes over HTTPS as a person and a partner would: the public sign-up API, the sign-in
page (with its CSRF token), then the API-key API with the session. Decoys are made first, so the
smallest ids, which fuzzers try first, belong to a session and a key the run does not use.
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from logitrack.tenancy.roles import API_KEY_PERMISSIONS
from logitrack.tenancy.validators import tax_code_check_digit

SESSION_COOKIE = "__Host-logitrack_session"
CSRF_COOKIE = "__Host-logitrack_csrf"
PASSWORD = "sông-hồng-chảy-về-biển-đông"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Credentials:
    api_key: str
    session: str
    csrf_cookie: str
    csrf_token: str
    origin: str

    def bearer_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def session_headers(self) -> dict[str, str]:
        return {
            "Cookie": f"{SESSION_COOKIE}={self.session}; {CSRF_COOKIE}={self.csrf_cookie}",
            "X-CSRFToken": self.csrf_token,
            "Origin": self.origin,
            "Referer": f"{self.origin}/",
        }


# Sign-up and sign-in hash a password with argon2: on a loaded machine they take longer than
# httpx's default 5 s, which made the run fail before the first case.
SETUP_TIMEOUT_S = 30.0


def _tax_code() -> str:
    for head in range(310_000_000, 310_001_000):
        digit = tax_code_check_digit(f"{head:09d}")
        if digit is not None:
            return f"{head:09d}{digit}"
    raise AssertionError("no valid tax code found")


def _signed_in_browser(base_url: str, context: ssl.SSLContext, email: str) -> httpx.Client:
    browser = httpx.Client(
        base_url=base_url, verify=context, headers={"Origin": base_url}, timeout=SETUP_TIMEOUT_S
    )
    page = browser.get("/login/")
    match = _CSRF_INPUT.search(page.text)
    assert page.status_code == 200, page.text[:500]
    assert match is not None, page.text[:500]
    response = browser.post(
        "/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": match.group(1)},
        headers={"Referer": f"{base_url}/login/"},
    )
    assert response.status_code == 302, response.text[:500]
    assert SESSION_COOKIE in browser.cookies
    return browser


def _create_api_key(browser: httpx.Client, base_url: str, name: str) -> str:
    expires = datetime.now(UTC) + timedelta(days=30)
    response = browser.post(
        "/api/v1/api-keys",
        json={
            "name": name,
            "permissions": sorted(p.value for p in API_KEY_PERMISSIONS),
            "expires_at": expires.isoformat(),
        },
        headers={"X-CSRFToken": browser.cookies[CSRF_COOKIE], "Referer": f"{base_url}/"},
    )
    assert response.status_code == 201, response.text[:500]
    token: str = response.json()["token"]
    return token


def make_credentials(base_url: str, context: ssl.SSLContext) -> Credentials:
    email = "chu.so.huu@fuzz.logitrack.vn"
    with httpx.Client(base_url=base_url, verify=context, timeout=SETUP_TIMEOUT_S) as anonymous:
        response = anonymous.post(
            "/api/v1/signup",
            json={
                "company_name": "Công ty TNHH Kiểm thử Sông Hồng",
                "tax_code": _tax_code(),
                "industry": "transport",
                "street_address": "12 Phố Tràng Tiền",
                "province_code": 1,
                "ward_code": 70,
                "owner_full_name": "Nguyễn Văn An",
                "owner_email": email,
                "owner_password": PASSWORD,
                "owner_date_of_birth": "1985-04-30",
                "privacy_consent": True,
            },
        )
        # Accepted alike for a new and a taken address (docs/adr/0012); the owner then signs in.
        assert response.status_code == 202, response.text[:500]
    decoy = _signed_in_browser(base_url, context, email)
    _create_api_key(decoy, base_url, "decoy")
    browser = _signed_in_browser(base_url, context, email)
    token = _create_api_key(browser, base_url, "schemathesis")
    credentials = Credentials(
        api_key=token,
        session=browser.cookies[SESSION_COOKIE],
        csrf_cookie=browser.cookies[CSRF_COOKIE],
        csrf_token=browser.cookies[CSRF_COOKIE],
        origin=base_url,
    )
    decoy.close()
    browser.close()
    return credentials
