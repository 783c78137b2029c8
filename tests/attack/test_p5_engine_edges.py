"""Attack probes on the geofence engine: circles allowed by geo.geofences (radius <= 50 km,
centre anywhere in WGS 84 ranges) near the antimeridian and near a pole."""

from __future__ import annotations

import numpy as np

from logitrack.tracking.geo.engine import INSIDE, FenceIndex, FenceSpec
from logitrack.tracking.geo.geofences import circle_shape


def _circle(lon: float, lat: float, radius: float) -> FenceSpec:
    return FenceSpec(1, "circle", {"type": "Point", "coordinates": [lon, lat]}, radius)


def _sides(index: FenceIndex, lon: float, lat: float) -> list[int]:
    found = index.observe(np.array([lon]), np.array([lat]))
    return [int(s) for s in found[1][1]] if 1 in found else []


def test_a_circle_across_the_antimeridian_holds_a_point_on_the_other_side() -> None:
    # Centre 179.9 E on the equator, 20 km: 179.95 W is about 16.7 km away, inside.
    index = FenceIndex([_circle(179.9, 0.0, 20_000)], hysteresis_m=30)
    assert _sides(index, -179.95, 0.0) == [INSIDE]


def test_a_circle_across_the_antimeridian_has_a_bounding_box_holding_it() -> None:
    shape = circle_shape([179.9, 0.0], 20_000)
    # the stored bbox: [min_lon, max_lon] should hold the circle's east part (-179.92)
    assert shape.min_longitude <= -179.95 or shape.max_longitude >= 180.0
    assert not (shape.min_longitude < -179 and shape.max_longitude > 179), (
        "bbox spans the whole world",
        shape.min_longitude,
        shape.max_longitude,
    )


def test_a_circle_near_the_pole_holds_the_pole() -> None:
    index = FenceIndex([_circle(0.0, 89.95, 20_000)], hysteresis_m=30)
    assert _sides(index, 90.0, 89.99) == [INSIDE]
