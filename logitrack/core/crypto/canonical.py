"""Canonical forms of values, so that one value always encrypts and indexes the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

PHONE_REGION = "VN"


# Within ``e164_memo()``: text -> its E.164 form, for values e164 (or a caller holding a number
# phonenumbers called valid, ``remember_e164``) already answered. Never shared between blocks.
_E164_MEMO: ContextVar[dict[str, str] | None] = ContextVar("logitrack_e164_memo", default=None)


@contextmanager
def e164_memo() -> Iterator[None]:
    """Within the block, :func:`e164` answers a text it has already answered from memory.

    For one job that reads many numbers several times (an import: the cell, then ``OrderInput``,
    then the encrypted field each canonicalise the same phone). An E.164 form is its own
    canonical form (format E.164 of a valid number parses back to that number, which is valid),
    so each answer is remembered for its own text too. The memory is the block's own, dropped at
    its end: nothing outlives the job or reaches another one (another tenant's) in the process.
    """
    token = _E164_MEMO.set({})
    try:
        yield
    finally:
        _E164_MEMO.reset(token)


def remember_e164(value: str, canonical: str) -> None:
    """Inside ``e164_memo()``: ``canonical`` is the E.164 form of ``value``, which the caller has
    just obtained from ``phonenumbers`` (parsed, ``is_valid_number``, formatted E.164)."""
    memo = _E164_MEMO.get()
    if memo is not None:
        memo[value] = canonical
        memo[canonical] = canonical


def e164(value: str) -> str:
    """A phone number in E.164 (``+84901234567``); national numbers are read as Vietnamese.

    Raises ValidationError(``invalid_phone``). Inside ``e164_memo()`` a text already answered
    there is not parsed again.
    """
    memo = _E164_MEMO.get()
    if memo is not None:
        hit = memo.get(value)
        if hit is not None:
            return hit
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
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if memo is not None:
        memo[value] = formatted
        memo[formatted] = formatted
    return formatted


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
