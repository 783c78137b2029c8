"""Every cookie Logitrack sets, declared in one place (privacy policy §8, docs/adr/0035).

The cookie page renders its table from ``declared_cookies()``, the consent middleware removes a
cookie whose category the visitor has not accepted, and a test drives pages (sign-in included)
and fails when a response sets a cookie missing here. Django's own cookies (session, CSRF,
language, messages) are declared with the names and lifetimes configured in settings, so the
table cannot drift from what the server sends.

Shapes: ``lifetime_seconds`` is the Max-Age sent, in seconds; None means the cookie lives until
the browser closes. ``party`` is "first" for cookies set by Logitrack's own host; Logitrack sets
no third-party cookie and loads no third-party script.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The visitor's choice itself (strictly necessary: it remembers the choice, docs/adr/0035).
CHOICE_COOKIE = "__Host-logitrack_cookies"
CHOICE_COOKIE_AGE = 180 * 24 * 60 * 60
# The random first-party visitor id that usage analytics hashes with a daily salt
# (logitrack.analytics.visitor); set only with analytics consent.
ANALYTICS_ID_COOKIE = "__Host-logitrack_aid"
ANALYTICS_ID_COOKIE_AGE = 365 * 24 * 60 * 60


class Category(StrEnum):
    """The categories a visitor chooses among. Necessary cookies need no choice."""

    NECESSARY = "necessary"
    ANALYTICS = "analytics"
    MARKETING = "marketing"

    @property
    def label(self) -> Promise:
        return _CATEGORY_LABELS[self]

    @property
    def description(self) -> Promise:
        return _CATEGORY_DESCRIPTIONS[self]


_CATEGORY_LABELS = {
    Category.NECESSARY: _("Strictly necessary"),
    Category.ANALYTICS: _("Usage analytics"),
    Category.MARKETING: _("Marketing"),
}
_CATEGORY_DESCRIPTIONS = {
    Category.NECESSARY: _(
        "Needed for signing in, security and your language; always on, they track nothing."
    ),
    Category.ANALYTICS: _(
        "Counts which pages are used, on Logitrack's own servers, to improve features "
        "(privacy policy §3 and §8). No IP address is stored and the visitor id changes every day."
    ),
    Category.MARKETING: _(
        "Would measure promotions. Logitrack sets no marketing cookie today; this choice "
        "applies if one is ever added."
    ),
}
# The categories a visitor may accept or refuse, in the order the banner shows them.
OPTIONAL_CATEGORIES = (Category.ANALYTICS, Category.MARKETING)


@dataclass(frozen=True)
class DeclaredCookie:
    """One cookie Logitrack sets: its name, category, purpose, lifetime and party."""

    name: str
    category: Category
    purpose: Promise
    lifetime_seconds: int | None
    party: str = "first"

    @property
    def lifetime(self) -> str:
        """The lifetime in words, in the active language: "12 hours", "1 year", "session"."""
        return describe_lifetime(self.lifetime_seconds)


def describe_lifetime(seconds: int | None) -> str:
    from django.utils.translation import gettext, ngettext

    if seconds is None:
        return gettext("Until the browser is closed")
    day = 24 * 60 * 60
    if seconds >= 365 * day and seconds % (365 * day) < day:
        years = seconds // (365 * day)
        return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    if seconds >= day:
        days = seconds // day
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    hours = max(1, seconds // 3600)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def declared_cookies() -> tuple[DeclaredCookie, ...]:
    """Every cookie Logitrack may set, necessary ones first; names and ages read from settings."""
    session_age = (
        None if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE else int(settings.SESSION_COOKIE_AGE)
    )
    return (
        DeclaredCookie(
            name=settings.SESSION_COOKIE_NAME,
            category=Category.NECESSARY,
            purpose=_("Keeps you signed in (a random key; the session ends after inactivity)."),
            lifetime_seconds=session_age,
        ),
        DeclaredCookie(
            name=settings.CSRF_COOKIE_NAME,
            category=Category.NECESSARY,
            purpose=_("Protects forms against cross-site request forgery."),
            lifetime_seconds=None if settings.CSRF_USE_SESSIONS else int(settings.CSRF_COOKIE_AGE),
        ),
        DeclaredCookie(
            name=settings.LANGUAGE_COOKIE_NAME,
            category=Category.NECESSARY,
            purpose=_("Remembers the language you chose (Vietnamese or English)."),
            lifetime_seconds=settings.LANGUAGE_COOKIE_AGE,
        ),
        DeclaredCookie(
            name=CookieStorage.cookie_name,
            category=Category.NECESSARY,
            purpose=_("Carries a one-time notice (e.g. “saved”) to the next page you open."),
            lifetime_seconds=None,
        ),
        DeclaredCookie(
            name=CHOICE_COOKIE,
            category=Category.NECESSARY,
            purpose=_("Remembers your cookie choices, so that we do not ask on every page."),
            lifetime_seconds=CHOICE_COOKIE_AGE,
        ),
        DeclaredCookie(
            name=ANALYTICS_ID_COOKIE,
            category=Category.ANALYTICS,
            purpose=_(
                "A random id that lets usage analytics count visits; stored only as a keyed "
                "hash that changes every day."
            ),
            lifetime_seconds=ANALYTICS_ID_COOKIE_AGE,
        ),
    )


def cookie_named(name: str) -> DeclaredCookie | None:
    return next((cookie for cookie in declared_cookies() if cookie.name == name), None)


def cookies_in(category: Category) -> tuple[DeclaredCookie, ...]:
    return tuple(cookie for cookie in declared_cookies() if cookie.category == category)


def registry_version() -> str:
    """A short digest of the optional cookies (name and category): a stored choice made under
    another list of optional cookies is no longer valid, so the banner asks again."""
    listed = sorted(
        f"{cookie.name}:{cookie.category}"
        for cookie in declared_cookies()
        if cookie.category != Category.NECESSARY
    )
    listed += [str(category) for category in OPTIONAL_CATEGORIES]
    return hashlib.sha256("\n".join(listed).encode()).hexdigest()[:8]
