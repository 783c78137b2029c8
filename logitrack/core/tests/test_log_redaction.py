"""Logs carry no secret and no personal datum, from any logger, Django's own included."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.core.logging import JsonFormatter, RedactingFilter, redact_text
from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db

TOKEN = "Zq8vN3kT5wY2pL7mR4sB9xC6dF1gH0jK"
EMAIL = "lan.nguyen@example.vn"
PHONE = "0912345678"
PASSWORD = "correct horse battery staple"
API_KEY = "lt_ab12cd34_" + "Q" * 20 + "w7" * 11 + "x"
QUERY = f"?token={TOKEN}&email=lan.nguyen%40example.vn&phone=%2B84912345678&note={PHONE}"
FORBIDDEN = (
    TOKEN,
    EMAIL,
    "lan.nguyen%40example.vn",
    PHONE,
    "84912345678",
    PASSWORD,
    API_KEY,
    "ab12cd34",
)


@pytest.fixture
def user_with_session() -> str:
    """The session cookie of a signed-in person (a live secret that must never be logged)."""
    User.objects.create_user(
        email=EMAIL, password=PASSWORD, full_name="Nguyễn Thị Lan", email_verified_at=timezone.now()
    )
    browser = HttpsClient()
    assert browser.post("/login/", {"username": EMAIL, "password": PASSWORD}).status_code == 302
    return str(browser.cookies[settings.SESSION_COOKIE_NAME].value)


@dataclass
class Captured:
    at_root: io.StringIO
    configured: io.StringIO

    def lines(self, stream: io.StringIO) -> list[dict[str, Any]]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line]

    def text(self) -> str:
        return self.at_root.getvalue() + self.configured.getvalue()


def _configured_handlers() -> list[logging.Handler]:
    return [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactingFilter) for f in handler.filters)
    ]


@pytest.fixture
def captured() -> Iterator[Captured]:
    """Every record that reaches the root logger, and the real configured handler's output."""
    root = logging.getLogger()
    [configured] = _configured_handlers()
    assert isinstance(configured, logging.StreamHandler)
    configured_out = io.StringIO()
    previous = configured.setStream(configured_out)
    root_out = io.StringIO()
    at_root = logging.StreamHandler(root_out)
    at_root.setFormatter(JsonFormatter())
    root.addHandler(at_root)
    try:
        yield Captured(root_out, configured_out)
    finally:
        root.removeHandler(at_root)
        configured.setStream(previous)


def _assert_clean(captured: Captured, *extra: str) -> None:
    text = captured.text()
    leaked = [secret for secret in (*FORBIDDEN, *extra) if secret in text]
    assert leaked == []


def test_a_csrf_failure_logs_neither_the_token_nor_the_query(
    captured: Captured, client: HttpsClient
) -> None:
    browser = HttpsClient(enforce_csrf_checks=True)

    response = browser.post(f"/invitations/{TOKEN}/{QUERY}", {"password": PASSWORD})

    assert response.status_code == 403
    [warning] = [e for e in captured.lines(captured.configured) if e["logger"].endswith("csrf")]
    assert warning["logger"] == "django.security.csrf"
    assert warning["message"].startswith("Forbidden (")
    assert "/invitations/[redacted]" in warning["message"]
    assert [e["logger"] for e in captured.lines(captured.at_root)] == [
        e["logger"] for e in captured.lines(captured.configured)
    ]
    _assert_clean(captured)


@override_settings(ROOT_URLCONF="logitrack.core.tests.failing_urls")
def test_a_page_500_is_logged_with_its_traceback_and_no_secret(
    captured: Captured, client: HttpsClient, user_with_session: str
) -> None:
    client.cookies[settings.SESSION_COOKIE_NAME] = user_with_session
    client.raise_request_exception = False

    response = client.get(f"/failing-page/?contact={EMAIL}")

    assert response.status_code == 500
    [error] = [e for e in captured.lines(captured.configured) if e["logger"] == "django.request"]
    assert error["level"] == "error"
    assert error["message"] == "Internal Server Error: /failing-page/"
    assert "Traceback (most recent call last)" in error["exception"]
    assert "RuntimeError: cannot reach [email] (session=[redacted])" in error["exception"]
    assert error["status_code"] == 500
    _assert_clean(captured, user_with_session)


