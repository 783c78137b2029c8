"""Waybill and SSCC numbers (logitrack.logistics.numbers)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import gs1_128

from logitrack.logistics.numbers import (
    ALPHABET,
    BODY_LENGTH,
    PREFIX_ALPHABET,
    RANDOM_BITS,
    build_sscc,
    canonical_sscc,
    canonical_waybill,
    format_waybill,
    new_waybill,
    random_prefix,
    sscc_is_valid,
    waybill_check_character,
    waybill_is_well_formed,
)

prefixes = st.text(alphabet=PREFIX_ALPHABET, min_size=2, max_size=4)
bodies = st.text(alphabet=ALPHABET, min_size=BODY_LENGTH, max_size=BODY_LENGTH)


def test_a_waybill_carries_at_least_40_random_bits() -> None:
    assert RANDOM_BITS >= 40
    assert len(ALPHABET) == 32


def test_the_alphabet_leaves_out_letters_read_as_digits() -> None:
    assert not set("ILOU") & set(ALPHABET)
    assert ALPHABET.upper() == ALPHABET


def test_a_new_waybill_is_well_formed_and_starts_with_the_prefix() -> None:
    waybill = new_waybill("SGN")

    assert waybill.startswith("SGN")
    assert len(waybill) == 3 + BODY_LENGTH + 1
    assert waybill_is_well_formed(waybill)


def test_new_waybills_differ() -> None:
    assert len({new_waybill("SG") for _ in range(1000)}) == 1000


def test_a_prefix_with_digits_or_ambiguous_letters_is_refused() -> None:
    for prefix in ("S1", "LT", "A", "ABCDE", "sg"):
        with pytest.raises(ValueError, match="not a waybill prefix"):
            new_waybill(prefix)


@given(prefixes, bodies)
def test_any_prefix_and_body_with_its_check_character_is_well_formed(
    prefix: str, body: str
) -> None:
    assert waybill_is_well_formed(prefix + body + waybill_check_character(prefix + body))


@given(prefixes, bodies, st.integers(min_value=0), st.sampled_from(ALPHABET))
def test_changing_any_one_character_breaks_the_check(
    prefix: str, body: str, position: int, replacement: str
) -> None:
    waybill = prefix + body + waybill_check_character(prefix + body)
    index = len(prefix) + position % (BODY_LENGTH + 1)
    if waybill[index] == replacement:
        return
    changed = waybill[:index] + replacement + waybill[index + 1 :]

    assert not waybill_is_well_formed(changed)


@given(prefixes, bodies)
def test_the_printed_form_and_lower_case_read_back_as_the_same_waybill(
    prefix: str, body: str
) -> None:
    waybill = prefix + body + waybill_check_character(prefix + body)

    assert canonical_waybill(format_waybill(waybill)) == waybill
    assert canonical_waybill(" " + format_waybill(waybill).lower() + " ") == waybill


def test_unicode_digits_and_dashes_are_read_as_ascii() -> None:
    waybill = "SG" + "123456789"
    waybill += waybill_check_character(waybill)
    typed = "sg\u2013" + "".join(chr(0x0660 + int(d)) for d in waybill[2:11]) + waybill[11:]

    assert canonical_waybill(typed) == waybill
    assert waybill_is_well_formed(typed)


@pytest.mark.parametrize(
    "text",
    ["", "SG", "SG\x00123456789X", "SG\u202e1234567890", "\u0405G1234567890", "SG1234567890!"],
)
def test_malformed_waybills_are_not_well_formed(text: str) -> None:
    assert not waybill_is_well_formed(text)


def test_random_prefixes_use_letters_only() -> None:
    for _ in range(200):
        prefix = random_prefix()
        assert len(prefix) == 3
        assert set(prefix) <= set(PREFIX_ALPHABET)


def test_the_gs1_example_sscc_is_built_with_its_check_digit() -> None:
    # GS1 General Specifications, SSCC example: (00) 1 0614141 123456789 7
    assert build_sscc(extension_digit=1, company_prefix="0614141", serial=123456789) == (
        "106141411234567897"
    )


@given(
    st.integers(min_value=0, max_value=9),
    st.text(alphabet="0123456789", min_size=6, max_size=12),
    st.integers(min_value=0, max_value=9999),
)
def test_every_built_sscc_is_valid_for_gs1(extension: int, company: str, serial: int) -> None:
    sscc = build_sscc(extension_digit=extension, company_prefix=company, serial=serial)

    assert len(sscc) == 18
    assert sscc_is_valid(sscc)
    assert gs1_128.is_valid("(00)" + sscc)


def test_an_sscc_with_a_wrong_check_digit_or_length_is_invalid() -> None:
    assert not sscc_is_valid("106141411234567890")
    assert not sscc_is_valid("10614141123456789")
    assert not sscc_is_valid("1061414112345678970")


def test_an_sscc_is_read_with_its_application_identifier_and_spaces() -> None:
    assert canonical_sscc("(00) 1 0614141 123456789 7") == "106141411234567897"
    assert sscc_is_valid("(00) 1 0614141 123456789 7")


def test_a_serial_that_does_not_fit_is_refused() -> None:
    with pytest.raises(ValueError, match="serial reference does not fit"):
        build_sscc(extension_digit=0, company_prefix="123456789012", serial=10**4)
    with pytest.raises(ValueError, match="extension digit"):
        build_sscc(extension_digit=10, company_prefix="0614141", serial=1)
    with pytest.raises(ValueError, match="company prefix"):
        build_sscc(extension_digit=0, company_prefix="06141", serial=1)
