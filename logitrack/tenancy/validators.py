"""Vietnamese tax codes (mã số thuế) and the kind of taxpayer they belong to (ADR 0017).

Three shapes are accepted, each stored in one canonical ASCII form:

- ``NNNNNNNNNN``: ten digits, the tenth a check digit over the first nine (weights 31, 29, 23,
  19, 17, 13, 7, 5, 3, modulo 11; the rule python-stdnum's ``stdnum.vn.mst`` implements, and
  that the codes published by the General Department of Taxation satisfy). Enterprises and
  organisations; also households and individuals registered before 1 July 2025.
- ``NNNNNNNNNN-NNN``: a dependent unit (branch) of the ten-digit code, unit number 001-999;
  typed with or without the dash, stored with it.
- ``NNNNNNNNNNNN``: the twelve-digit personal identification number (số định danh cá nhân),
  which households and individuals use as their tax code from 1 July 2025 (Law on Tax
  Administration 38/2019/QH14 art. 30 as implemented by Circular 86/2024/TT-BTC). No public
  checksum exists for it, so none is checked.

Input first goes through the text layer's ``code`` rule (any script's digits to ASCII,
fullwidth dashes to ``-``, spaces dropped); dots people type between digit groups are dropped.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.core.text import TextRefused, code

_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_TEN = re.compile(r"[0-9]{10}")
_BRANCH = re.compile(r"([0-9]{10})-([0-9]{3})")
_PERSONAL = re.compile(r"[0-9]{12}")

# The database refuses any other spelling (CheckConstraint tenancy_tenant_tax_code_canonical).
CANONICAL_TAX_CODE_REGEX = r"^([0-9]{10}(-[0-9]{3})?|[0-9]{12})$"


class TaxpayerKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise or organisation")
    BRANCH = "branch", _("Branch or dependent unit")
    HOUSEHOLD_BUSINESS = "household_business", _("Household business")
    INDIVIDUAL = "individual", _("Individual")


# Which kinds each shape of tax code may belong to, the first being the default when the kind
# is not given (None: the kind must be given).
_KINDS_BY_SHAPE: dict[str, tuple[TaxpayerKind | None, frozenset[str]]] = {
    "ten": (
        TaxpayerKind.ENTERPRISE,
        frozenset(
            {TaxpayerKind.ENTERPRISE, TaxpayerKind.HOUSEHOLD_BUSINESS, TaxpayerKind.INDIVIDUAL}
        ),
    ),
    "branch": (TaxpayerKind.BRANCH, frozenset({TaxpayerKind.BRANCH})),
    "personal": (
        None,
        frozenset({TaxpayerKind.HOUSEHOLD_BUSINESS, TaxpayerKind.INDIVIDUAL}),
    ),
}


def tax_code_check_digit(first_nine: str) -> int | None:
    """The check digit for nine ASCII digits, or None when no digit satisfies the checksum."""
    total = sum(weight * int(digit) for weight, digit in zip(_WEIGHTS, first_nine, strict=True))
    digit = (10 - total) % 11
    return None if digit == 10 else digit


def normalise_tax_code(value: str) -> str:
    """The canonical spelling of ``value`` if it has one of the three shapes, else ``value``
    mapped to ASCII (validate_tax_code then says what is wrong).

    Raises ValidationError (code ``text_control_character`` ...) for characters the text layer
    refuses.
    """
    try:
        compact = code(value or "").replace(".", "")
    except TextRefused as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    if re.fullmatch(r"[0-9]{13}", compact):
        compact = f"{compact[:10]}-{compact[10:]}"
    return compact


def _shape(value: str) -> str | None:
    if _TEN.fullmatch(value):
        return "ten"
    if _BRANCH.fullmatch(value):
        return "branch"
    if _PERSONAL.fullmatch(value):
        return "personal"
    return None


def validate_tax_code(value: str) -> None:
    """Refuse ``value`` unless it is a canonical tax code (ValidationError with a stable code)."""
    shape = _shape(value)
    if shape is None:
        raise ValidationError(
            _(
                "A tax code has 10 digits, 13 for a branch (written 0123456789-001), or 12 for "
                "a personal identification number."
            ),
            code="tax_code_format",
        )
    if shape == "personal":
        return
    head = value[:10]
    if tax_code_check_digit(head[:9]) != int(head[9]):
        raise ValidationError(
            _("This tax code's check digit is wrong; please check it for typing errors."),
            code="tax_code_checksum",
        )
    if shape == "branch" and value.endswith("-000"):
        raise ValidationError(_("A branch number runs from 001 to 999."), code="tax_code_branch")


def taxpayer_kind_for(tax_code: str, kind: str | None) -> TaxpayerKind:
    """The kind of taxpayer of a canonical, valid ``tax_code``, given or implied.

    A ten-digit code defaults to an enterprise and a branch code is always a branch; a
    twelve-digit personal number needs the kind (household business or individual).
    Raises ValidationError ``taxpayer_kind_required`` or ``taxpayer_kind_mismatch``.
    """
    shape = _shape(tax_code)
    assert shape is not None, "validate_tax_code runs first"
    default, allowed = _KINDS_BY_SHAPE[shape]
    if not kind:
        if default is None:
            raise ValidationError(
                _("Say whether this is a household business or an individual."),
                code="taxpayer_kind_required",
            )
        return default
    if kind not in allowed:
        raise ValidationError(
            _("This kind of taxpayer does not match the shape of the tax code."),
            code="taxpayer_kind_mismatch",
        )
    return TaxpayerKind(kind)
