"""Rate limits on the doors that attackers knock on: sign-in, reset, sign-up, verification resend,
invitation acceptance and bearer tokens (docs/adr/0012-rate-limits-and-background-mail.md).

Counters are fixed windows kept in Django's cache by django-ratelimit's ``get_usage`` (a database
table by default, Redis when REDIS_URL is set), so every process of a deployment shares them.
Each limit is counted per client IP (an IPv6 client per /64 network, the block one subscriber
gets) and, where an e-mail address is involved, per account; the account key is the address's
canonical form from ``account_key``, so spellings of one address share one counter.

Shapes: a rate is "<count>/<period>" as django-ratelimit reads it ("5/h", "30/10m"); windows are
whole seconds; ``Retry-After`` is a delay in seconds (RFC 9110 §10.2.3).
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import caches
from django.core.checks import CheckMessage, Error
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_ratelimit.core import ALL, _get_window, _make_cache_key, _split_rate, get_usage

from logitrack.core.errors import error_json, wants_json
from logitrack.core.identity import email_key

# Defaults; LOGITRACK_RATE_LIMITS (a dict of the same names) overrides any of them.
DEFAULT_RATES: dict[str, str] = {
    # Every sign-in POST from one address, whichever accounts it tries.
    "signin.ip": "30/10m",
    # Failed sign-ins of one account from all addresses: past this, only addresses that have
    # signed in to the account before may keep trying until the window ends (the ADR's ceiling).
    "signin.account_failures": "20/h",
    "password_reset.ip": "10/h",
    "password_reset.account": "3/h",
    "signup.ip": "10/h",
    "signup.account": "3/h",
    "verification_resend.ip": "10/h",
    "verification_resend.account": "3/h",
    "invitation_accept.ip": "20/h",
    "invitation_accept.account": "10/h",
    # Requests with an unknown, expired or revoked bearer key from one address.
    "api_key_failures.ip": "20/10m",
    # Public tracking (page and API) from one address: a shop checking its day's parcels stays
    # well below; a scraper walking waybill numbers does not (docs/adr/0024).
    "tracking.ip": "120/m",
    # Page views reported by the first-party analytics script from one address (docs/adr/0035).
    "analytics.ip": "120/m",
    # Visitors' reports that an account holder is under 16 (privacy policy section 9).
    "underage_report.ip": "5/h",
}
# How long an address stays "known" for an account after a successful sign-in from it.
KNOWN_ADDRESS_SECONDS = 90 * 24 * 60 * 60
_KNOWN_SALT = "logitrack.security.throttle.known"
_KEY_SALT = "logitrack.security.throttle.key"

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
KeyFunction = Callable[[HttpRequest], "str | None"]


def account_key(email: str) -> str:
    """The account part of a limit's key: ``core.identity.email_key``, the same key the lockout
    counts under, so every spelling of one address shares one limit (docs/adr/0011)."""
    return email_key(email)


# The key every request whose client address cannot be told (no peer address, or a trusted
# proxy's X-Forwarded-For ending in something that is not an address) counts against: such
# requests share one budget rather than escaping every limit (fail closed).
UNKNOWN_CLIENT = "unknown"


def ip_key(request: HttpRequest) -> str:
    """The client address a limit counts against: the audit chain's, IPv6 reduced to its /64;
    ``UNKNOWN_CLIENT`` when the address cannot be told."""
    from logitrack.security.services import client_ip  # services imports models: load lazily

    address = client_ip(request)
    if not address:
        return UNKNOWN_CLIENT
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def rate_of(name: str) -> str:
    """The rate of limit ``name``: LOGITRACK_RATE_LIMITS's if it sets one, else the default."""
    overrides: dict[str, str] = getattr(settings, "LOGITRACK_RATE_LIMITS", {}) or {}
    return overrides.get(name) or DEFAULT_RATES[name]


def check_rates() -> list[str]:
    """Problems with LOGITRACK_RATE_LIMITS: unknown names or rates django-ratelimit cannot read."""
    from django_ratelimit.core import rate_re

    overrides: dict[str, str] = getattr(settings, "LOGITRACK_RATE_LIMITS", {}) or {}
    problems = [f"unknown limit {name!r}" for name in overrides if name not in DEFAULT_RATES]
    problems += [
        f"{name}: {rate!r} is not <count>/<period> (e.g. 5/h, 30/10m)"
        for name, rate in overrides.items()
        if not rate_re.fullmatch(rate)
    ]
    return problems


def rate_limits_check(**_kwargs: Any) -> list[CheckMessage]:
    """System check security.E101: a mistyped LOGITRACK_RATE_LIMITS stops start-up."""
    return [
        Error(f"LOGITRACK_RATE_LIMITS: {problem}", id="security.E101") for problem in check_rates()
    ]


@dataclass(frozen=True)
class Usage:
    """One limit's counter for one key: ``count`` hits in the window, ``limit`` allowed."""

    name: str
    count: int
    limit: int
    retry_after: int

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


def _digest(value: str) -> str:
    # Keys are hashed again by django-ratelimit; keying them first keeps addresses and e-mails
    # out of the cache even for someone who can read it and guess them.
    return salted_hmac(_KEY_SALT, value, algorithm="sha256").hexdigest()


