"""Giving out waybill prefixes, waybills and SSCCs (ADR 0019).

Uniqueness is never checked by reading first: the database constraint decides, and a collision
(an ``IntegrityError`` inside a savepoint) is retried with a fresh random value. With 45 random
bits per waybill a retry is rare; ``WAYBILL_ATTEMPTS`` collisions in a row mean something else is
wrong, and the error is raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from django.db import IntegrityError, transaction

from logitrack.logistics.models import LogisticsSettings
from logitrack.logistics.numbers import build_sscc, new_waybill, random_prefix

T = TypeVar("T")

WAYBILL_ATTEMPTS = 8
PREFIX_ATTEMPTS = 64


class NumberingExhausted(RuntimeError):
    """Every attempt at a unique number collided; not expected with a working random source."""


def logistics_settings_of(tenant_id: int) -> LogisticsSettings:
    """The tenant's numbering settings, unlocked (its prefix never changes); made on first use."""
    found = cast(
        "LogisticsSettings | None", LogisticsSettings.objects.filter(tenant_id=tenant_id).first()
    )
    if found is not None:
        return found
    with transaction.atomic():
        return logistics_settings_for_update(tenant_id)


def logistics_settings_for_update(tenant_id: int) -> LogisticsSettings:
    """The tenant's numbering settings, locked for this transaction; created on first use.

    The prefix of a new row is random (3 letters, then 4 once 3 keep colliding) and unique by the
    constraint on ``waybill_prefix``. Call inside ``transaction.atomic()``.
    """
    found: LogisticsSettings | None = (
        LogisticsSettings.objects.select_for_update().filter(tenant_id=tenant_id).first()
    )
    if found is not None:
        return found
    for attempt in range(PREFIX_ATTEMPTS):
        length = 3 if attempt < PREFIX_ATTEMPTS // 2 else 4
        try:
            with transaction.atomic():
                created: LogisticsSettings = LogisticsSettings.objects.create(
                    tenant_id=tenant_id, waybill_prefix=random_prefix(length)
                )
                return created
        except IntegrityError:
            # Another transaction created this tenant's row, or the prefix is taken.
            rows = LogisticsSettings.objects.select_for_update()
            found = cast("LogisticsSettings | None", rows.filter(tenant_id=tenant_id).first())
            if found is not None:
                return found
    raise NumberingExhausted("no free waybill prefix")


def with_new_waybill(prefix: str, insert: Callable[[str], T]) -> T:
    """Run ``insert(waybill)`` with fresh waybills until one does not collide; return its result.

    ``insert`` must write the row whose constraint guards the waybill; it runs in a savepoint,
    so a collision leaves the surrounding transaction usable.
    """
    for _attempt in range(WAYBILL_ATTEMPTS):
        try:
            with transaction.atomic():
                return insert(new_waybill(prefix))
        except IntegrityError as exc:
            message = str(exc).lower()
            if "waybill" not in message or not ("unique" in message or "duplicate" in message):
                raise
    raise NumberingExhausted("no free waybill after retries")


def next_sscc(settings: LogisticsSettings) -> str:
    """The next SSCC-18 of the tenant; ``settings`` must be locked (``..._for_update``).

    Raises ValueError when the tenant has no GS1 company prefix.
    """
    if not settings.gs1_company_prefix:
        raise ValueError("no GS1 company prefix")
    number = build_sscc(
        extension_digit=settings.sscc_extension_digit,
        company_prefix=settings.gs1_company_prefix,
        serial=settings.sscc_next_serial,
    )
    settings.sscc_next_serial += 1
    settings.save(update_fields=["sscc_next_serial"])
    return number
