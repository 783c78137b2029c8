"""Daily summaries (``models.DailySummary``), derived ahead and kept up to date.

The position writer lowers each device's ``PositionBacklog.trips_from`` to the earliest fix
time it stores (late replays included). ``trips_derive_owed`` claims owed devices and, for
each, derives again every local day (Asia/Ho_Chi_Minh) from the day before the mark's day to
the day of the newest fix: whole days, from the same derivation (``geo.trips``) clipped at each
local midnight, so a trip over midnight is split between its two days and a period's totals
are the sum of its days. The day before is included because a late fix can change a stop or a
trip that began the evening before. The device's rows of those days are replaced in one
transaction; then the mark is settled (cleared only if no position came meanwhile, which
leaves the device owed for the next round: ``geo.backlog``).

Runs every minute as the periodic job ``tracking.trips_derive`` (``tracking.tasks``).
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import numpy as np
from django.db import transaction
from django.utils import timezone

from logitrack.tracking.geo import backlog
from logitrack.tracking.geo.trips import CONTEXT, Thresholds, clip, derive, load_track
from logitrack.tracking.models import DailySummary, DeviceLatest

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
logger = logging.getLogger(__name__)


def day_of(moment: dt.datetime) -> dt.date:
    """The local (Asia/Ho_Chi_Minh) day of an aware moment."""
    return moment.astimezone(ZONE).date()


def day_start(day: dt.date) -> dt.datetime:
    """The aware UTC moment the local day begins."""
    return dt.datetime.combine(day, dt.time(), tzinfo=ZONE).astimezone(dt.UTC)


def device_days_derive(
    *, tenant_id: int, device_id: int, since: dt.datetime, thresholds: Thresholds | None = None
) -> int:
    """Derive again the device's summaries of every local day from the day before ``since``'s
    to the day of its newest fix (module docstring); the number of days written. Platform code:
    the tenant and device ids are the backlog's own."""
    newest = (
        DeviceLatest.dangerously_unscoped.filter(tenant_id=tenant_id, device_id=device_id)
        .values_list("fix_time", flat=True)
        .first()
    )
    first_day = day_of(since) - dt.timedelta(days=1)
    last_day = max(first_day, day_of(newest) if newest is not None else first_day)
    lower, upper = day_start(first_day), day_start(last_day + dt.timedelta(days=1))
    track = load_track(
        tenant_id=tenant_id, device_id=device_id, since=lower - CONTEXT, until=upper + CONTEXT
    )
    derivation = derive(track, thresholds or Thresholds.of_tenant(tenant_id))
    now = timezone.now()
    rows: list[DailySummary] = []
    day = first_day
    while day <= last_day:
        begin, end = day_start(day), day_start(day + dt.timedelta(days=1))
        result = clip(derivation, start=begin, end=end)
        low, high = np.searchsorted(track.times_s, [begin.timestamp(), end.timestamp()])
        positions = int(high - low)
        if positions or result.trips or result.stops:
            rows.append(
                DailySummary(
                    tenant_id=tenant_id,
                    device_id=device_id,
                    day=day,
                    distance_m=result.distance_m,
                    moving_s=result.moving_s,
                    stopped_s=result.stopped_s,
                    max_speed_kmh=result.max_speed_kmh,
                    trip_count=result.trip_count,
                    positions=positions,
                    first_fix=_moment(track.times_s[low]) if positions else None,
                    last_fix=_moment(track.times_s[high - 1]) if positions else None,
                    derived_at=now,
                )
            )
        day += dt.timedelta(days=1)
    with transaction.atomic():
        DailySummary.dangerously_unscoped.filter(
            tenant_id=tenant_id, device_id=device_id, day__gte=first_day, day__lte=last_day
        ).delete()
        DailySummary.dangerously_unscoped.bulk_create(rows)
    return len(rows)


def _moment(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(round(float(seconds), 6), tz=dt.UTC)


def trips_derive_owed(*, limit: int = 500) -> int:
    """Derive the daily summaries of up to ``limit`` owed devices, earliest mark first; the
    number of devices derived. A device written to meanwhile stays owed (``geo.backlog``)."""
    derived = 0
    for owed in backlog.claim("trips_from", limit=limit):
        try:
            device_days_derive(tenant_id=owed.tenant_id, device_id=owed.device_id, since=owed.since)
        except Exception:  # one device's failure must not starve the others; it stays owed
            logger.exception("daily summaries of device %s not derived", owed.device_id)
            continue
        backlog.settle("trips_from", owed)
        derived += 1
    return derived
