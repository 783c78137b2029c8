"""CookieConsentMiddleware: a cookie of a category the request's consent does not accept is never
sent, whichever code tried to set it, and one the browser still holds is deleted."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from logitrack.privacy.cookies.choice import ACCEPT_ALL
from logitrack.privacy.cookies.middleware import CookieConsentMiddleware
from logitrack.privacy.cookies.registry import ANALYTICS_ID_COOKIE, CHOICE_COOKIE


def _setting_analytics_cookie(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("ok")
    response.set_cookie(ANALYTICS_ID_COOKIE, "a" * 32, secure=True)
    response.set_cookie("__Host-logitrack_lang", "en", secure=True)
    return response


def _run(**extra: str) -> HttpResponse:
    request = RequestFactory().get("/", secure=True, **extra)  # type: ignore[arg-type]
    return CookieConsentMiddleware(_setting_analytics_cookie)(request)  # type: ignore[return-value]


def test_an_optional_cookie_is_dropped_before_any_choice() -> None:
    response = _run()

    assert ANALYTICS_ID_COOKIE not in response.cookies
    assert "__Host-logitrack_lang" in response.cookies  # necessary cookies pass


def test_an_optional_cookie_passes_with_consent() -> None:
    response = _run(HTTP_COOKIE=f"{CHOICE_COOKIE}={ACCEPT_ALL.as_cookie_value()}")

    assert response.cookies[ANALYTICS_ID_COOKIE].value == "a" * 32


def test_global_privacy_control_drops_it_and_deletes_a_held_one() -> None:
    held = f"{CHOICE_COOKIE}={ACCEPT_ALL.as_cookie_value()}; {ANALYTICS_ID_COOKIE}={'b' * 32}"

    response = _run(HTTP_COOKIE=held, HTTP_SEC_GPC="1")

    assert response.cookies[ANALYTICS_ID_COOKIE].value == ""
    assert response.cookies[ANALYTICS_ID_COOKIE]["max-age"] == 0
