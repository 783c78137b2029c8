"""Canonical forms of values, so that one value always encrypts and indexes the same way."""

from __future__ import annotations

import datetime as dt

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

PHONE_REGION = "VN"


def e164(value: str) -> str:
    """A phone number in E.164 (``+84901234567``); national numbers are read as Vietnamese."""
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("Enter a valid phone number, e.g. +84 90 123 45 67."), code="invalid_phone"
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter a valid phone number, e.g. +84 90 123 45 67."), code="invalid_phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def iso_date(value: object) -> dt.date:
    """A calendar date from a ``date`` or an ISO 8601 string (``1990-05-17``)."""
    if isinstance(value, dt.datetime):
        raise ValidationError(_("Enter a date without a time."), code="invalid_date")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed
    raise ValidationError(_("Enter a valid date, e.g. 1990-05-17."), code="invalid_date")
