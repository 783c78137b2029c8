"""Audit details carry times as ISO 8601 strings; their digits must never pass for a phone
number (about 1 in 300 microsecond timestamps did, refusing the whole entry at random), while a
phone number written next to a time is still refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logitrack.security.validation import looks_like_personal_data

# Found by sampling: each was refused as a phone number before timestamps were set aside.
FOUND = [
    "2026-12-05T09:04:12.289784+00:00",
]
# Naive bounds, as hypothesis wants them; a zone is attached in the test.
NAIVE_FROM = dt.datetime(2000, 1, 1, tzinfo=dt.UTC).replace(tzinfo=None)
NAIVE_UNTIL = dt.datetime(2100, 1, 1, tzinfo=dt.UTC).replace(tzinfo=None)
ZONES = [dt.UTC, dt.timezone(dt.timedelta(hours=7)), dt.timezone(dt.timedelta(hours=-3))]


@pytest.mark.parametrize("text", FOUND)
def test_a_timestamp_found_to_match_is_not_personal_data(text: str) -> None:
    assert not looks_like_personal_data(text)
    assert not looks_like_personal_data(f"since {text} until {text}")


@settings(max_examples=3000, deadline=None)
@given(
    moment=st.datetimes(min_value=NAIVE_FROM, max_value=NAIVE_UNTIL, timezones=st.just(None)),
    zone=st.sampled_from(ZONES),
    spec=st.sampled_from(["auto", "seconds", "milliseconds"]),
)
def test_no_iso_timestamp_is_taken_for_a_phone_number(
    moment: dt.datetime, zone: dt.timezone, spec: str
) -> None:
    aware = moment.replace(tzinfo=zone)
    assert not looks_like_personal_data(aware.isoformat(timespec=spec))
    assert not looks_like_personal_data(moment.isoformat(timespec=spec))
    assert not looks_like_personal_data(moment.date().isoformat())


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-05T09:04:12+07:00 0912 345 678",
        "0912345678 2026-12-05",
        "2026-12-05T09:04:12.289784+00:00+84912345678",
        "2026-13-45T09:04:12 0912345678",
    ],
)
def test_a_phone_number_beside_a_timestamp_is_still_found(text: str) -> None:
    assert looks_like_personal_data(text)
