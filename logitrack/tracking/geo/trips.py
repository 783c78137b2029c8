"""Trips and stops of one device, derived from its positions (docs/adr/0060).

Definitions, with the tenant's thresholds (``TenantDeviceSettings``; defaults in brackets):

- Only plausible fixes count (``geo.fixes.plausible``: the device's own ``valid`` flag, WGS 84
  ranges, and no move faster than ``max_plausible_speed_kmh`` [250] from the last good fix): a
  500 km jump in a minute is neither a trip nor a stop, and adds no distance.
- A **stop**: from an *anchor* fix whose speed is below ``trip_min_speed_kmh`` [5] (reported
  speed; a device that reports none is slow when its next fix is within the stop radius), the
  device stays within ``stop_radius_m`` [50] of the anchor (on the tangent plane there) for at least
  ``stop_min_duration_s`` [300]. The stop runs from the anchor's fix time to the last fix inside
  the radius (a gap without fixes inside it, a device switched off while parked, is part of the
  stop); its place is the mean of its fixes. No distance accumulates inside a stop, so GPS
  drift while parked adds nothing.
- A **trip**: the movement between two stops, from the last fix of one to the first fix of the
  next (before the first stop and after the last, from and to the first and last fix). A trip
  shorter than ``trip_min_distance_m`` [300] is a parking manoeuvre: it is merged with the stops
  around it (or dropped when it has none). Its distance is the sum of geodesic steps between
  its fixes; ``max_speed_kmh`` the highest reported speed of its fixes (the step's speed where a
  fix has none); ``avg_speed_kmh`` its distance over its duration.
- A time window ``[start, end)`` **clips** trips and stops: a trip over midnight is split at
  midnight, its distance shared by interpolating along the step that crosses it, so any period
  gives the same totals as the sum of its days. The derivation reads ``CONTEXT`` more positions
  on each side of the window, so that a stop or trip across the window's edge is recognised as
  it is when the neighbouring day is derived.

Times are aware UTC datetimes; internally seconds since the Unix epoch (float64 arrays).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection

from logitrack.tracking.geo.fixes import (
    WGS84,
    BoolArray,
    FloatArray,
    plausible,
    possible_steps,
    step_distances_m,
)

CONTEXT = dt.timedelta(hours=6)
KMH_PER_MS = 3.6
_EXTEND_CHUNK = 64
_EXTEND_CHUNK_MAX = 8192


@dataclass(frozen=True, slots=True)
class Thresholds:
    """A tenant's trip and stop thresholds, in SI units (defaults: the settings' defaults)."""

    min_speed_mps: float = 5 / KMH_PER_MS
    stop_min_duration_s: float = 300.0
    stop_radius_m: float = 50.0
    trip_min_distance_m: float = 300.0
    max_speed_mps: float = 250 / KMH_PER_MS

    @classmethod
    def of_tenant(cls, tenant_id: int) -> Thresholds:
        """The tenant's thresholds (the defaults when it has no settings row)."""
        from logitrack.tracking.models import TenantDeviceSettings

        row = (
            TenantDeviceSettings.dangerously_unscoped.filter(tenant_id=tenant_id)
            .values(
                "trip_min_speed_kmh",
                "stop_min_duration_s",
                "stop_radius_m",
                "trip_min_distance_m",
                "max_plausible_speed_kmh",
            )
            .first()
        )
        if row is None:
            return cls()
        return cls(
            min_speed_mps=row["trip_min_speed_kmh"] / KMH_PER_MS,
            stop_min_duration_s=float(row["stop_min_duration_s"]),
            stop_radius_m=float(row["stop_radius_m"]),
            trip_min_distance_m=float(row["trip_min_distance_m"]),
            max_speed_mps=row["max_plausible_speed_kmh"] / KMH_PER_MS,
        )


@dataclass(frozen=True, slots=True)
class Track:
    """A device's positions in fix-time order: epoch seconds, WGS 84 degrees, reported speed in
    m/s (NaN where none was reported) and the device's own validity flag."""

    times_s: FloatArray
    latitude: FloatArray
    longitude: FloatArray
    speed_mps: FloatArray
    valid: BoolArray

    def __len__(self) -> int:
        return len(self.times_s)


@dataclass(frozen=True, slots=True)
class Trip:
    start_time: dt.datetime
    end_time: dt.datetime
    start_latitude: float
    start_longitude: float
    end_latitude: float
    end_longitude: float
    distance_m: float
    duration_s: float
    max_speed_kmh: float
    avg_speed_kmh: float
    # False for the part of a trip that began before the window (it is counted where it began).
    started_in_window: bool


