"""Geofence geometry: GeoJSON (RFC 7946) and KML input checked and measured before anything is
stored.

A geofence is a ``Polygon`` (exterior ring and holes, each closed, at least four positions,
``[longitude, latitude]`` in WGS 84 ranges, valid as OGC simple features: no self-intersection)
or a ``Point`` with ``properties.radius`` in metres (a circle). Rings are stored re-oriented to
RFC 7946's right-hand rule (exterior counter-clockwise); input of either winding is accepted, as
section 3.1.6 asks of parsers. Areas are geodesic on the WGS 84 ellipsoid
(``pyproj.Geod.geometry_area_perimeter``); a geofence larger than
``settings.LOGITRACK_GEOFENCE_MAX_AREA_KM2`` is refused. A circle's bounding box is its four
geodesic extremes (north, east, south, west of the centre at ``radius``).

Every refusal is a ``GeofenceGeometryError`` with a stable ``code`` and, in ``where``, the place
in the input it concerns (``coordinates[0][3]``, ``placemark 2``, the point of a
self-intersection), raised before anything is written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pyproj import Geod
from shapely import Polygon
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

from logitrack.tracking.errors import TrackingError

WGS84 = Geod(ellps="WGS84")
RADIUS_MAX_M = 50_000.0
NAME_MAX = 100
RING_POSITIONS_MAX = 10_000
IMPORT_FEATURES_MAX = 1_000
CIRCLE_BBOX_AZIMUTHS = (0.0, 90.0, 180.0, 270.0)  # north, east, south, west
POLAR_LATITUDE = 85.0  # no geofence reaches beyond (Web Mercator maps end at 85.05°)


class GeofenceGeometryError(TrackingError):
    code = "geofence_geometry_invalid"
    message = _("The geofence's geometry is not a valid GeoJSON Polygon or Point.")
    status = 422
    field = "geometry"

    def __init__(self, message: str | Promise | None = None, *, where: str = "") -> None:
        super().__init__(message)
        self.where = where

    def __str__(self) -> str:
        return f"{self.message} ({self.where})" if self.where else str(self.message)


class GeofenceRingNotClosed(GeofenceGeometryError):
    code = "geofence_ring_not_closed"
    message = _("Each ring of a polygon must end at the position it starts from.")


class GeofenceRingTooShort(GeofenceGeometryError):
    code = "geofence_ring_too_short"
    message = _("Each ring of a polygon needs at least four positions (a closed triangle).")


class GeofenceOutOfRange(GeofenceGeometryError):
    code = "geofence_coordinates_out_of_range"
    message = _("Positions are [longitude, latitude]: longitude -180 to 180, latitude -90 to 90.")


class GeofenceSelfIntersecting(GeofenceGeometryError):
    code = "geofence_self_intersecting"
    message = _("The polygon crosses itself; draw its edges so that none cross.")


class GeofenceTooLarge(GeofenceGeometryError):
    code = "geofence_too_large"
    message = _("The geofence is larger than this installation allows.")


class GeofenceRadiusInvalid(GeofenceGeometryError):
    code = "geofence_radius_invalid"
    message = _("A circle needs properties.radius in metres, more than 0 and at most 50,000.")
    field = "radius"


class GeofenceAcrossTheMapEdge(GeofenceGeometryError):
    code = "geofence_across_map_edge"
    message = _("A geofence may not cross the 180th meridian or come near a pole.")


class GeofenceUnsupported(GeofenceGeometryError):
    code = "geofence_geometry_unsupported"
    message = _("A geofence is a GeoJSON Feature with a Polygon, or a Point with a radius.")


class GeofenceImportInvalid(GeofenceGeometryError):
    code = "geofence_import_invalid"
    message = _("The file is neither a GeoJSON FeatureCollection nor a KML document.")
    field = "file"


@dataclass(frozen=True, slots=True)
class Shape:
    """A checked geofence geometry: ``geometry`` is the GeoJSON geometry to store."""

    shape: str  # "polygon" or "circle" (models.GeofenceShape)
    geometry: dict[str, Any]
    radius_m: float | None
    min_latitude: float
    min_longitude: float
    max_latitude: float
    max_longitude: float
    area_m2: float


@dataclass(frozen=True, slots=True)
class ParsedFeature:
    """A Feature's shape and the properties a geofence keeps (not yet cleaned as text)."""

    shape: Shape
    name: str
    site_kind: str
    site_name: str


