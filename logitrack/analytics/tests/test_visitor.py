"""The daily pseudonym: stable within a UTC day, different the next day, salt forgotten."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from logitrack.analytics.useragent import browser_family
from logitrack.analytics.visitor import (
    SALT_GRACE_SECONDS,
    is_visitor_id,
    new_visitor_id,
    pseudonym,
)

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)


def test_same_id_same_day_same_pseudonym_next_day_another() -> None:
    visitor = new_visitor_id()

    morning = pseudonym(visitor, DAY)
    evening = pseudonym(visitor, DAY.replace(hour=23, minute=59))
    tomorrow = pseudonym(visitor, DAY + dt.timedelta(days=1))

    assert morning == evening
    assert tomorrow != morning
    assert pseudonym(new_visitor_id(), DAY) != morning


def test_the_salt_expires_after_its_day() -> None:
    cache.delete("analytics:salt:2026-11-30")
    visitor = new_visitor_id()
    now = dt.datetime.now(dt.UTC)
    pseudonym(visitor, now)
    key = f"analytics:salt:{now.date().isoformat()}"

    assert cache.get(key) is not None
    # The database cache stores the expiry: at most the rest of the day plus the grace.
    from django.db import connection

    table = connection.ops.quote_name("logitrack_cache")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT expires FROM {table} WHERE cache_key LIKE %s", [f"%{key}"])  # noqa: S608
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):
        expires = dt.datetime.fromisoformat(expires)
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    end_of_day = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    assert expires <= end_of_day + dt.timedelta(seconds=SALT_GRACE_SECONDS + 1)


def test_visitor_ids_are_random_and_checked() -> None:
    first, second = new_visitor_id(), new_visitor_id()

    assert first != second
    assert is_visitor_id(first)
    assert not is_visitor_id("short")
    assert not is_visitor_id("x" * 31 + "!")
    assert not is_visitor_id(None)


def test_browser_family_only() -> None:
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
    )

    assert browser_family(firefox) == "Firefox"
    assert browser_family(iphone) == "Mobile Safari"
    assert browser_family("") == "Other"
    assert browser_family("x" * 10_000) == "Other"
