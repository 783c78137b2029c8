"""Enter and exit events from a device's plausible fixes, in fix-time order (pure: no database).

For each fix and geofence the engine observes one of three sides:

- ``INSIDE``: in the polygon (its boundary included) or within ``radius`` of a circle's centre;
- ``OUTSIDE``: farther than ``hysteresis_m`` outside it;
- ``BAND``: between the two. A fix in the band never changes the side: GPS jitter of ±15 m
  around an edge with the default 30 m hysteresis gives one enter, then nothing until the device
  is clearly away.

A change of side counts only when no fix observes the old side again for ``dwell_s`` seconds
(the change is confirmed at the first fix at least ``dwell_s`` after the first fix of the new
side; a fix on the old side before that cancels it); the event's time is the first fix of the
new side. Between two consecutive fixes that are both ``OUTSIDE`` and the device outside, a
straight segment that passes through the geofence is a pass-through: an enter and an exit with
times and places interpolated along the segment (``interpolated``), without a dwell.

Geometry: a polygon's side is tested in longitude/latitude (GeoJSON's edges are straight in
those coordinates, RFC 7946 §3.1.1); its outer edge (``hysteresis_m`` beyond) is the polygon
buffered in a local tangent plane at its centre, scaled by the WGS 84 ellipsoid's radii of
curvature there (relative error under 0.5 % over a 2,500 km² geofence: centimetres on 30 m).
A circle is exact: geodesic distance to the centre (``pyproj.Geod``). A shapely ``STRtree``
over the outer edges narrows each fix to the few geofences near it; the index of a tenant is
built once per round and reused while its geofences are unchanged (``derive``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import shapely
from shapely import LineString, Polygon, STRtree

from logitrack.tracking.geo.fixes import (
    DEFAULT_MAX_SPEED_MPS,
    WGS84,
    FloatArray,
    possible_steps,
    step_distances_m,
)

INSIDE = 1
BAND = 0
OUTSIDE = -1

_A = 6_378_137.0  # WGS 84 semi-major axis (m)
_E2 = 6.69437999014e-3  # WGS 84 first eccentricity squared
CIRCLE_SIDES = 72
Int8Array = np.ndarray[Any, np.dtype[np.int8]]
IntArray = np.ndarray[Any, np.dtype[np.intp]]


def _plane_scale(lat0: float) -> tuple[float, float]:
    """Metres per degree of longitude and of latitude at ``lat0`` (radii of curvature)."""
    phi = math.radians(lat0)
    w = math.sqrt(1 - _E2 * math.sin(phi) ** 2)
    prime_vertical = _A / w
    meridional = _A * (1 - _E2) / w**3
    return math.radians(1) * prime_vertical * math.cos(phi), math.radians(1) * meridional


@dataclass(frozen=True, slots=True)
class FenceSpec:
    """What the engine needs of a geofence (``models.Geofence``)."""

    id: int
    shape: str  # "polygon" or "circle"
    geometry: dict[str, Any]
    radius_m: float | None


class _Fence:
    __slots__ = ("centre", "id", "outer", "polygon", "radius_m", "scale")

    def __init__(self, spec: FenceSpec, hysteresis_m: float) -> None:
        self.id = spec.id
        self.radius_m = spec.radius_m
        if spec.shape == "circle":
            lon, lat = (float(v) for v in spec.geometry["coordinates"][:2])
            assert spec.radius_m is not None
            self.centre: tuple[float, float] | None = (lon, lat)
            self.polygon = _geodesic_circle(lon, lat, spec.radius_m)
            # The polygon's chords lie inside the true circle: widen by the chord's sag.
            reach = (spec.radius_m + hysteresis_m) / math.cos(math.pi / CIRCLE_SIDES) + 1.0
            self.outer = _geodesic_circle(lon, lat, reach)
            self.scale = _plane_scale(lat)
        else:
            rings = spec.geometry["coordinates"]
            self.centre = None
            self.polygon = Polygon(rings[0], rings[1:])
            centre = self.polygon.centroid
            self.scale = _plane_scale(centre.y)
            self.outer = _buffer_m(self.polygon, centre.x, centre.y, self.scale, hysteresis_m)
        shapely.prepare(self.polygon)


def _geodesic_circle(lon: float, lat: float, radius_m: float) -> Polygon:
    azimuths = np.linspace(0.0, 360.0, CIRCLE_SIDES, endpoint=False)
    lons, lats, _ = WGS84.fwd(
        np.full(CIRCLE_SIDES, lon),
        np.full(CIRCLE_SIDES, lat),
        azimuths,
        np.full(CIRCLE_SIDES, radius_m),
    )
    return Polygon(list(zip(lons, lats, strict=True)))


def _buffer_m(
    polygon: Polygon, lon0: float, lat0: float, scale: tuple[float, float], metres: float
) -> Polygon:
    kx, ky = scale

    def to_plane(coords: FloatArray) -> FloatArray:
        return np.column_stack(((coords[:, 0] - lon0) * kx, (coords[:, 1] - lat0) * ky))

    def to_degrees(coords: FloatArray) -> FloatArray:
        return np.column_stack((coords[:, 0] / kx + lon0, coords[:, 1] / ky + lat0))

    plane = shapely.transform(polygon, to_plane)
    grown = plane.buffer(metres, quad_segs=8) if metres > 0 else plane
    return shapely.transform(grown, to_degrees)


class FenceIndex:
    """The tenant's active geofences with a spatial index over their outer edges."""

    def __init__(self, specs: Sequence[FenceSpec], hysteresis_m: float) -> None:
        self.hysteresis_m = float(hysteresis_m)
        self.fences = [_Fence(spec, self.hysteresis_m) for spec in specs]
        self.by_id = {fence.id: position for position, fence in enumerate(self.fences)}
        self._outer_tree = STRtree([f.outer for f in self.fences])
        self._shape_tree = STRtree([f.polygon for f in self.fences])

    def observe(self, lon: FloatArray, lat: FloatArray) -> dict[int, tuple[IntArray, Int8Array]]:
        """For each geofence near any of the points: (point indexes, their sides ``INSIDE`` or
        ``BAND`` or ``OUTSIDE``). A point absent from a geofence's entry is ``OUTSIDE`` of it."""
        if not self.fences or len(lon) == 0:
            return {}
        pairs = self._outer_tree.query(shapely.points(lon, lat), predicate="intersects")
        found: dict[int, tuple[IntArray, Int8Array]] = {}
        if pairs.shape[1] == 0:
            return found
        order = np.argsort(pairs[1], kind="stable")
        points, fences = pairs[0][order], pairs[1][order]
        cuts = np.flatnonzero(np.diff(fences)) + 1
        for point_group, fence_group in zip(
            np.split(points, cuts), np.split(fences, cuts), strict=True
        ):
            fence = self.fences[int(fence_group[0])]
            glon, glat = lon[point_group], lat[point_group]
            if fence.centre is not None:
                assert fence.radius_m is not None
                count = len(point_group)
                _, _, distance = WGS84.inv(
                    np.full(count, fence.centre[0]), np.full(count, fence.centre[1]), glon, glat
                )
                distance = np.asarray(distance)
                sides = np.where(
                    distance <= fence.radius_m,
                    INSIDE,
                    np.where(distance <= fence.radius_m + self.hysteresis_m, BAND, OUTSIDE),
                ).astype(np.int8)
            else:
                inside = shapely.intersects_xy(fence.polygon, glon, glat)
                sides = np.where(inside, INSIDE, BAND).astype(np.int8)
            found[fence.id] = (point_group, sides)
        return found

    def crossings(
        self, lon: FloatArray, lat: FloatArray, segments: IntArray
    ) -> dict[int, dict[int, tuple[float, float]]]:
        """For the segments from point ``s`` to ``s + 1`` (``s`` in ``segments``), the geofences
        their straight line passes through: ``{fence id: {s: (fraction in, fraction out)}}``."""
        found: dict[int, dict[int, tuple[float, float]]] = {}
        if not self.fences or len(segments) == 0:
            return found
        starts = np.column_stack((lon[segments], lat[segments]))
        ends = np.column_stack((lon[segments + 1], lat[segments + 1]))
        lines = shapely.linestrings(np.stack((starts, ends), axis=1))
        pairs = self._shape_tree.query(lines, predicate="intersects")
        for line_index, fence_index in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
            fence = self.fences[fence_index]
            line: LineString = lines[line_index]
            span = (
                _circle_span(fence, line)
                if fence.centre is not None
                else _polygon_span(fence.polygon, line)
            )
            if span is not None:
                found.setdefault(fence.id, {})[int(segments[line_index])] = span
        return found