@dataclass(frozen=True, slots=True)
class Stop:
    start_time: dt.datetime
    end_time: dt.datetime
    duration_s: float
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Result:
    """Trips and stops clipped to a window, oldest first, and their totals."""

    trips: list[Trip]
    stops: list[Stop]
    window: tuple[dt.datetime, dt.datetime]

    @property
    def distance_m(self) -> float:
        return float(sum(trip.distance_m for trip in self.trips))

    @property
    def moving_s(self) -> float:
        return float(sum(trip.duration_s for trip in self.trips))

    @property
    def stopped_s(self) -> float:
        return float(sum(stop.duration_s for stop in self.stops))

    @property
    def max_speed_kmh(self) -> float:
        return max((trip.max_speed_kmh for trip in self.trips), default=0.0)

    @property
    def trip_count(self) -> int:
        """Trips that began in the window (a trip over midnight counts on the day it began)."""
        return sum(1 for trip in self.trips if trip.started_in_window)


# --- Loading ---------------------------------------------------------------------------------

_PG_TRACK = """
SELECT extract(epoch FROM fix_time)::float8, latitude, longitude, coalesce(speed, -1.0)::float8,
       CASE WHEN valid THEN 1.0 ELSE 0.0 END::float8
FROM tracking_position
WHERE tenant_id = %s AND device_id = %s AND fix_time >= %s AND fix_time < %s
ORDER BY fix_time
"""
_SQLITE_TRACK = """
SELECT (julianday(fix_time) - 2440587.5) * 86400.0, latitude, longitude, ifnull(speed, -1.0),
       CASE WHEN valid THEN 1.0 ELSE 0.0 END
FROM tracking_position
WHERE tenant_id = %s AND device_id = %s AND fix_time >= %s AND fix_time < %s
ORDER BY fix_time
"""


def _sqlite_stamp(value: dt.datetime) -> str:
    # What Django's SQLite backend stores for an aware datetime: naive UTC, ISO with a space.
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def load_track(*, tenant_id: int, device_id: int, since: dt.datetime, until: dt.datetime) -> Track:
    """The device's positions with ``since <= fix_time < until`` as arrays, in one lean query
    on the unique (device, fix_time) index (on PostgreSQL: a psycopg binary cursor over the
    partitions of the range; no model instances, no per-row Python objects beyond the
    cursor's tuples). Platform code: the caller has checked access to the device."""
    rows: list[tuple[float, ...]]
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        # A server-side binding cursor (Django's bind client-side, which cannot read binary).
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(_PG_TRACK, [tenant_id, device_id, since, until], binary=True)
            rows = cursor.fetchall()
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                _SQLITE_TRACK, [tenant_id, device_id, _sqlite_stamp(since), _sqlite_stamp(until)]
            )
            rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.float64)
        return Track(empty, empty, empty, empty, np.zeros(0, dtype=np.bool_))
    # Five floats a row, flattened without building per-row arrays.
    table = np.fromiter(
        itertools.chain.from_iterable(rows), dtype=np.float64, count=5 * len(rows)
    ).reshape(len(rows), 5)
    times = table[:, 0]
    if connection.vendor != "postgresql":
        times = np.round(times, 3)  # julianday's binary noise, below a millisecond
    speed = table[:, 3]
    speed[speed < 0] = np.nan
    return Track(
        times_s=np.ascontiguousarray(times),
        latitude=np.ascontiguousarray(table[:, 1]),
        longitude=np.ascontiguousarray(table[:, 2]),
        speed_mps=np.ascontiguousarray(speed),
        valid=table[:, 4] > 0.5,
    )


def track_of(rows: list[tuple[dt.datetime, float, float, float | None, bool]]) -> Track:
    """A ``Track`` from ``(fix_time, latitude, longitude, speed_mps, valid)`` tuples in fix-time
    order (tests, tools)."""
    return Track(
        times_s=np.array([row[0].timestamp() for row in rows], dtype=np.float64),
        latitude=np.array([row[1] for row in rows], dtype=np.float64),
        longitude=np.array([row[2] for row in rows], dtype=np.float64),
        speed_mps=np.array([np.nan if row[3] is None else row[3] for row in rows], dtype=float),
        valid=np.array([row[4] for row in rows], dtype=np.bool_),
    )


# --- Deriving --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Derivation:
    """Trips and stops over a whole track, as index ranges into its plausible fixes."""

    times_s: FloatArray
    latitude: FloatArray
    longitude: FloatArray
    fix_speed_mps: FloatArray  # reported, or the step's where none was reported
    cumulative_m: FloatArray  # distance travelled up to each fix, as if every step counted
    stops: list[tuple[int, int, float, float]]  # first, last fix; mean latitude, longitude
    trips: list[tuple[int, int]]  # first, last fix


