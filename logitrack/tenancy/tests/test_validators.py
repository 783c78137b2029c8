from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from logitrack.tenancy.geography import validate_province_and_ward
from logitrack.tenancy.tests.factories import (
    PROVINCE_HANOI,
    PROVINCE_HCMC,
    WARD_IN_HANOI,
    WARD_IN_HCMC,
)
from logitrack.tenancy.validators import normalise_tax_code, validate_tax_code

VALID = "0100109106"  # weights 31,29,23,19,17,13,7,5,3 over 010010910 give check digit 6


def _code_of(exc: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return exc.value.code


def test_a_ten_digit_tax_code_with_the_right_check_digit_is_valid() -> None:
    validate_tax_code(VALID)


def test_a_tax_code_with_a_wrong_check_digit_is_refused_as_a_checksum_error() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_tax_code(VALID[:9] + "7")

    assert _code_of(exc) == "tax_code_checksum"


def test_a_branch_tax_code_is_ten_digits_a_dash_and_a_unit_number() -> None:
    validate_tax_code(f"{VALID}-001")


def test_a_branch_number_000_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_tax_code(f"{VALID}-000")

    assert _code_of(exc) == "tax_code_branch"


def test_a_branch_of_a_head_office_with_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_tax_code(VALID[:9] + "7-001")

    assert _code_of(exc) == "tax_code_checksum"


@pytest.mark.parametrize("value", ["", "123", "01001091060", "0100109106-01", "010010910a"])
def test_a_tax_code_of_the_wrong_shape_is_refused_as_a_format_error(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_tax_code(value)

    assert _code_of(exc) == "tax_code_format"


def test_spaces_dots_and_a_missing_branch_dash_are_normalised() -> None:
    assert normalise_tax_code(" 0100.109.106 ") == VALID
    assert normalise_tax_code("0100109106001") == f"{VALID}-001"


def test_a_ward_in_the_chosen_province_is_accepted() -> None:
    validate_province_and_ward(PROVINCE_HCMC, WARD_IN_HCMC)


def test_a_ward_of_another_province_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_province_and_ward(PROVINCE_HCMC, WARD_IN_HANOI)

    with translation.override("en"):
        assert exc.value.messages == ["This commune or ward is not in the chosen province."]


def test_an_unknown_province_or_ward_is_refused() -> None:
    with pytest.raises(ValidationError):
        validate_province_and_ward(PROVINCE_HANOI, 99_999_999)
    with pytest.raises(ValidationError):
        validate_province_and_ward(999, WARD_IN_HANOI)