def test_an_api_500_is_logged_with_its_traceback_and_no_secret(
    captured: Captured, client: HttpsClient, user_with_session: str, monkeypatch: Any
) -> None:
    def failing_profile(user: User) -> None:
        raise ValueError(f"profile of {user.email} ({PHONE}) with key {API_KEY}")

    monkeypatch.setattr("logitrack.accounts.api._me_out", failing_profile)
    client.cookies[settings.SESSION_COOKIE_NAME] = user_with_session

    response = client.get(f"/api/v1/me{QUERY}", HTTP_AUTHORIZATION=f"Bearer {API_KEY}")

    assert response.status_code == 401
    response = client.get(f"/api/v1/me{QUERY}")
    assert response.status_code == 500
    errors = [e for e in captured.lines(captured.configured) if e["level"] == "error"]
    assert [e["logger"] for e in errors] == ["logitrack.api", "django.request"]
    error = errors[0]
    assert "Traceback (most recent call last)" in error["exception"]
    assert "ValueError: profile of [email] ([phone]) with key [api-key]" in error["exception"]
    _assert_clean(captured, user_with_session)


def test_a_bad_host_is_logged_without_personal_data(
    captured: Captured, client: HttpsClient
) -> None:
    response = client.get(f"/login/{QUERY}", HTTP_HOST=f"{PHONE}.{EMAIL}")

    assert response.status_code == 400
    [warning] = [
        e for e in captured.lines(captured.configured) if e["logger"].startswith("django.security")
    ]
    assert warning["logger"] == "django.security.DisallowedHost"
    assert warning["message"].startswith("Invalid HTTP_HOST header: '[email]'.")
    _assert_clean(captured)


def test_extra_fields_and_arguments_are_redacted_for_any_logger(captured: Captured) -> None:
    logging.getLogger("some.library").warning(
        "sign-in for %s from %s",
        EMAIL,
        PHONE,
        extra={"password": PASSWORD, "headers": {"Cookie": f"s={TOKEN}", "Accept": "text/html"}},
    )

    [entry] = captured.lines(captured.configured)
    assert entry["message"] == "sign-in for [email] from [phone]"
    assert entry["password"] == "[redacted]"
    assert entry["headers"] == {"Cookie": "[redacted]", "Accept": "text/html"}
    _assert_clean(captured)


def test_every_handler_of_every_logger_carries_the_redacting_filter() -> None:
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]

    unfiltered = [
        (logger.name, type(handler).__name__)
        for logger in loggers
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")
        # A NullHandler (a library's default, e.g. urllib3's) writes nothing anywhere.
        and not isinstance(handler, logging.NullHandler)
        and not any(isinstance(f, RedactingFilter) for f in handler.filters)
    ]

    assert unfiltered == []
    assert len(_configured_handlers()) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /login/?next=/a&email=x%40y.vn", "GET /login/?[redacted]"),
        ("Authorization: Bearer lt_abcdefgh_xyz", "Authorization: [redacted]"),
        ("sent with bearer abcdef123456", "sent with bearer [redacted]"),
        ("Cookie: a=b; c=d", "Cookie: [redacted]"),
        ("password=hunter2hunter2 next", "password=[redacted] next"),
        ('{"password": "hunter2"}', '{"password": "[redacted]"}'),
        ("mail to lan@côngty.vn now", "mail to [email] now"),
        ("call +84 912 345 678 now", "call [phone] now"),
        ("call 0912.345.678 now", "call [phone] now"),
        ("/reset/MQ/c1x2y3-abcdef/ done", "/reset/[redacted] done"),
        ("/verify-email/abc:def:ghi/", "/verify-email/[redacted]"),
        ("/password-reset/sent/", "/password-reset/sent/"),
        (f"key {TOKEN} in text", "key [token] in text"),
        ("input_value='lan dep trai', input_type=str", "input_value=[redacted], input_type=str"),
        (
            "request 2026-11-29 took 12.5 ms, status 500",
            "request 2026-11-29 took 12.5 ms, status 500",
        ),
        ("from 198.51.100.7 to logitrack.accounts.session_store", None),
    ],
)
def test_redaction_of_text(text: str, expected: str | None) -> None:
    assert redact_text(text) == (text if expected is None else expected)