# WGS 84 semi-major axis and first eccentricity squared, for the local scale at an anchor.
_A = 6_378_137.0
_E2 = 6.694379990141317e-3


def _extend(lat: FloatArray, lon: FloatArray, anchor: int, radius_m: float) -> int:
    """The last index from ``anchor`` on whose fixes all lie within ``radius_m`` of it, scanning
    chunks of fixes at a time (doubling), so a long stop costs few steps.

    Distances here are on the ellipsoid's tangent plane at the anchor (meridional and
    prime-vertical radii of curvature of WGS 84 at its latitude): within a stop radius (up to
    1 km) that differs from the geodesic by under 0.01 %, at a fraction of its cost."""
    count = len(lat)
    phi = np.radians(lat[anchor])
    w = 1 - _E2 * np.sin(phi) ** 2
    m_per_rad_lat = _A * (1 - _E2) / w**1.5
    m_per_rad_lon = _A / np.sqrt(w) * np.cos(phi)
    limit = radius_m * radius_m
    begin = anchor + 1
    size = _EXTEND_CHUNK
    while begin < count:
        stop = min(count, begin + size)
        north = np.radians(lat[begin:stop] - lat[anchor]) * m_per_rad_lat
        east = np.radians(lon[begin:stop] - lon[anchor]) * m_per_rad_lon
        outside = np.flatnonzero(north * north + east * east > limit)
        if len(outside):
            return begin + int(outside[0]) - 1
        begin = stop
        size = min(size * 2, _EXTEND_CHUNK_MAX)
    return count - 1


def _stops(
    times: FloatArray, lat: FloatArray, lon: FloatArray, slow: BoolArray, thresholds: Thresholds
) -> list[tuple[int, int]]:
    """Stops as (first, last) fix indexes: from each slow fix not already in a stop, the fixes
    within the radius of it, kept when they last long enough."""
    stops: list[tuple[int, int]] = []
    candidates = np.flatnonzero(slow)
    position = 0
    while position < len(candidates):
        anchor = int(candidates[position])
        last = _extend(lat, lon, anchor, thresholds.stop_radius_m)
        if times[last] - times[anchor] >= thresholds.stop_min_duration_s:
            stops.append((anchor, last))
            position = int(np.searchsorted(candidates, last + 1))
        else:
            position += 1
    return stops


Merged = list[tuple[int, int, list[tuple[int, int]]]]  # first, last fix; the stops it joins


def _link(
    stops: list[tuple[int, int]], cumulative: FloatArray, minimum: float
) -> tuple[Merged, list[tuple[int, int]]]:
    """Stops merged across movements shorter than ``minimum`` metres, and the trips between."""
    count = len(cumulative)
    merged: Merged = []
    trips: list[tuple[int, int]] = []
    for first, last in stops:
        if not merged:
            if first > 0 and cumulative[first] - cumulative[0] >= minimum:
                trips.append((0, first))
                merged.append((first, last, [(first, last)]))
            else:  # a short movement before the first stop belongs to it
                merged.append((0, last, [(first, last)]))
            continue
        begin, previous, parts = merged[-1]
        if cumulative[first] - cumulative[previous] >= minimum:
            trips.append((previous, first))
            merged.append((first, last, [(first, last)]))
        else:
            merged[-1] = (begin, last, [*parts, (first, last)])
    if merged:
        begin, previous, parts = merged[-1]
        if previous < count - 1:
            if cumulative[count - 1] - cumulative[previous] >= minimum:
                trips.append((previous, count - 1))
            else:
                merged[-1] = (begin, count - 1, parts)
    elif count > 1 and cumulative[count - 1] >= minimum:
        trips.append((0, count - 1))
    return merged, trips


def _steps_between(
    kept: np.ndarray[Any, np.dtype[np.intp]],
    every_step: FloatArray,
    lat: FloatArray,
    lon: FloatArray,
) -> FloatArray:
    """Step distances between consecutive kept fixes: those of the whole track where two kept
    fixes were neighbours already, new geodesics only across the refused ones."""
    if len(kept) < 2:
        return np.zeros(0, dtype=np.float64)
    neighbours = np.diff(kept) == 1
    steps = np.empty(len(kept) - 1, dtype=np.float64)
    steps[neighbours] = every_step[kept[:-1][neighbours]]
    bridged = np.flatnonzero(~neighbours)
    if len(bridged):
        _, _, distance = WGS84.inv(lon[bridged], lat[bridged], lon[bridged + 1], lat[bridged + 1])
        steps[bridged] = distance
    return steps