def _polygon_span(polygon: Polygon, line: LineString) -> tuple[float, float] | None:
    part = line.intersection(polygon)
    if part.is_empty or part.length <= 0:
        return None
    fractions = (
        [line.project(shapely.Point(xy), normalized=True) for xy in part.coords]
        if (part.geom_type == "LineString")
        else [
            line.project(shapely.Point(xy), normalized=True)
            for xy in shapely.get_coordinates(part).tolist()
        ]
    )
    return min(fractions), max(fractions)


def _circle_span(fence: _Fence, line: LineString) -> tuple[float, float] | None:
    """The exact fractions along the segment (in the tangent plane at the centre) where it is
    within ``radius`` of the centre."""
    assert fence.centre is not None
    assert fence.radius_m is not None
    (x0, y0), (x1, y1) = line.coords
    kx, ky = fence.scale
    ax, ay = (x0 - fence.centre[0]) * kx, (y0 - fence.centre[1]) * ky
    dx, dy = (x1 - x0) * kx, (y1 - y0) * ky
    a = dx * dx + dy * dy
    b = 2 * (ax * dx + ay * dy)
    c = ax * ax + ay * ay - fence.radius_m**2
    disc = b * b - 4 * a * c
    if a <= 0 or disc <= 0:
        return None
    root = math.sqrt(disc)
    first, last = (-b - root) / (2 * a), (-b + root) / (2 * a)
    first, last = max(first, 0.0), min(last, 1.0)
    return (first, last) if last > first else None


