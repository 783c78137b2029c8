"""The geofence and trip derivations' work list: which devices have positions not yet derived,
and from which fix time (``models.PositionBacklog``, lowered by the position writer in the
transaction that stores the positions).

A consumer ``claim``s owed devices, derives each from its mark (an idempotent re-derivation of
everything from that fix time on), then ``settle``s it: the mark is cleared only if the row's
``version`` is still the one claimed. A position written meanwhile (even with a later fix time,
which does not lower the mark) bumps the version, so the device stays owed and is derived again
on the next round: nothing is lost, at the price of an occasional second derivation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from logitrack.tracking.models import PositionBacklog

Column = Literal["geofences_from", "trips_from"]


@dataclass(frozen=True, slots=True)
class Owed:
    """One device owed a derivation from ``since`` (aware UTC fix time)."""

    device_id: int
    tenant_id: int
    since: datetime
    version: int


def claim(column: Column, *, limit: int = 500) -> list[Owed]:
    """Up to ``limit`` owed devices for ``column``, earliest mark first. Platform code: reads
    every tenant's backlog (the consumer binds each device's tenant before deriving)."""
    rows = (
        PositionBacklog.dangerously_unscoped.filter(**{f"{column}__isnull": False})
        .order_by(column, "device_id")
        .values_list("device_id", "tenant_id", column, "version")[:limit]
    )
    return [
        Owed(device_id, tenant_id, since, version) for device_id, tenant_id, since, version in rows
    ]


def settle(column: Column, owed: Owed) -> bool:
    """Clear ``owed``'s mark if nothing was written for the device since it was claimed; True
    when cleared, False when the device stays owed."""
    cleared: int = PositionBacklog.dangerously_unscoped.filter(
        device_id=owed.device_id, version=owed.version
    ).update(**{str(column): None})
    return cleared == 1


def mark(column: Column, *, device_id: int, tenant_id: int, since: datetime) -> None:
    """Owe ``device_id`` a derivation from ``since`` (a settings change, a new geofence): lowers
    the mark, bumps the version, as the writer does."""
    from django.db import transaction
    from django.db.models import F

    with transaction.atomic():
        row, created = PositionBacklog.dangerously_unscoped.select_for_update().get_or_create(
            device_id=device_id, defaults={"tenant_id": tenant_id, column: since, "version": 1}
        )
        if created:
            return
        current = getattr(row, column)
        lowest = since if current is None or since < current else current
        PositionBacklog.dangerously_unscoped.filter(device_id=device_id).update(
            **{str(column): lowest}, version=F("version") + 1
        )