def derive(track: Track, thresholds: Thresholds) -> Derivation:
    """Stops and trips over the whole ``track`` (module docstring), before any window."""
    every_step = step_distances_m(track.latitude, track.longitude)
    accepted = plausible(
        track.times_s,
        track.latitude,
        track.longitude,
        track.valid,
        max_speed_mps=thresholds.max_speed_mps,
        steps_m=every_step,
    )
    kept = np.flatnonzero(accepted)
    times = track.times_s[kept]
    lat = track.latitude[kept]
    lon = track.longitude[kept]
    reported = track.speed_mps[kept]
    count = len(times)
    steps = _steps_between(kept, every_step, lat, lon)
    # A re-anchoring jump (moved while off: a ferry, a flight) is not distance driven.
    steps[~possible_steps(times, steps, max_speed_mps=thresholds.max_speed_mps)] = 0.0
    cumulative = np.concatenate(([0.0], np.cumsum(steps)))
    elapsed = np.diff(times)
    step_speed = np.divide(steps, elapsed, out=np.zeros_like(steps), where=elapsed > 0)
    # A fix's derived speed is that of the step that reached it (the first fix: the step after).
    derived = np.concatenate((step_speed[:1], step_speed)) if count > 1 else np.zeros(count)
    known = np.isfinite(reported)
    fix_speed = np.where(known, reported, derived)
    near_next = np.concatenate((steps <= thresholds.stop_radius_m, [True])) if count else known
    slow = np.where(known, reported < thresholds.min_speed_mps, near_next)

    stops = _stops(times, lat, lon, slow, thresholds)
    merged, trips = _link(stops, cumulative, thresholds.trip_min_distance_m)
    placed: list[tuple[int, int, float, float]] = []
    for first, last, parts in merged:
        index = np.concatenate([np.arange(a, b + 1) for a, b in parts])
        placed.append((first, last, float(lat[index].mean()), float(lon[index].mean())))
    return Derivation(times, lat, lon, fix_speed, cumulative, placed, trips)


# --- Clipping to a window ---------------------------------------------------------------------


def _when(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(round(seconds, 6), tz=dt.UTC)


def clip(derivation: Derivation, *, start: dt.datetime, end: dt.datetime) -> Result:
    """The derivation's trips and stops within ``[start, end)``, cut at its edges."""
    low, high = start.timestamp(), end.timestamp()
    times = derivation.times_s
    stops: list[Stop] = []
    for first, last, latitude, longitude in derivation.stops:
        begin, finish = max(times[first], low), min(times[last], high)
        if finish <= begin:
            continue
        stops.append(Stop(_when(begin), _when(finish), finish - begin, latitude, longitude))
    trips: list[Trip] = []
    for first, last in derivation.trips:
        begin, finish = max(times[first], low), min(times[last], high)
        if finish <= begin:
            continue
        span = slice(first, last + 1)
        piece_times = times[span]

        def at(
            moment: float, values: FloatArray, span: slice = span, known: FloatArray = piece_times
        ) -> float:
            return float(np.interp(moment, known, values[span]))

        distance = at(finish, derivation.cumulative_m) - at(begin, derivation.cumulative_m)
        inside = (piece_times >= begin) & (piece_times <= finish)
        speeds = derivation.fix_speed_mps[span][inside]
        if len(speeds) == 0:  # a piece between two fixes: the speed of that step
            speeds = np.array([distance / (finish - begin)])
        duration = finish - begin
        trips.append(
            Trip(
                start_time=_when(begin),
                end_time=_when(finish),
                start_latitude=at(begin, derivation.latitude),
                start_longitude=at(begin, derivation.longitude),
                end_latitude=at(finish, derivation.latitude),
                end_longitude=at(finish, derivation.longitude),
                distance_m=distance,
                duration_s=duration,
                max_speed_kmh=float(np.max(speeds)) * KMH_PER_MS,
                avg_speed_kmh=distance / duration * KMH_PER_MS,
                started_in_window=bool(times[first] >= low),
            )
        )
    return Result(trips, stops, (start, end))


def trips_and_stops(track: Track, thresholds: Thresholds, *, start: Any, end: Any) -> Result:
    """Trips and stops of ``track`` clipped to ``[start, end)`` (module docstring)."""
    return clip(derive(track, thresholds), start=start, end=end)


def device_trips_and_stops(
    *,
    tenant_id: int,
    device_id: int,
    start: dt.datetime,
    end: dt.datetime,
    thresholds: Thresholds | None = None,
) -> Result:
    """The device's trips and stops in ``[start, end)``, derived from its positions in that
    window widened by ``CONTEXT`` on each side. Platform code: the caller checked access."""
    track = load_track(
        tenant_id=tenant_id, device_id=device_id, since=start - CONTEXT, until=end + CONTEXT
    )
    return trips_and_stops(
        track, thresholds or Thresholds.of_tenant(tenant_id), start=start, end=end
    )
