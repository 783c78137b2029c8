"""A device's day for the history playback: its positions of one local day, each judged by the
one plausibility rule (``geo.fixes.plausible`` with the tenant's fastest plausible move), and
the totals of the plausible track.

These totals are the playback's own reading of the track (geodesic distance between consecutive
plausible fixes, time spent between fixes at or above the tenant's moving speed, top reported
speed); the page replaces them with the trips and stops of ``/api/v1/devices/{identifier}/trips``
once that answers. Invalid fixes are drawn apart and never counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db.models import F, Value

from logitrack.tracking.geo.fixes import plausible, step_distances_m
from logitrack.tracking.map.selectors import KMH_PER_MS, map_thresholds
from logitrack.tracking.models import Device, Position


class HistoryRow(NamedTuple):
    fix_time: dt.datetime
    latitude: float
    longitude: float
    speed_kmh: float | None
    course: float | None
    valid: bool
    driver_id: int | None


@dataclass(frozen=True)
class DayTrack:
    start: dt.datetime
    end: dt.datetime
    # [epoch ms, latitude, longitude, speed km/h or None, course or None, 1 plausible / 0 not]
    points: list[list[Any]]
    distance_m: float
    moving_s: float
    max_speed_kmh: float | None
    invalid: int
    driver_fixes: int


def local_day(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """``[start, end)`` of the calendar day in Logitrack's zone (Asia/Ho_Chi_Minh), in UTC."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def today_local(now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def device_day(*, device: Device, day: dt.date) -> DayTrack:
    """The device's positions of the local ``day`` with their plausibility and totals (module
    docstring). The caller has checked access to the device."""
    start, end = local_day(day)
    rows = [
        HistoryRow(*row)
        for row in Position.dangerously_unscoped.filter(
            # The device's own tenant and id: the caller checked access to the device.
            tenant_id=device.tenant_id,
            device_id=device.pk,
            fix_time__gte=start,
            fix_time__lt=end,
        )
        .order_by("fix_time")
        .values_list(
            "fix_time",
            "latitude",
            "longitude",
            F("speed") * Value(KMH_PER_MS),
            "course",
            "valid",
            "driver_id",
        )
    ]
    thresholds = map_thresholds(tenant_id=device.tenant_id)
    count = len(rows)
    seconds = np.array([row.fix_time.timestamp() for row in rows], dtype=np.float64)
    lat = np.array([row.latitude for row in rows], dtype=np.float64)
    lon = np.array([row.longitude for row in rows], dtype=np.float64)
    valid = np.array([row.valid for row in rows], dtype=np.bool_)
    ok = plausible(seconds, lat, lon, valid, max_speed_mps=thresholds.max_plausible_kmh / 3.6)
    good = np.flatnonzero(ok)
    distance = 0.0
    moving = 0.0
    if len(good) >= 2:
        steps = step_distances_m(lat[good], lon[good])
        elapsed = np.diff(seconds[good])
        distance = float(steps.sum())
        reported = np.array(
            [np.nan if rows[i].speed_kmh is None else rows[i].speed_kmh for i in good[1:].tolist()],
            dtype=np.float64,
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            computed = np.where(elapsed > 0, steps / elapsed * KMH_PER_MS, 0.0)
        step_kmh = np.where(np.isnan(reported), computed, reported)
        moving = float(elapsed[step_kmh >= thresholds.moving_kmh].sum())
    speeds: list[float] = [s for i in good.tolist() if (s := rows[i].speed_kmh) is not None]
    points = [
        [
            round(float(seconds[i]) * 1000),
            row.latitude,
            row.longitude,
            None if row.speed_kmh is None else round(row.speed_kmh, 1),
            None if row.course is None else round(row.course),
            1 if ok[i] else 0,
        ]
        for i, row in enumerate(rows)
    ]
    return DayTrack(
        start=start,
        end=end,
        points=points,
        distance_m=round(distance, 1),
        moving_s=moving,
        max_speed_kmh=round(max(speeds), 1) if speeds else None,
        invalid=int(count - len(good)),
        driver_fixes=sum(1 for row in rows if row.driver_id is not None),
    )
