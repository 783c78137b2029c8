"""The Referrer-Policy of pages whose address holds a secret (invitation and verification links).

Decision (docs/adr/0016-every-journey-in-chromium.md): such pages answer ``same-origin``. A
browser then sends the full address, token included, only back to Logitrack itself, and nothing
at all to another site. ``no-referrer`` would hide it from Logitrack too, but the Fetch standard
("append a request `Origin` header", step 4) makes the browser send ``Origin: null`` on every
POST from a ``no-referrer`` page, and Django's CSRF check rightly refuses a null origin: every
form on the page (accepting the invitation, choosing a language, signing out) would fail with 403.
"""

from __future__ import annotations

from typing import TypeVar

from django.http import HttpResponseBase

TOKEN_PAGE_REFERRER_POLICY = "same-origin"  # noqa: S105 (a header value, not a secret)

# Policies under which a browser's same-origin form POST still carries the page's origin
# (Fetch standard, "append a request `Origin` header": only ``no-referrer`` serialises it as
# null for a same-origin HTTPS request).
POLICIES_KEEPING_ORIGIN = frozenset(
    {
        "same-origin",
        "origin",
        "strict-origin",
        "origin-when-cross-origin",
        "strict-origin-when-cross-origin",
        "no-referrer-when-downgrade",
        "unsafe-url",
    }
)

R = TypeVar("R", bound=HttpResponseBase)


def keep_token_on_site(response: R) -> R:
    """Set the token-page policy on ``response`` and return it."""
    response["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
    return response


def origin_sent_on_same_origin_post(referrer_policy: str, page_origin: str) -> str:
    """The ``Origin`` header a browser sends when a page served with ``referrer_policy`` posts a
    form to its own (HTTPS) origin ``page_origin``: the origin, or ``"null"``.

    The header may list fallbacks (``"no-referrer, same-origin"``); the last policy the browser
    knows wins (Referrer Policy §4.1, "parse a referrer policy from a Referrer-Policy header").
    An empty or unknown header means the default, ``strict-origin-when-cross-origin``.
    """
    known = [
        token.strip().lower()
        for token in referrer_policy.split(",")
        if token.strip().lower() in POLICIES_KEEPING_ORIGIN | {"no-referrer"}
    ]
    policy = known[-1] if known else "strict-origin-when-cross-origin"
    return "null" if policy == "no-referrer" else page_origin
