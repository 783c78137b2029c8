"""The per-address limit of public tracking (``tracking.ip`` of security/throttle.py), counted
in batches so that a busy page does not write to the shared cache on every request.

Each process counts an address's requests in the current fixed window in its own memory; the
first request of every ``batch`` charges the shared counter (Django's cache, shared by every
process: a database table by default, Redis with REDIS_URL) with the whole batch in advance.
An address is refused once the shared count passes the limit, so each process lets through at
most ``batch - 1`` requests more than its share: the limit holds to within
``(batch - 1) x processes``. ``batch`` is a tenth of the limit (at most 10, at least 1), so a
small limit is counted exactly.

Shapes: a rate is throttle's "<count>/<period>" ("120/m", "30/10m"); windows start at multiples
of the period in Unix time, like django-ratelimit's; ``Retry-After`` is whole seconds.
"""

from __future__ import annotations

import re
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from logitrack.security import throttle

NAME = "tracking.ip"
BATCH_MAX = 10
_SALT = "logitrack.logistics.public.limit"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"([\d]+)/([\d]*)([smhd])")

_lock = threading.Lock()
_local: dict[tuple[str, int], int] = {}
# The shared total each address had when this process last charged it, per window.
_shared: dict[tuple[str, int], int] = {}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"120/m"`` -> ``(120, 60)``; ``"30/10m"`` -> ``(30, 600)`` (count, period in seconds)."""
    found = _RATE.fullmatch(rate)
    if found is None:
        raise ValueError(f"not a rate: {rate!r}")
    count, multiplier, unit = found.groups()
    return int(count), int(multiplier or 1) * _UNITS[unit]


def batch_of(limit: int) -> int:
    return max(1, min(BATCH_MAX, limit // 10))


def _count_locally(address: str, window: int) -> int:
    with _lock:
        key = (address, window)
        count = _local.get(key, 0) + 1
        _local[key] = count
        if len(_local) > 50_000:  # drop past windows
            for old in [k for k in _local if k[1] != window]:
                del _local[old]
                _shared.pop(old, None)
        return count


def _charge(address: str, window: int, period: int, amount: int) -> int:
    """Add ``amount`` to the shared counter of ``address`` in ``window``; the new total."""
    cache = caches[settings.RATELIMIT_USE_CACHE]
    digest = salted_hmac(_SALT, f"{address}|{window}", algorithm="sha256").hexdigest()
    key = f"lt:track:{digest}"
    try:
        cache.add(key, 0, period + 5)
        return int(cache.incr(key, amount))
    except ValueError:  # expired between add and incr: start again
        cache.set(key, amount, period + 5)
        return amount


def check(request: HttpRequest) -> HttpResponse | None:
    """Count this request; the 429 (throttle's page or JSON) once the address is over."""
    address = throttle.ip_key(request)  # throttle.UNKNOWN_CLIENT if it cannot be told
    limit, period = parse_rate(throttle.rate_of(NAME))
    now = int(time.time())
    window = now - now % period
    batch = batch_of(limit)
    local = _count_locally(address, window)
    if (local - 1) % batch == 0:
        total = _charge(address, window, period, batch)
        _shared[address, window] = total
    else:
        total = _shared.get((address, window), 0)
    if total <= limit:
        return None
    retry = max(1, window + period - now)
    return throttle.throttled_response(
        request, throttle.Usage(name=NAME, count=total, limit=limit, retry_after=retry)
    )


def reset() -> None:
    """Forget local counts (tests)."""
    with _lock:
        _local.clear()
        _shared.clear()
