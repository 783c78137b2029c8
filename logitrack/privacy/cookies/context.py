"""Template context for the cookie banner and the analytics script (base template)."""

from __future__ import annotations

from django.http import HttpRequest

from logitrack.privacy.cookies.choice import consent_of


def cookie_consent(request: HttpRequest) -> dict[str, object]:
    """``cookie_consent``: the request's CookieConsent (``show_banner``, ``analytics``, ``gpc``)."""
    return {"cookie_consent": consent_of(request)}