@dataclass(frozen=True, slots=True)
class Fix:
    """A plausible fix: its time (aware UTC) and place."""

    time: datetime
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Event:
    geofence_id: int
    kind: str  # "enter" or "exit"
    time: datetime
    latitude: float
    longitude: float
    interpolated: bool = False


def _between(a: Fix, b: Fix, fraction: float) -> tuple[datetime, float, float]:
    span = b.time - a.time
    micro = round(fraction * (span / timedelta(microseconds=1)))
    return (
        a.time + timedelta(microseconds=micro),
        a.latitude + fraction * (b.latitude - a.latitude),
        a.longitude + fraction * (b.longitude - a.longitude),
    )


def walk(
    fixes: Sequence[Fix],
    sides: Int8Array,
    *,
    geofence_id: int,
    inside: bool,
    dwell_s: float,
    crossings: dict[int, tuple[float, float]],
) -> list[Event]:
    """The events of one geofence over ``fixes`` (module docstring), starting ``inside`` or not;
    ``sides[i]`` is fix ``i``'s side, ``crossings[s]`` the pass-through of segment ``s -> s+1``.
    An unconfirmed change at the end gives no event (the next round, which starts at least
    ``dwell_s`` before its first new fix, confirms or cancels it)."""
    events: list[Event] = []
    pending: int | None = None
    dwell = timedelta(seconds=dwell_s)
    side_list = sides.tolist()
    for index, side in enumerate(side_list):
        if pending is None:
            if (
                not inside
                and index > 0
                and side == OUTSIDE
                and side_list[index - 1] == OUTSIDE
                and index - 1 in crossings
            ):
                first, last = crossings[index - 1]
                a, b = fixes[index - 1], fixes[index]
                t_in, lat_in, lon_in = _between(a, b, first)
                t_out, lat_out, lon_out = _between(a, b, last)
                if t_out > t_in:
                    events.append(Event(geofence_id, "enter", t_in, lat_in, lon_in, True))
                    events.append(Event(geofence_id, "exit", t_out, lat_out, lon_out, True))
            if (inside and side == OUTSIDE) or (not inside and side == INSIDE):
                pending = index
        elif (inside and side == INSIDE) or (not inside and side == OUTSIDE):
            pending = None  # back on the old side before the dwell: jitter, not a crossing
        if pending is not None and fixes[index].time - fixes[pending].time >= dwell:
            start = fixes[pending]
            kind = "exit" if inside else "enter"
            events.append(Event(geofence_id, kind, start.time, start.latitude, start.longitude))
            inside = not inside
            pending = None
    return events


def derive(
    index: FenceIndex,
    fixes: Sequence[Fix],
    *,
    inside_at_start: set[int],
    dwell_s: float,
    max_speed_mps: float = DEFAULT_MAX_SPEED_MPS,
) -> list[Event]:
    """Every event of ``fixes`` (plausible, in fix-time order) at the index's geofences, given
    the geofences the device was in before the first fix; sorted by time. A step faster than
    ``max_speed_mps`` (``fixes.plausible`` re-anchored there: moved while off) is no
    straight line travelled, so it passes through nothing."""
    if not fixes:
        return []
    lon = np.fromiter((f.longitude for f in fixes), dtype=np.float64, count=len(fixes))
    lat = np.fromiter((f.latitude for f in fixes), dtype=np.float64, count=len(fixes))
    observed = index.observe(lon, lat)
    sides_of: dict[int, Int8Array] = {}
    for fence_id, (points, observed_sides) in observed.items():
        row = np.full(len(fixes), OUTSIDE, dtype=np.int8)
        row[points] = observed_sides
        sides_of[fence_id] = row
    # Pass-throughs: every segment is tested at once; ``walk`` keeps those whose both ends are
    # beyond the band while the device is outside.
    times = np.fromiter((f.time.timestamp() for f in fixes), dtype=np.float64, count=len(fixes))
    moved = possible_steps(times, step_distances_m(lat, lon), max_speed_mps=max_speed_mps)
    segments = np.flatnonzero(moved).astype(np.intp)
    crossings = index.crossings(lon, lat, segments)
    events: list[Event] = []
    for fence_id in sorted(set(sides_of) | set(crossings) | (inside_at_start & set(index.by_id))):
        sides: Int8Array = sides_of.get(fence_id, np.full(len(fixes), OUTSIDE, dtype=np.int8))
        events.extend(
            walk(
                fixes,
                sides,
                geofence_id=fence_id,
                inside=fence_id in inside_at_start,
                dwell_s=dwell_s,
                crossings=crossings.get(fence_id, {}),
            )
        )
    events.sort(key=lambda e: (e.time, e.geofence_id, e.kind))
    return events