def max_area_m2() -> float:
    return float(settings.LOGITRACK_GEOFENCE_MAX_AREA_KM2) * 1_000_000.0


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _position(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) not in (2, 3):
        raise GeofenceGeometryError(where=where)
    if not all(_number(v) for v in value):
        raise GeofenceGeometryError(where=where)
    lon, lat = float(value[0]), float(value[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise GeofenceOutOfRange(where=where)
    return lon, lat


def _ring(value: Any, where: str) -> list[tuple[float, float]]:
    if not isinstance(value, list) or len(value) > RING_POSITIONS_MAX:
        raise GeofenceGeometryError(where=where)
    positions = [_position(p, f"{where}[{i}]") for i, p in enumerate(value)]
    if len(positions) < 4:
        raise GeofenceRingTooShort(where=where)
    if positions[0] != positions[-1]:
        raise GeofenceRingNotClosed(where=where)
    return positions


def _too_large(area_m2: float) -> GeofenceTooLarge:
    return GeofenceTooLarge(
        _("The geofence covers %(area).1f km²; the limit is %(limit).0f km².")
        % {"area": area_m2 / 1e6, "limit": max_area_m2() / 1e6}
    )


def polygon_shape(coordinates: Any) -> Shape:
    """A checked polygon from GeoJSON ``Polygon`` coordinates (list of rings)."""
    if not isinstance(coordinates, list) or not coordinates:
        raise GeofenceGeometryError(where="coordinates")
    rings = [_ring(r, f"coordinates[{i}]") for i, r in enumerate(coordinates)]
    polygon = Polygon(rings[0], rings[1:])
    if not polygon.is_valid:
        reason = explain_validity(polygon)
        match = re.match(r"(.*)\[([-0-9.e]+) ([-0-9.e]+)\]$", reason)
        where = reason
        if match is not None:
            where = f"{match.group(1)} at [{match.group(2)}, {match.group(3)}]"
        if "intersection" in reason.lower():
            raise GeofenceSelfIntersecting(where=where)
        raise GeofenceGeometryError(
            _("The polygon is not valid: its rings overlap or a hole lies outside it."),
            where=where,
        )
    polygon = orient(polygon, sign=1.0)
    area, _perimeter = WGS84.geometry_area_perimeter(polygon)
    area_m2 = abs(float(area))
    if area_m2 > max_area_m2():
        raise _too_large(area_m2)
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    if max(abs(min_lat), abs(max_lat)) > POLAR_LATITUDE:
        raise GeofenceAcrossTheMapEdge(where="coordinates")
    geometry = {
        "type": "Polygon",
        "coordinates": [
            [list(p) for p in polygon.exterior.coords],
            *[[list(p) for p in ring.coords] for ring in polygon.interiors],
        ],
    }
    return Shape("polygon", geometry, None, min_lat, min_lon, max_lat, max_lon, area_m2)


def circle_shape(coordinates: Any, radius: Any) -> Shape:
    """A checked circle from GeoJSON ``Point`` coordinates and a radius in metres."""
    lon, lat = _position(coordinates, "coordinates")
    if not _number(radius) or not 0 < float(radius) <= RADIUS_MAX_M:
        raise GeofenceRadiusInvalid(where="properties.radius")
    radius_m = float(radius)
    area_m2 = math.pi * radius_m * radius_m
    if area_m2 > max_area_m2():
        raise _too_large(area_m2)
    lons, lats, _back = WGS84.fwd([lon] * 4, [lat] * 4, list(CIRCLE_BBOX_AZIMUTHS), [radius_m] * 4)
    north, east, south, west = zip(lons, lats, strict=True)
    # A circle whose east point wrapped west of its centre (or west point east of it) crosses
    # the 180th meridian; one whose north point is not north of its centre (or south point not
    # south) passes over a pole. Neither bounding box could hold it: refused, as polygons are.
    if east[0] < lon or west[0] > lon or north[1] <= lat or south[1] >= lat:
        raise GeofenceAcrossTheMapEdge(where="coordinates")
    if max(abs(value) for value in lats) > POLAR_LATITUDE:
        raise GeofenceAcrossTheMapEdge(where="coordinates")
    geometry = {"type": "Point", "coordinates": [lon, lat]}
    return Shape(
        "circle",
        geometry,
        radius_m,
        max(-90.0, min(lats)),
        max(-180.0, min(lons)),
        min(90.0, max(lats)),
        min(180.0, max(lons)),
        area_m2,
    )


def shape_of_geometry(geometry: Any, radius: Any = None) -> Shape:
    """A checked shape from a GeoJSON geometry object (``Polygon``, or ``Point`` + radius)."""
    if not isinstance(geometry, dict):
        raise GeofenceUnsupported(where="geometry")
    kind = geometry.get("type")
    if kind == "Polygon":
        return polygon_shape(geometry.get("coordinates"))
    if kind == "Point":
        return circle_shape(geometry.get("coordinates"), radius)
    raise GeofenceUnsupported(where="geometry.type")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_feature(feature: Any) -> ParsedFeature:
    """A GeoJSON Feature with a ``Polygon``, or a ``Point`` and ``properties.radius``."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise GeofenceUnsupported(where="type")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise GeofenceGeometryError(where="properties")
    shape = shape_of_geometry(feature.get("geometry"), properties.get("radius"))
    return ParsedFeature(
        shape=shape,
        name=_text(properties.get("name")),
        site_kind=_text(properties.get("site_kind")) or "other",
        site_name=_text(properties.get("site_name")),
    )


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One refused item of an import: its 1-based number, the error code and the message."""

    number: int
    code: str
    message: str


class GeofenceImportRefused(GeofenceGeometryError):
    """Some items of an import were refused; nothing was stored (all or nothing)."""

    code = "geofence_import_refused"
    message = _("Some geofences in the file are not valid; nothing was imported.")
    field = "file"

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        self.problems = list(problems)
        where = "; ".join(f"{p.number}: {p.code}" for p in self.problems[:20])
        super().__init__(where=where)


def _collect(items: Sequence[Any], parse: Any) -> list[ParsedFeature]:
    if not items:
        raise GeofenceImportInvalid(_("The file holds no geofence."))
    if len(items) > IMPORT_FEATURES_MAX:
        raise GeofenceImportInvalid(
            _("A file may hold at most %(most)d geofences.") % {"most": IMPORT_FEATURES_MAX}
        )
    parsed: list[ParsedFeature] = []
    problems: list[ImportProblem] = []
    for number, item in enumerate(items, start=1):
        try:
            parsed.append(parse(item))
        except GeofenceGeometryError as exc:
            problems.append(ImportProblem(number, exc.code, str(exc)))
    if problems:
        raise GeofenceImportRefused(problems)
    return parsed


def parse_feature_collection(document: Any) -> list[ParsedFeature]:
    """Every Feature of a GeoJSON FeatureCollection, or ``GeofenceImportRefused`` listing each
    refused one (by its 1-based number)."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise GeofenceImportInvalid()
    features = document.get("features")
    if not isinstance(features, list):
        raise GeofenceImportInvalid()
    return _collect(features, parse_feature)


# KML 2.2 (OGC 07-147r2): coordinates are "lon,lat[,alt]" tuples separated by whitespace.
_KML_NS = "{http://www.opengis.net/kml/2.2}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child.tag) == name]


def _descendants(element: Any, name: str) -> list[Any]:
    return [child for child in element.iter() if _local(child.tag) == name]


def _kml_coordinates(element: Any, where: str) -> list[list[float]]:
    texts = _descendants(element, "coordinates")
    if len(texts) != 1:
        raise GeofenceGeometryError(where=where)
    positions: list[list[float]] = []
    for index, item in enumerate((texts[0].text or "").split()):
        parts = item.split(",")
        try:
            numbers = [float(p) for p in parts]
        except ValueError as exc:
            raise GeofenceGeometryError(where=f"{where}[{index}]") from exc
        if len(numbers) not in (2, 3):
            raise GeofenceGeometryError(where=f"{where}[{index}]")
        positions.append(numbers[:2])
    return positions


def _kml_extended(placemark: Any) -> dict[str, str]:
    values: dict[str, str] = {}
    for data in _descendants(placemark, "Data"):
        value = _children(data, "value")
        if data.get("name") and value:
            values[str(data.get("name"))] = (value[0].text or "").strip()
    for simple in _descendants(placemark, "SimpleData"):
        if simple.get("name"):
            values[str(simple.get("name"))] = (simple.text or "").strip()
    return values


def _kml_placemark(placemark: Any) -> ParsedFeature:
    names = _children(placemark, "name")
    extended = _kml_extended(placemark)
    polygons = _descendants(placemark, "Polygon")
    points = _descendants(placemark, "Point")
    if len(polygons) + len(points) != 1:
        raise GeofenceUnsupported(where="Placemark")
    if polygons:
        outer = _descendants(polygons[0], "outerBoundaryIs")
        if len(outer) != 1:
            raise GeofenceGeometryError(where="outerBoundaryIs")
        rings = [_kml_coordinates(outer[0], "outerBoundaryIs")]
        for index, inner in enumerate(_descendants(polygons[0], "innerBoundaryIs")):
            rings.append(_kml_coordinates(inner, f"innerBoundaryIs[{index}]"))
        shape = polygon_shape(rings)
    else:
        coordinates = _kml_coordinates(points[0], "Point")
        if len(coordinates) != 1:
            raise GeofenceGeometryError(where="Point")
        radius: Any = None
        try:
            radius = float(extended.get("radius", ""))
        except ValueError:
            radius = None
        shape = circle_shape(coordinates[0], radius)
    return ParsedFeature(
        shape=shape,
        name=(names[0].text or "").strip() if names else "",
        site_kind=extended.get("site_kind", "") or "other",
        site_name=extended.get("site_name", ""),
    )


def parse_kml(data: bytes) -> list[ParsedFeature]:
    """Every Placemark of a KML document (Polygon with outer and inner boundaries, or Point
    with ``radius`` in its ExtendedData), all or nothing. Parsed with defusedxml: entity
    expansion and external references are refused."""
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:
        raise GeofenceImportInvalid() from exc
    if _local(root.tag) != "kml":
        raise GeofenceImportInvalid()
    return _collect(_descendants(root, "Placemark"), _kml_placemark)
