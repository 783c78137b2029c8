"""Rendered public tracking answers, kept in each server process's memory.

Keys hold the shipment's version (``selectors.Version.key``: latest event id, status, its time,
ETA), so a new event makes the next request miss and render afresh: nothing needs deleting, and
no process can serve another's stale copy. The process-local cache costs no query and no write;
entries expire after ``TIMEOUT_S`` or when ``MAX_ENTRIES`` is reached (oldest first).

Shape of an entry: ``(status_code, content_type, body_bytes)``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse

TIMEOUT_S = 300
MAX_ENTRIES = 20_000

Entry = tuple[int, str, bytes]

_cache = LocMemCache(
    "logitrack-public-tracking", {"TIMEOUT": TIMEOUT_S, "OPTIONS": {"MAX_ENTRIES": MAX_ENTRIES}}
)


def cached_response(key: str, render: Callable[[], Entry]) -> HttpResponse:
    """The response stored under ``key``, rendered (and stored) by ``render`` when missing."""
    entry: Entry | None = _cache.get(key)
    if entry is None:
        entry = render()
        _cache.set(key, entry)
    status, content_type, body = entry
    return HttpResponse(body, status=status, content_type=content_type)


def clear() -> None:
    """Forget every entry (tests)."""
    _cache.clear()
