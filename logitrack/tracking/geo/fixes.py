"""Which positions of a device are plausible fixes: the one rule that geofences, trips, stops,
daily summaries and the history playback all apply, so they never disagree about a fix.

A fix is refused when the device itself marked it invalid (OsmAnd ``valid=false``), when its
coordinates are outside WGS 84 ranges or exactly ``(0, 0)`` (a receiver without a fix), or when
reaching it from the last accepted fix would need more than ``max_speed_mps`` (an impossible
jump: 500 km in a minute is 30,000 km/h). ``slack_m`` is added to the distance allowance so that
two fixes a second apart with ordinary GPS noise are never taken for a jump. After
``reanchor_after`` refusals in a row the next fix is accepted as the new anchor: the device was
moved while off (on a truck, by ferry) and the old anchor is the one that no longer holds.

Distances are geodesic on the WGS 84 ellipsoid (``pyproj.Geod``, PROJ's implementation of
Karney 2013), in metres. Arrays are in fix-time order; times in seconds (any epoch).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pyproj import Geod

WGS84 = Geod(ellps="WGS84")

DEFAULT_MAX_SPEED_MPS = 250 / 3.6  # 250 km/h: faster than any road vehicle Logitrack tracks
DEFAULT_SLACK_M = 100.0
DEFAULT_REANCHOR_AFTER = 5

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
BoolArray = np.ndarray[Any, np.dtype[np.bool_]]


def step_distances_m(latitude: FloatArray, longitude: FloatArray) -> FloatArray:
    """Geodesic distance in metres from each fix to the next: length ``n - 1`` (empty for
    fewer than two fixes)."""
    if len(latitude) < 2:
        return np.zeros(0, dtype=np.float64)
    _, _, distance = WGS84.inv(longitude[:-1], latitude[:-1], longitude[1:], latitude[1:])
    return np.asarray(distance, dtype=np.float64)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres between two points."""
    _, _, distance = WGS84.inv(lon1, lat1, lon2, lat2)
    return float(distance)


def in_range(latitude: FloatArray, longitude: FloatArray) -> BoolArray:
    """True where the coordinates are WGS 84 values and not the ``(0, 0)`` of a missing fix."""
    finite = np.isfinite(latitude) & np.isfinite(longitude)
    ranged = (np.abs(latitude) <= 90) & (np.abs(longitude) <= 180)
    null_island = (latitude == 0) & (longitude == 0)
    return np.asarray(finite & ranged & ~null_island, dtype=np.bool_)


def plausible(
    times_s: FloatArray,
    latitude: FloatArray,
    longitude: FloatArray,
    device_valid: BoolArray,
    *,
    max_speed_mps: float = DEFAULT_MAX_SPEED_MPS,
    slack_m: float = DEFAULT_SLACK_M,
    reanchor_after: int = DEFAULT_REANCHOR_AFTER,
    steps_m: FloatArray | None = None,
) -> BoolArray:
    """A boolean per fix: True when the fix is plausible (module docstring).

    ``times_s`` must be non-decreasing. The common case, every step possible from the one
    before, is decided with vectorised geodesics; only the stretch after a refused fix is
    walked one fix at a time against the last accepted one. ``steps_m``: the fixes'
    ``step_distances_m`` when the caller has them already (trips reuse them).
    """
    count = len(times_s)
    usable = in_range(latitude, longitude) & np.asarray(device_valid, dtype=np.bool_)
    accepted = np.zeros(count, dtype=np.bool_)
    if count == 0:
        return accepted
    steps = step_distances_m(latitude, longitude) if steps_m is None else steps_m
    elapsed = np.diff(times_s)
    step_ok = (steps <= max_speed_mps * elapsed + slack_m).tolist()
    usable_list = usable.tolist()

    anchor = -1
    refused_in_row = 0
    for index in range(count):
        if not usable_list[index]:
            continue
        if anchor < 0:
            ok = True
        elif anchor == index - 1:
            ok = step_ok[index - 1]
        else:
            allowance = max_speed_mps * (times_s[index] - times_s[anchor]) + slack_m
            ok = (
                distance_m(latitude[anchor], longitude[anchor], latitude[index], longitude[index])
                <= allowance
            )
        if ok or refused_in_row >= reanchor_after:
            accepted[index] = True
            anchor = index
            refused_in_row = 0
        else:
            refused_in_row += 1
    return accepted


def possible_steps(
    times_s: FloatArray,
    steps_m: FloatArray,
    *,
    max_speed_mps: float = DEFAULT_MAX_SPEED_MPS,
    slack_m: float = DEFAULT_SLACK_M,
) -> BoolArray:
    """For consecutive plausible fixes (``times_s``, and ``steps_m`` the distances between
    them): True where the step is a move the vehicle could have made. False only where
    ``plausible`` re-anchored: the device was moved while off, so that step is neither
    distance driven nor a straight line it travelled (no pass-through of a geofence)."""
    elapsed = np.diff(times_s)
    return np.asarray(steps_m <= max_speed_mps * elapsed + slack_m, dtype=np.bool_)
