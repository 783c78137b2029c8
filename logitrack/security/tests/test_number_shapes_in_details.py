"""Audit details: values that are not phone numbers but whose digits a bare phone search takes
for one (decimal degrees, money with its currency, SSCC-18) are set aside, each only as a whole
token; a phone number dressed as one of them, or written right against one, is still refused.

Sampled like the timestamps of test_timestamps_in_details: before this change about 3 pairs of
coordinates in 1,000, half the signed degree pairs and 1 bare SSCC in 4,000 were refused, and a
phone number written as a date ("0912-03-0456") passed.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logitrack.logistics.numbers import format_waybill, new_waybill, sscc_check_digit
from logitrack.security.validation import looks_like_personal_data

# Each was taken for a phone number before; none is one.
FOUND = [
    "12.287454,104.970821",
    "84.5483869 -0.3577808",
    "-50.4367028 3.1992856",
    "004937388733398063",
    "2.293.595.695 ₫",
    "780377660.28 VND",
    "69806395-ad4f-1c29-6f6c-c0f52d8a90a6",
]

# Each was let through before; each is a Vietnamese phone number as people write one.
SMUGGLED = [
    "0912-03-0456",
    "0912-03-04-56",
    "0912-03-04 05:06",
    "+84 0912-03-0456",
    "1900-12-12",
]

STILL_PHONES = [
    "0912345678",
    "091.2345678",
    "0912.345.678",
    "+84 912 345 678",
    "84.912345678",
    "0912345678 đồng ý",
    "0912345678 đ",
    "12.5,0912345678",
    "0912345678,12.34567",
    "21.028511,105.804817 0912345678",
    "0912345678 1.500.000 ₫",
    "2026-12-05 0912-03-0456",
]


@pytest.mark.parametrize("text", FOUND)
def test_a_value_found_to_match_is_not_personal_data(text: str) -> None:
    assert not looks_like_personal_data(text)
    assert not looks_like_personal_data(f"from {text} to {text}")


@pytest.mark.parametrize("text", SMUGGLED + STILL_PHONES)
def test_a_phone_number_in_or_beside_a_set_aside_shape_is_refused(text: str) -> None:
    assert looks_like_personal_data(text)


@settings(max_examples=2000, deadline=None)
@given(
    latitude=st.floats(min_value=-90, max_value=90, allow_nan=False),
    longitude=st.floats(min_value=-180, max_value=180, allow_nan=False),
    places=st.integers(min_value=4, max_value=8),
    separator=st.sampled_from([",", ", ", " "]),
)
def test_no_coordinate_pair_is_taken_for_a_phone_number(
    latitude: float, longitude: float, places: int, separator: str
) -> None:
    pair = f"{latitude:.{places}f}{separator}{longitude:.{places}f}"
    assert not looks_like_personal_data(pair)


@settings(max_examples=2000, deadline=None)
@given(amount=st.integers(min_value=0, max_value=10**12), style=st.integers(0, 3))
def test_no_money_amount_with_its_currency_is_taken_for_a_phone_number(
    amount: int, style: int
) -> None:
    dotted = f"{amount:,}".replace(",", ".")
    text = [f"{dotted} ₫", f"{dotted}đ", f"{amount} VND", f"{amount}.50 vnđ"][style]
    assert not looks_like_personal_data(text)


@settings(max_examples=2000, deadline=None)
@given(
    body=st.text(alphabet="0123456789", min_size=17, max_size=17),
    prefixed=st.booleans(),
)
def test_no_sscc_is_taken_for_a_phone_number(body: str, prefixed: bool) -> None:
    code = body + sscc_check_digit(body)
    assert not looks_like_personal_data(f"(00){code}" if prefixed else code)


@settings(max_examples=2000, deadline=None)
@given(
    value=st.uuids(),
    prefix=st.text(alphabet="ABCDEFGHJKMNPQRSTVWXYZ", min_size=2, max_size=4),
)
def test_no_uuid_digest_or_waybill_is_taken_for_a_phone_number(
    value: uuid.UUID, prefix: str
) -> None:
    assert not looks_like_personal_data(str(value))
    assert not looks_like_personal_data(value.hex + value.hex)  # a SHA-256-long hex digest
    waybill = new_waybill(prefix)
    assert not looks_like_personal_data(waybill)
    assert not looks_like_personal_data(format_waybill(waybill))


@settings(max_examples=1000, deadline=None)
@given(
    subscriber=st.text(alphabet="0123456789", min_size=7, max_size=7),
    network=st.sampled_from(["91", "94", "88", "97", "98", "32", "70", "77", "81", "56"]),
    shape=st.sampled_from(
        ["0{n}{s}", "0{n}-{a}-{b}", "+84 {n} {a} {b}", "0{n}.{a}.{b}", "84{n}{s}", "0{n} {s}"]
    ),
    beside=st.sampled_from(
        [
            "",
            " 21.028511,105.804817",
            " 1.500.000 ₫",
            " 2026-12-05T09:04:12+07:00",
            " (00)004937388733398063",
        ]
    ),
)
def test_every_mobile_number_shape_is_still_found_beside_set_aside_values(
    subscriber: str, network: str, shape: str, beside: str
) -> None:
    number = shape.format(n=network, s=subscriber, a=subscriber[:3], b=subscriber[3:])
    assert looks_like_personal_data(number + beside)
    assert looks_like_personal_data(beside + " " + number)
