"""Geofence geometry (``geo.geofences``): GeoJSON Polygons and circles checked and measured,
KML and FeatureCollection imports all or nothing, each refusal with its code and place."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from django.test import override_settings

from logitrack.tracking.geo import geofences as g

SQUARE = [[106.0, 10.0], [106.01, 10.0], [106.01, 10.01], [106.0, 10.01], [106.0, 10.0]]


def feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": {"name": "Kho", **properties}}


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def test_a_polygon_gets_its_geodesic_area_and_bbox() -> None:
    parsed = g.parse_feature(feature(polygon(SQUARE), site_kind="hub", site_name="Hub Thủ Đức"))

    shape = parsed.shape
    assert shape.shape == "polygon"
    # 0.01° x 0.01° at 10° N: 1,094.5 m (longitude) x 1,105.9 m (latitude) on WGS 84.
    assert shape.area_m2 == pytest.approx(1_210_400, rel=2e-3)
    assert (shape.min_longitude, shape.min_latitude) == (106.0, 10.0)
    assert (shape.max_longitude, shape.max_latitude) == (106.01, 10.01)
    assert (parsed.site_kind, parsed.site_name) == ("hub", "Hub Thủ Đức")


def test_a_clockwise_ring_is_stored_counter_clockwise_and_holes_are_kept() -> None:
    hole = [[106.004, 10.004], [106.006, 10.004], [106.006, 10.006], [106.004, 10.006]]
    hole.append(hole[0])

    shape = g.parse_feature(feature(polygon(SQUARE[::-1], hole))).shape

    outer = shape.geometry["coordinates"][0]
    signed = sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(outer))
    assert signed > 0  # counter-clockwise (RFC 7946 §3.1.6)
    assert len(shape.geometry["coordinates"]) == 2
    full = g.parse_feature(feature(polygon(SQUARE))).shape.area_m2
    assert shape.area_m2 == pytest.approx(full * (1 - 0.04), rel=1e-3)


def test_a_self_intersecting_polygon_is_refused_with_where_it_crosses() -> None:
    bow_tie = [[106.0, 10.0], [106.01, 10.01], [106.01, 10.0], [106.0, 10.01], [106.0, 10.0]]

    with pytest.raises(g.GeofenceSelfIntersecting) as caught:
        g.parse_feature(feature(polygon(bow_tie)))

    assert caught.value.code == "geofence_self_intersecting"
    assert "106.005" in caught.value.where
    assert "10.005" in caught.value.where


@override_settings(LOGITRACK_GEOFENCE_MAX_AREA_KM2=1)
def test_a_polygon_over_the_area_limit_is_refused() -> None:
    with pytest.raises(g.GeofenceTooLarge) as caught:
        g.parse_feature(feature(polygon(SQUARE)))  # 1.21 km²

    assert caught.value.code == "geofence_too_large"
    small = [[106.0, 10.0], [106.005, 10.0], [106.005, 10.005], [106.0, 10.005], [106.0, 10.0]]
    assert g.parse_feature(feature(polygon(small))).shape.area_m2 < 1e6


@pytest.mark.parametrize(
    ("rings", "error", "where"),
    [
        ([SQUARE[:-1]], g.GeofenceRingNotClosed, "coordinates[0]"),
        ([[SQUARE[0], SQUARE[1], SQUARE[0]]], g.GeofenceRingTooShort, "coordinates[0]"),
        ([[[190.0, 10.0], *SQUARE[1:]]], g.GeofenceOutOfRange, "coordinates[0][0]"),
        ([[[106.0, 91.0], *SQUARE[1:]]], g.GeofenceOutOfRange, "coordinates[0][0]"),
        ([[[106.0, "10"], *SQUARE[1:]]], g.GeofenceGeometryError, "coordinates[0][0]"),
        ([], g.GeofenceGeometryError, "coordinates"),
    ],
)
def test_bad_rings_are_refused_with_their_place(
    rings: list[Any], error: type[g.GeofenceGeometryError], where: str
) -> None:
    with pytest.raises(error) as caught:
        g.parse_feature(feature(polygon(*rings)))

    assert type(caught.value) is error
    assert caught.value.where == where


def test_a_circle_has_its_radius_area_and_a_geodesic_bbox() -> None:
    shape = g.parse_feature(
        feature({"type": "Point", "coordinates": [106.7, 10.8]}, radius=500)
    ).shape

    assert (shape.shape, shape.radius_m) == ("circle", 500.0)
    assert shape.area_m2 == pytest.approx(math.pi * 500**2)
    # 500 m north of 10.8° N is 0.004521° of latitude; east, 0.004573° of longitude.
    assert shape.max_latitude - 10.8 == pytest.approx(0.004521, abs=2e-6)
    assert shape.max_longitude - 106.7 == pytest.approx(0.004573, abs=2e-6)


@pytest.mark.parametrize("radius", [None, 0, -5, 50_001, "100", True, float("nan")])
def test_a_circle_needs_a_radius_above_zero_and_within_the_limit(radius: Any) -> None:
    with pytest.raises(g.GeofenceRadiusInvalid):
        g.parse_feature(feature({"type": "Point", "coordinates": [106.7, 10.8]}, radius=radius))


@pytest.mark.parametrize(
    "value",
    [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}},
        {"type": "FeatureCollection", "features": []},
        {"type": "Feature", "geometry": None},
        [],
    ],
)
def test_anything_but_a_polygon_or_point_feature_is_refused(value: Any) -> None:
    with pytest.raises(g.GeofenceUnsupported):
        g.parse_feature(value)


def test_a_feature_collection_is_all_or_nothing_naming_each_refused_feature() -> None:
    bow_tie = [[106.0, 10.0], [106.01, 10.01], [106.01, 10.0], [106.0, 10.01], [106.0, 10.0]]
    good = feature(polygon(SQUARE))
    document = {
        "type": "FeatureCollection",
        "features": [good, feature(polygon(bow_tie)), good, feature({"type": "Point"})],
    }

    with pytest.raises(g.GeofenceImportRefused) as caught:
        g.parse_feature_collection(document)

    assert [(p.number, p.code) for p in caught.value.problems] == [
        (2, "geofence_self_intersecting"),
        (4, "geofence_geometry_invalid"),
    ]
    assert len(g.parse_feature_collection({**document, "features": [good, good]})) == 2


KML = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
 <Placemark><name>Kho T\xc3\xa2n B\xc3\xacnh</name>
  <ExtendedData><Data name="site_kind"><value>warehouse</value></Data></ExtendedData>
  <Polygon><outerBoundaryIs><LinearRing><coordinates>
   106.0,10.0,0 106.01,10.0,0 106.01,10.01,0 106.0,10.01,0 106.0,10.0,0
  </coordinates></LinearRing></outerBoundaryIs>
  <innerBoundaryIs><LinearRing><coordinates>
   106.004,10.004 106.006,10.004 106.006,10.006 106.004,10.006 106.004,10.004
  </coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark>
 <Placemark><name>Hub</name>
  <ExtendedData><Data name="radius"><value>250</value></Data></ExtendedData>
  <Point><coordinates>106.7,10.8</coordinates></Point></Placemark>
</Document></kml>"""


def test_kml_placemarks_become_polygons_with_holes_and_circles() -> None:
    parsed = g.parse_kml(KML)

    assert [(p.name, p.shape.shape, p.site_kind) for p in parsed] == [
        ("Kho Tân Bình", "polygon", "warehouse"),
        ("Hub", "circle", "other"),
    ]
    assert len(parsed[0].shape.geometry["coordinates"]) == 2
    assert parsed[1].shape.radius_m == 250.0


def test_a_kml_point_without_a_radius_refuses_the_whole_file() -> None:
    without = KML.replace(b'<Data name="radius"><value>250</value></Data>', b"")

    with pytest.raises(g.GeofenceImportRefused) as caught:
        g.parse_kml(without)

    assert [(p.number, p.code) for p in caught.value.problems] == [(2, "geofence_radius_invalid")]


def test_kml_with_entity_expansion_is_refused_unparsed() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><kml><Placemark><name>&b;</name>'
        b"</Placemark></kml>"
    )

    with pytest.raises(g.GeofenceImportInvalid):
        g.parse_kml(bomb)
    with pytest.raises(g.GeofenceImportInvalid):
        g.parse_kml(b"not xml")
