"""Constructed tracks for the trips, stops and daily summary tests: a drive along a parallel at
a constant speed, a stop with GPS jitter around one point, and helpers to store them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from logitrack.tracking.geo.fixes import distance_m
from logitrack.tracking.ingest.writer import PositionRow, write_positions
from logitrack.tracking.models import Device

Fix = tuple[dt.datetime, float, float, float | None, bool]  # time, lat, lon, speed m/s, valid

STEP_S = 10
# Metres per degree of longitude on the 10.75 N parallel, near enough for building tracks;
# expectations use the geodesic of the fixes built, never this figure.
_M_PER_DEG_LON = 109_300.0
_M_PER_DEG_LAT = 110_600.0


def stop(
    start: dt.datetime, *, minutes: float, at: tuple[float, float], jitter_m: float = 20.0
) -> list[Fix]:
    """Fixes every ``STEP_S`` s for ``minutes`` at ``at``, speed 0: the first and last exactly
    there, those between alternately ``jitter_m`` north, east, south and west of it."""
    count = int(minutes * 60 / STEP_S) + 1
    offsets = [(1, 0), (0, 1), (-1, 0), (0, -1)]
    fixes: list[Fix] = []
    for index in range(count):
        north, east = (0, 0) if index in (0, count - 1) else offsets[index % 4]
        fixes.append(
            (
                start + dt.timedelta(seconds=index * STEP_S),
                at[0] + north * jitter_m / _M_PER_DEG_LAT,
                at[1] + east * jitter_m / _M_PER_DEG_LON,
                0.0,
                True,
            )
        )
    return fixes


def drive(
    start: dt.datetime,
    *,
    minutes: float,
    origin: tuple[float, float],
    speed_kmh: float = 36.0,
    eastward: bool = True,
) -> list[Fix]:
    """Fixes every ``STEP_S`` s along the parallel of ``origin`` at ``speed_kmh``; the first is
    one step after ``origin`` (which a stop's last fix holds), the last ``minutes`` later."""
    count = int(minutes * 60 / STEP_S)
    step_deg = speed_kmh / 3.6 * STEP_S / _M_PER_DEG_LON * (1 if eastward else -1)
    return [
        (
            start + dt.timedelta(seconds=index * STEP_S),
            origin[0],
            origin[1] + index * step_deg,
            speed_kmh / 3.6,
            True,
        )
        for index in range(1, count + 1)
    ]


def path_m(fixes: Iterable[Fix]) -> float:
    """The geodesic length of the fixes' polyline, in metres."""
    points = list(fixes)
    return sum(distance_m(a[1], a[2], b[1], b[2]) for a, b in itertools.pairwise(points))


def store(device: Device, fixes: Iterable[Fix], *, server_time: dt.datetime | None = None) -> None:
    """Store ``fixes`` for ``device`` through the position writer (which owes the derivation)."""
    rows = [
        PositionRow(
            tenant_id=device.tenant_id,
            device_id=device.pk,
            driver_id=None,
            fix_time=fix_time,
            device_time=None,
            server_time=server_time or fix_time,
            latitude=latitude,
            longitude=longitude,
            speed=speed,
            valid=valid,
        )
        for fix_time, latitude, longitude, speed, valid in fixes
    ]
    write_positions(rows)
