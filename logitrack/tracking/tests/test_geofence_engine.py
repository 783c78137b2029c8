"""The geofence engine (``geo.engine``), pure: sides with hysteresis, the dwell, pass-throughs
between sparse fixes, circles decided by geodesic distance."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np

from logitrack.tracking.geo.engine import (
    BAND,
    INSIDE,
    OUTSIDE,
    Event,
    FenceIndex,
    FenceSpec,
    Fix,
    derive,
)
from logitrack.tracking.geo.fixes import WGS84

T0 = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
# A 0.01° square whose west edge is the meridian 106.0.
SQUARE = [[106.0, 10.0], [106.01, 10.0], [106.01, 10.01], [106.0, 10.01], [106.0, 10.0]]
M_PER_DEG_LON = 109_639.0  # at 10° N on WGS 84


def square(fence_id: int = 1) -> FenceSpec:
    return FenceSpec(fence_id, "polygon", {"type": "Polygon", "coordinates": [SQUARE]}, None)


def circle(fence_id: int, lon: float, lat: float, radius: float) -> FenceSpec:
    return FenceSpec(fence_id, "circle", {"type": "Point", "coordinates": [lon, lat]}, radius)


def east_of_edge(metres: float) -> float:
    return 106.0 + metres / M_PER_DEG_LON


def track(offsets_m: list[float], step_s: float = 5.0) -> list[Fix]:
    """Fixes along latitude 10.005 at ``offsets_m`` east of the square's west edge."""
    return [
        Fix(T0 + timedelta(seconds=i * step_s), 10.005, east_of_edge(m))
        for i, m in enumerate(offsets_m)
    ]


def kinds(events: list[Event]) -> list[str]:
    return [e.kind for e in events]


def test_sides_are_inside_band_and_outside_with_the_hysteresis() -> None:
    index = FenceIndex([square()], hysteresis_m=30)
    lon = np.array([east_of_edge(m) for m in (5, -1, -20, -40, -400)])
    lat = np.full(5, 10.005)

    points, sides = index.observe(lon, lat)[1]

    assert points.tolist() == [0, 1, 2]  # 40 m and 400 m out: not even candidates
    assert sides.tolist() == [INSIDE, BAND, BAND]
    assert OUTSIDE not in sides.tolist()


def test_jitter_of_15_m_around_the_edge_gives_one_enter_and_one_exit() -> None:
    index = FenceIndex([square()], hysteresis_m=30)
    approach = [-300.0, -200.0, -100.0, -50.0]
    wobble = [15.0 * (-1) ** i for i in range(40)]  # +15, -15, +15, ... for 200 s
    leave = [-50.0, -100.0, -200.0, -300.0, -400.0]

    events = derive(index, track(approach + wobble + leave), inside_at_start=set(), dwell_s=20)

    assert kinds(events) == ["enter", "exit"]
    assert events[0].time == T0 + timedelta(seconds=4 * 5)  # the first fix inside
    assert events[1].time == T0 + timedelta(seconds=(4 + 40) * 5)  # first fix beyond 30 m


def test_without_hysteresis_and_dwell_the_same_jitter_fires_at_every_wobble() -> None:
    # The guard above is what keeps it to one crossing: with neither, each wobble counts.
    index = FenceIndex([square()], hysteresis_m=0)
    wobble = [15.0 * (-1) ** i for i in range(10)]

    events = derive(index, track([-100.0, *wobble]), inside_at_start=set(), dwell_s=0)

    assert len(events) == 10


def test_a_change_shorter_than_the_dwell_is_no_crossing() -> None:
    index = FenceIndex([square()], hysteresis_m=30)
    # 10 s inside (two fixes at 5 s) then far out again for long: shorter than the 20 s dwell.
    events = derive(
        index,
        track([-100.0, 50.0, 60.0, -100.0, -200.0, -300.0, -400.0]),
        inside_at_start=set(),
        dwell_s=20,
    )
    assert events == []

    events = derive(
        index, track([-100.0, 50.0, 60.0, 70.0, 80.0, 90.0]), inside_at_start=set(), dwell_s=20
    )
    assert kinds(events) == ["enter"]
    assert events[0].time == T0 + timedelta(seconds=5)