def usage(request: HttpRequest, name: str, value: str, *, increment: bool) -> Usage:
    """Count (``increment``) or read the hits of limit ``name`` for ``value`` in this window.

    Fails closed: a cache that cannot count answers "exceeded" (django-ratelimit's behaviour
    without RATELIMIT_FAIL_OPEN), with a retry after one minute.
    """
    rate = rate_of(name)
    found = get_usage(
        request,
        group=f"logitrack.{name}",
        key=lambda _group, _request: _digest(value),
        rate=rate,
        increment=increment,
    )
    if found is None:  # RATELIMIT_ENABLE is off
        return Usage(name=name, count=0, limit=1, retry_after=0)
    count, limit = int(found["count"]), int(found["limit"])
    if found["time_left"] < 0:
        return Usage(name=name, count=1, limit=0, retry_after=60)
    return Usage(name=name, count=count, limit=limit, retry_after=max(1, int(found["time_left"])))


def hit(request: HttpRequest, name: str, value: str | None) -> Usage | None:
    """Count one attempt against ``name`` for ``value``; the usage if this attempt is over."""
    if not value:
        return None
    counted = usage(request, name, value, increment=True)
    return counted if counted.exceeded else None


def _peek(name: str, value: str) -> Usage:
    """The hits ``hit`` counted for ``value`` under ``name`` in this window: one cache read.

    django-ratelimit's ``get_usage(increment=False)`` first *adds* a zero counter, which on the
    database cache is a ``COUNT(*)`` of the whole table, a lookup and an insert on every call;
    reading the key it writes (``_make_cache_key`` of the same group, window, rate and value)
    gives the same count with one ``get``.
    """
    rate = rate_of(name)
    limit, period = _split_rate(rate)
    hashed = _digest(value)
    window = _get_window(hashed, period)
    key = _make_cache_key(f"logitrack.{name}", window, rate, hashed, ALL)
    count = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")].get(key, 0)
    retry = max(1, window - int(time.time()))
    return Usage(name=name, count=int(count), limit=limit, retry_after=retry)


def over(request: HttpRequest, name: str, value: str | None) -> Usage | None:
    """The usage of ``name`` for ``value`` if its budget is spent, without counting."""
    if not value or not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    current = _peek(name, value)
    return current if current.count >= current.limit else None


def throttled_response(request: HttpRequest, usage_: Usage) -> HttpResponse:
    """429 with Retry-After: ``rate_limited`` on the API, a translated page for browsers."""
    minutes = max(1, (usage_.retry_after + 59) // 60)
    message = _("Too many attempts. Please try again in %(minutes)d minutes.") % {
        "minutes": minutes
    }
    response: HttpResponse
    if wants_json(request):
        response = error_json("rate_limited", message, 429)
    else:
        response = render(
            request,
            "security/rate_limited.html",
            {"message": message, "minutes": minutes},
            status=429,
        )
    response["Retry-After"] = str(usage_.retry_after)
    return response


@dataclass(frozen=True)
class Rule:
    """Limit ``name`` counted per the value ``key`` takes from a request (None: not counted)."""

    name: str
    key: KeyFunction


def per_ip(name: str) -> Rule:
    return Rule(name, ip_key)


def per_posted_email(name: str, field: str = "email") -> Rule:
    def key(request: HttpRequest) -> str | None:
        raw = request.POST.get(field, "")
        return account_key(raw) if raw.strip() else None

    return Rule(name, key)


def check(request: HttpRequest, *rules: Rule) -> HttpResponse | None:
    """Count this request against every rule; the 429 response if one is exceeded, else None.

    Every rule is counted even when an earlier one is already over, so that an attacker cannot
    spend one budget to save another.
    """
    exceeded = [hit(request, rule.name, rule.key(request)) for rule in rules]
    worst = max(
        (found for found in exceeded if found is not None),
        key=lambda found: found.retry_after,
        default=None,
    )
    return throttled_response(request, worst) if worst is not None else None


def throttle(*rules: Rule, methods: tuple[str, ...] = ("POST",)) -> Callable[[View], View]:
    """A view decorator: ``check`` each request of ``methods`` against ``rules``."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in methods:
                refused = check(request, *rules)
                if refused is not None:
                    return refused
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorate


# --- the per-account sign-in ceiling -----------------------------------------------------------


def _known_key(account: str, address: str) -> str:
    return "lt:known:" + salted_hmac(_KNOWN_SALT, f"{account}|{address}").hexdigest()


def remember_address(request: HttpRequest, email: str) -> None:
    """Record that this request's address signed in to the account of ``email`` successfully."""
    address = ip_key(request)
    if address != UNKNOWN_CLIENT:
        caches[settings.RATELIMIT_USE_CACHE].set(
            _known_key(account_key(email), address), 1, KNOWN_ADDRESS_SECONDS
        )


def is_known_address(request: HttpRequest, email: str) -> bool:
    address = ip_key(request)
    if address == UNKNOWN_CLIENT:  # an unknown address is never a known one
        return False
    key = _known_key(account_key(email), address)
    return bool(caches[settings.RATELIMIT_USE_CACHE].get(key))


def signin_ceiling(request: HttpRequest, email: str) -> Usage | None:
    """The usage that refuses this sign-in attempt, or None to let it through.

    Past the account's failure budget (across every address), an attempt is let through only
    from an address that has signed in to this account before; others wait until the window
    ends, or reset their password: the address that completes a reset becomes known.
    """
    account = account_key(email)
    if not account:
        return None
    spent = over(request, "signin.account_failures", account)
    if spent is None or is_known_address(request, email):
        return None
    return spent


def signin_failed(request: HttpRequest, email: str) -> None:
    account = account_key(email)
    if account:
        usage(request, "signin.account_failures", account, increment=True)
