"""The visitor's cookie choice: read from its cookie, honoured with Global Privacy Control, saved.

The choice lives in the first-party cookie ``registry.CHOICE_COOKIE`` as
``<registry version>.a<0|1>.m<0|1>`` (analytics, marketing). A value in any other shape, or made
under another registry version, counts as no choice: only necessary cookies, and the banner asks.
``Sec-GPC: 1`` (Global Privacy Control, https://privacycg.github.io/gpc-spec/) refuses analytics
and marketing whatever the cookie says (docs/adr/0035).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponseBase

from logitrack.privacy.cookies.registry import (
    CHOICE_COOKIE,
    CHOICE_COOKIE_AGE,
    Category,
    cookies_in,
    registry_version,
)

_VALUE = re.compile(r"^(?P<version>[0-9a-f]{8})\.a(?P<analytics>[01])\.m(?P<marketing>[01])$")
# The audit action written when a signed-in person makes a choice.
AUDIT_ACTION = "privacy_cookie_choice"


@dataclass(frozen=True)
class CookieChoice:
    """Which optional categories a visitor accepted. ``made`` is False before any choice."""

    analytics: bool = False
    marketing: bool = False
    made: bool = False

    def accepts(self, category: Category) -> bool:
        if category == Category.NECESSARY:
            return True
        return bool(self.made and getattr(self, category.value))

    def as_cookie_value(self) -> str:
        return f"{registry_version()}.a{int(self.analytics)}.m{int(self.marketing)}"

    def as_details(self) -> dict[str, object]:
        return {"analytics": self.analytics, "marketing": self.marketing}


NO_CHOICE = CookieChoice()
REJECT_ALL = CookieChoice(analytics=False, marketing=False, made=True)
ACCEPT_ALL = CookieChoice(analytics=True, marketing=True, made=True)


def parse_choice(value: str | None) -> CookieChoice:
    """The choice stored in ``value``; NO_CHOICE for a missing, malformed or outdated value."""
    found = _VALUE.fullmatch(value or "")
    if found is None or found["version"] != registry_version():
        return NO_CHOICE
    return CookieChoice(
        analytics=found["analytics"] == "1", marketing=found["marketing"] == "1", made=True
    )


def gpc_enabled(request: HttpRequest) -> bool:
    """True when the browser sends ``Sec-GPC: 1`` (the only value the GPC spec defines)."""
    return request.headers.get("Sec-GPC", "").strip() == "1"


@dataclass(frozen=True)
class CookieConsent:
    """What this request may do: the stored choice, with Global Privacy Control applied."""

    stored: CookieChoice
    gpc: bool

    @property
    def analytics(self) -> bool:
        return not self.gpc and self.stored.accepts(Category.ANALYTICS)

    @property
    def marketing(self) -> bool:
        return not self.gpc and self.stored.accepts(Category.MARKETING)

    @property
    def show_banner(self) -> bool:
        return not self.stored.made

    def accepts(self, category: Category) -> bool:
        if category == Category.NECESSARY:
            return True
        return bool(getattr(self, category.value))


def _within_ledger(request: HttpRequest, stored: CookieChoice) -> CookieChoice:
    """``stored`` less what a signed-in person has withdrawn in the consent ledger since.

    The cookie is this browser's record, the ledger the person's: a withdrawal of "usage
    analytics" or "advertising measurement" on the consents page (or from another browser) is
    effective at once here too, although this browser's cookie still says yes. A grant in the
    ledger never turns on what the cookie refuses. Queried only for a signed-in person whose
    cookie accepts an optional category (one indexed look-up per category).
    """
    if not (stored.analytics or stored.marketing):
        return stored
    from logitrack.tenancy.access import principal_of

    user = principal_of(request).user
    if user is None:
        return stored
    from logitrack.privacy.consent.models import Action, FixedPurpose
    from logitrack.privacy.consent.services.consents import user_consent_current

    def withdrawn(purpose: str) -> bool:
        current = user_consent_current(user, purpose)
        return current is not None and current.action == Action.WITHDRAW

    return CookieChoice(
        analytics=stored.analytics and not withdrawn(FixedPurpose.USAGE_ANALYTICS),
        marketing=stored.marketing and not withdrawn(FixedPurpose.ADVERTISING_MEASUREMENT),
        made=stored.made,
    )


def consent_of(request: HttpRequest) -> CookieConsent:
    """The consent of ``request``, computed once and kept on the request: the choice cookie,
    less a signed-in person's withdrawals in the consent ledger, with Global Privacy Control."""
    cached = getattr(request, "_logitrack_cookie_consent", None)
    if isinstance(cached, CookieConsent):
        return cached
    stored = _within_ledger(request, parse_choice(request.COOKIES.get(CHOICE_COOKIE)))
    consent = CookieConsent(stored=stored, gpc=gpc_enabled(request))
    request._logitrack_cookie_consent = consent  # type: ignore[attr-defined]
    return consent


def set_choice_cookie(response: HttpResponseBase, choice: CookieChoice) -> None:
    """Store ``choice`` and delete the cookies of every category it refuses."""
    response.set_cookie(
        CHOICE_COOKIE,
        choice.as_cookie_value(),
        max_age=CHOICE_COOKIE_AGE,
        path="/",
        secure=True,
        httponly=True,
        samesite="Lax",
    )
    for category in (Category.ANALYTICS, Category.MARKETING):
        if not choice.accepts(category):
            for cookie in cookies_in(category):
                response.delete_cookie(cookie.name, path="/", samesite="Lax")


def cookie_choice_recorded(
    request: HttpRequest, response: HttpResponseBase, choice: CookieChoice
) -> None:
    """Record ``choice``: the choice cookie on ``response`` (refused categories' cookies
    deleted), and for a signed-in person an audit entry ``privacy_cookie_choice`` with the
    categories, the Global Privacy Control signal and the registry version.

    The one place a cookie choice is recorded. A signed-in person's choice is also written to
    the consent ledger in the same transaction, by page: analytics cookies as the purpose
    "usage analytics", marketing cookies as "advertising measurement". Under Global Privacy
    Control both count as refused, whatever was clicked, as they do for the cookies themselves.
    """
    from django.db import transaction

    from logitrack.security.actors import Actor
    from logitrack.security.services import audit_record
    from logitrack.tenancy.access import principal_of

    set_choice_cookie(response, choice)
    request._logitrack_cookie_consent = CookieConsent(  # type: ignore[attr-defined]
        stored=choice, gpc=gpc_enabled(request)
    )
    user = principal_of(request).user
    if user is None:
        return
    from logitrack.privacy.consent.models import Action, FixedPurpose, Method
    from logitrack.privacy.consent.notices import Asked
    from logitrack.privacy.consent.services.consents import user_consent_record

    asked = Asked.from_request(request)
    with transaction.atomic():
        for purpose, accepted in (
            (FixedPurpose.USAGE_ANALYTICS, choice.analytics and not asked.gpc),
            (FixedPurpose.ADVERTISING_MEASUREMENT, choice.marketing),  # the ledger refuses it
        ):
            user_consent_record(
                actor=Actor.user(user),
                user=user,
                purpose=purpose,
                action=Action.GRANT if accepted else Action.WITHDRAW,
                method=Method.PAGE,
                asked=asked,
            )
        audit_record(
            action=AUDIT_ACTION,
            actor=Actor.user(user),
            tenant_id=principal_of(request).tenant_id,
            object_type="user",
            object_id=str(user.pk),
            details={
                **choice.as_details(),
                "gpc": gpc_enabled(request),
                "version": registry_version(),
            },
            request=request,
        )
