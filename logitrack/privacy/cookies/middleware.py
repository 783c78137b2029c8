"""Enforce the cookie choice on every response, whatever view or middleware set a cookie.

A declared cookie of a category this request's consent does not accept (no choice yet, refused,
or refused by Global Privacy Control) is never sent: a Set-Cookie for it is dropped, and if the
browser still holds one from an earlier choice it is deleted. Undeclared cookies are left to the
registry test (logitrack/privacy/tests/test_cookie_registry.py), which fails on them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from logitrack.privacy.cookies.choice import consent_of
from logitrack.privacy.cookies.registry import Category, declared_cookies


def _is_deletion(response: HttpResponseBase, name: str) -> bool:
    return str(response.cookies[name]["max-age"]) == "0"


class CookieConsentMiddleware:
    """Drops and deletes cookies of categories the request's consent does not accept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        consent = consent_of(request)
        for cookie in declared_cookies():
            if cookie.category == Category.NECESSARY or consent.accepts(cookie.category):
                continue
            if cookie.name in response.cookies and not _is_deletion(response, cookie.name):
                del response.cookies[cookie.name]
            if cookie.name in request.COOKIES and cookie.name not in response.cookies:
                response.delete_cookie(cookie.name, path="/", samesite="Lax")
        return response