def test_a_pass_through_between_two_sparse_fixes_counts_with_interpolated_times() -> None:
    index = FenceIndex([square()], hysteresis_m=30)
    # 2 km west to 2 km east of the 1.1 km wide square, two minutes apart (153 km/h).
    fixes = track([-2000.0, 1094.5 + 2000.0], step_s=120)

    events = derive(index, fixes, inside_at_start=set(), dwell_s=20)

    assert kinds(events) == ["enter", "exit"]
    assert all(e.interpolated for e in events)
    assert math.isclose(events[0].longitude, 106.0, abs_tol=1e-9)
    assert math.isclose(events[1].longitude, 106.01, abs_tol=1e-9)
    span = 1094.5 + 4000.0
    assert abs((events[0].time - T0).total_seconds() - 120 * 2000 / span) < 0.1
    assert abs((events[1].time - T0).total_seconds() - 120 * (2000 + 1094.5) / span) < 0.1


def test_a_jump_the_device_could_not_have_driven_passes_through_nothing() -> None:
    """Across the square, 1,000 km apart in one minute: fixes.plausible re-anchored there (the
    device was moved while off), so the straight line between them was never travelled."""
    index = FenceIndex([square()], hysteresis_m=30)
    fixes = track([-500_000.0, 500_000.0], step_s=60)

    assert derive(index, fixes, inside_at_start=set(), dwell_s=20) == []
    # The same two fixes five hours apart (200 km/h) are a possible drive through the square.
    slow = track([-500_000.0, 500_000.0], step_s=5 * 3600)
    assert kinds(derive(index, slow, inside_at_start=set(), dwell_s=20)) == ["enter", "exit"]


def test_a_segment_passing_beside_the_geofence_is_no_crossing() -> None:
    index = FenceIndex([square()], hysteresis_m=30)
    fixes = [Fix(T0, 10.02, 105.99), Fix(T0 + timedelta(minutes=1), 10.02, 106.02)]

    assert derive(index, fixes, inside_at_start=set(), dwell_s=20) == []


def test_a_circle_is_decided_by_geodesic_distance_to_its_centre() -> None:
    centre_lon, centre_lat = 106.7, 10.8
    index = FenceIndex([circle(7, centre_lon, centre_lat, 100.0)], hysteresis_m=30)
    azimuths = np.array([0.0, 45.0, 90.0, 135.0, 0.0, 90.0, 0.0])
    distances = np.array([99.9, 99.9, 99.9, 99.9, 100.1, 129.9, 130.1])
    lon, lat, _ = WGS84.fwd(np.full(7, centre_lon), np.full(7, centre_lat), azimuths, distances)

    found = index.observe(np.asarray(lon), np.asarray(lat))
    points, sides = found[7]

    side_of = dict(zip(points.tolist(), sides.tolist(), strict=True))
    assert [side_of.get(i, OUTSIDE) for i in range(7)] == [
        INSIDE,
        INSIDE,
        INSIDE,
        INSIDE,
        BAND,
        BAND,
        OUTSIDE,
    ]


def test_the_index_only_answers_for_geofences_near_the_points() -> None:
    specs = [
        FenceSpec(
            i,
            "polygon",
            {
                "type": "Polygon",
                "coordinates": [
                    [
                        [x + 106, 10],
                        [x + 106.001, 10],
                        [x + 106.001, 10.001],
                        [x + 106, 10.001],
                        [x + 106, 10],
                    ]
                ],
            },
            None,
        )
        for i, x in enumerate(np.arange(0, 1, 0.01).tolist(), start=1)
    ]
    index = FenceIndex(specs, hysteresis_m=30)

    found = index.observe(np.array([106.5005]), np.array([10.0005]))

    assert list(found) == [51]
