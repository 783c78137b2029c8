"""The daily pseudonym of a visitor: HMAC-SHA256 of the random id cookie under a salt of the day.

The salt is 32 random bytes kept in Django's cache (the database table, or Redis: shared by every
process) under the UTC date, created by the first page view of the day with ``cache.add`` so that
concurrent processes agree on one, and expiring at the end of that day plus a short grace: after
that nobody, the operator included, can compute the same pseudonym again, so one visitor's days
cannot be linked (docs/adr/0035). Shapes: the id cookie is 32 URL-safe characters; the pseudonym
is 64 hex characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.core.cache import cache

# A salt lives until the end of its UTC day plus this grace (a page view started at 23:59:59).
SALT_GRACE_SECONDS = 5 * 60
_ID = re.compile(r"^[A-Za-z0-9_-]{32}$")


def new_visitor_id() -> str:
    return secrets.token_urlsafe(24)


def is_visitor_id(value: str | None) -> bool:
    return bool(value and _ID.fullmatch(value))


def _salt_key(day: dt.date) -> str:
    return f"analytics:salt:{day.isoformat()}"


def day_salt(now: dt.datetime) -> bytes:
    """The salt of ``now``'s UTC day, made on first use; gone from the cache after the day."""
    day = now.astimezone(dt.UTC).date()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    timeout = max(1, int((end - now).total_seconds()) + SALT_GRACE_SECONDS)
    cache.add(_salt_key(day), secrets.token_hex(32), timeout=timeout)
    salt = cache.get(_salt_key(day))
    if not isinstance(salt, str):
        # The cache could not keep it (an error, or evicted between add and get): a fresh salt
        # for this view alone still pseudonymises; counting unique visitors is what suffers.
        return secrets.token_bytes(32)
    return bytes.fromhex(salt)


def pseudonym(visitor_id: str, now: dt.datetime) -> str:
    """The visitor's pseudonym for ``now``'s UTC day (64 hex characters)."""
    return hmac.new(day_salt(now), visitor_id.encode("ascii"), hashlib.sha256).hexdigest()
