"""Validation of Vietnamese enterprise tax codes (mã số thuế).

A code is ten digits, the tenth a check digit over the first nine, or thirteen digits for a
dependent unit such as a branch, written ``NNNNNNNNNN-NNN`` with a unit number from 001 to 999.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_PATTERN = re.compile(r"^(\d{10})(?:-(\d{3}))?$")


def tax_code_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no digit can satisfy the checksum."""
    total = sum(weight * int(digit) for weight, digit in zip(_WEIGHTS, first_nine, strict=True))
    digit = (10 - total) % 11
    return None if digit == 10 else digit


def normalise_tax_code(value: str) -> str:
    """Strip spaces and dots people type, and accept a 13-digit code without its dash."""
    compact = re.sub(r"[\s.]", "", value)
    if re.fullmatch(r"\d{13}", compact):
        compact = f"{compact[:10]}-{compact[10:]}"
    return compact


def validate_tax_code(value: str) -> None:
    match = _PATTERN.fullmatch(value)
    if match is None:
        raise ValidationError(
            _("A tax code has 10 digits, or 13 digits for a branch (written 0123456789-001)."),
            code="tax_code_format",
        )
    head, branch = match.group(1), match.group(2)
    if tax_code_check_digit(head[:9]) != int(head[9]):
        raise ValidationError(
            _("This tax code's check digit is wrong; please check it for typing errors."),
            code="tax_code_checksum",
        )
    if branch is not None and branch == "000":
        raise ValidationError(_("A branch number runs from 001 to 999."), code="tax_code_branch")
