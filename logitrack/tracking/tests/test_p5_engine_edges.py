"""Attack probes on geofence geometry at the map's edges: a circle across the 180th meridian
or near a pole could be held by no bounding box (the engine missed points inside it), so such
geofences are refused with a clear error, as polygons across the antimeridian already were."""

from __future__ import annotations

import pytest

from logitrack.tracking.geo.geofences import (
    GeofenceAcrossTheMapEdge,
    circle_shape,
    polygon_shape,
)


@pytest.mark.parametrize(
    ("centre", "radius"),
    [
        ([179.9, 0.0], 20_000),  # reaches 179.92 W
        ([-179.99, 10.0], 5_000),  # reaches 179.96 E
        ([0.0, 89.95], 20_000),  # passes over the North Pole
        ([45.0, -84.99], 5_000),  # reaches 85.03 S
    ],
)
def test_a_circle_across_the_antimeridian_or_near_a_pole_is_refused(
    centre: list[float], radius: float
) -> None:
    with pytest.raises(GeofenceAcrossTheMapEdge):
        circle_shape(centre, radius)


def test_a_circle_just_inside_the_edges_is_accepted_with_its_bounding_box() -> None:
    shape = circle_shape([179.7, 0.0], 20_000)

    assert -180 < shape.min_longitude < 179.7 < shape.max_longitude < 180


def test_a_polygon_near_a_pole_is_refused() -> None:
    ring = [[10.0, 86.0], [11.0, 86.0], [11.0, 86.5], [10.0, 86.5], [10.0, 86.0]]

    with pytest.raises(GeofenceAcrossTheMapEdge):
        polygon_shape([ring])
