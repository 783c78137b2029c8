"""Attack probes on P5 (geofences, trips, reports, near, map): every request must answer with
a 4xx of the error envelope, never a 500 (an uncaught exception here)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
SQUARE = [[106.0, 10.0], [106.01, 10.0], [106.01, 10.01], [106.0, 10.01], [106.0, 10.0]]


def _dispatcher() -> tuple[HttpsClient, Membership]:
    membership = make_member(make_tenant(), Role.DISPATCHER)
    client = HttpsClient()
    sign_in(client, membership)
    return client, membership


def _import(client: HttpsClient, data: bytes, name: str = "f.json") -> Any:
    return client.post(f"{V1}/geofences/import", {"file": SimpleUploadedFile(name, data)})


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# --- geofence import ---------------------------------------------------------------------


def test_import_of_deeply_nested_json_is_refused_not_500() -> None:
    client, _ = _dispatcher()
    response = _import(client, b"[" * 200_000 + b"]" * 200_000)
    assert response.status_code == 422, response.content


def test_import_of_deeply_nested_coordinates_is_refused_not_500() -> None:
    client, _ = _dispatcher()
    deep = "[" * 100_000 + "]" * 100_000
    body = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a"},'
        '"geometry":{"type":"Polygon","coordinates":' + deep + "}}]}"
    )
    response = _import(client, body.encode())
    assert response.status_code == 422, response.content


@pytest.mark.parametrize(
    "name", ["a\x00b", "\u202eevil", "a\x07b", "\ud800", " ", "x" * 101, "\ufeff"]
)
def test_import_with_hazardous_names_is_refused(name: str) -> None:
    client, _ = _dispatcher()
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            }
        ],
    }
    response = _import(client, json.dumps(doc).encode())
    assert response.status_code == 422, response.content


def test_kml_billion_laughs_is_refused() -> None:
    client, _ = _dispatcher()
    kml = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&lol2;</name></Placemark></kml>"""
    response = _import(client, kml, "f.kml")
    assert response.status_code == 422, response.content


def test_kml_external_entity_is_refused() -> None:
    client, _ = _dispatcher()
    kml = b"""<?xml version="1.0"?>
<!DOCTYPE k [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&xxe;</name></Placemark></kml>"""
    response = _import(client, kml, "f.kml")
    assert response.status_code == 422, response.content


@pytest.mark.parametrize(
    "coords",
    [
        "nan,nan 1,1 1,2 nan,nan",
        "inf,10 106,10 106,11 inf,10",
        "1e308,10 106,10 106,11 1e308,10",
        "106,10 106.01,10 106.01,10.01 106,10.01",
        "",
    ],
)
def test_kml_bad_coordinates_are_refused(coords: str) -> None:
    client, _ = _dispatcher()
    kml = (
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>A</name><Polygon>'
        f"<outerBoundaryIs><LinearRing><coordinates>{coords}</coordinates></LinearRing>"
        "</outerBoundaryIs></Polygon></Placemark></kml>"
    ).encode()
    response = _import(client, kml, "f.kml")
    assert response.status_code == 422, response.content


def test_kml_many_placemarks_is_refused() -> None:
    client, _ = _dispatcher()
    one = "<Placemark><name>p</name></Placemark>"
    kml = ('<kml xmlns="http://www.opengis.net/kml/2.2">' + one * 100_000 + "</kml>").encode()
    response = _import(client, kml, "f.kml")
    assert response.status_code == 422, response.content


# --- geofence create ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("geometry", "radius"),
    [
        ({"type": "Point", "coordinates": [106.0, 10.0]}, 1e12),
        ({"type": "Point", "coordinates": [106.0, 10.0]}, -5),
        ({"type": "Point", "coordinates": [106.0, 10.0]}, "abc"),
        ({"type": "Point", "coordinates": [106.0, 10.0]}, None),
        ({"type": "Point", "coordinates": [1e308, 10.0]}, 100),
        ({"type": "Point", "coordinates": [106.0]}, 100),
        ({"type": "Polygon", "coordinates": [SQUARE[:-1]]}, None),
        (
            {
                "type": "Polygon",
                "coordinates": [[[179.0, 0], [-179.0, 0], [-179.0, 1], [179.0, 1], [179.0, 0]]],
            },
            None,
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0]] * 10_001]}, None),
        ({"type": "Polygon", "coordinates": []}, None),
        ({"type": "Polygon", "coordinates": [[]]}, None),
    ],
)
def test_bad_geometries_are_refused(geometry: dict[str, Any], radius: Any) -> None:
    client, _ = _dispatcher()
    properties: dict[str, Any] = {"name": "A"}
    if radius is not None:
        properties["radius"] = radius
    body = {"type": "Feature", "geometry": geometry, "properties": properties}
    response = client.post(f"{V1}/geofences", body, content_type="application/json")
    assert response.status_code == 422, response.content


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_json_numbers_are_refused(raw: str) -> None:
    client, _ = _dispatcher()
    body = (
        '{"type":"Feature","properties":{"name":"A","radius":100},'
        '"geometry":{"type":"Point","coordinates":[' + raw + ",10]}}"
    )
    response = client.post(f"{V1}/geofences", body, content_type="application/json")
    assert response.status_code in (400, 422), response.content


def test_name_with_nul_is_refused() -> None:
    client, _ = _dispatcher()
    body = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        "properties": {"name": "a\x00b"},
    }
    response = client.post(f"{V1}/geofences", body, content_type="application/json")
    assert response.status_code == 422, response.content


# --- time windows ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cursor",
    [
        "gfe|0001-01-01T00:00:00+14:00|1",
        "gfe|9999-12-31T23:59:59-14:00|1",
    ],
)
def test_event_cursor_at_the_ends_of_time_is_refused(cursor: str) -> None:
    client, _ = _dispatcher()
    response = client.get(f"{V1}/geofence-events", {"cursor": _cursor(cursor)})
    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("0001-01-01T00:00:00+14:00", "0001-01-02T00:00:00+14:00"),
        ("9999-12-31T00:00:00-14:00", "9999-12-31T01:00:00-14:00"),
    ],
)
def test_event_range_at_the_ends_of_time(start: str, end: str) -> None:
    client, _ = _dispatcher()
    response = client.get(f"{V1}/geofence-events", {"start": start, "end": end})
    assert response.status_code in (200, 400, 422), response.content


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-31T12:00:00+00:00", "9999-12-31T13:00:00+00:00"),
        ("0001-01-01T00:00:00+00:00", "0001-01-01T01:00:00+00:00"),
        ("0001-01-01T00:00:00+14:00", "0001-01-01T01:00:00+14:00"),
    ],
)
def test_near_window_at_the_ends_of_time(start: str, end: str) -> None:
    client, _ = _dispatcher()
    response = client.get(
        f"{V1}/positions/near",
        {"latitude": "10", "longitude": "106", "radius_m": "100", "start": start, "end": end},
    )
    assert response.status_code in (200, 400, 422), response.content


@pytest.mark.parametrize(
    ("lat", "lon", "radius"),
    [
        (91, 106, 100),
        (10, 106, 0),
        (10, 106, -1),
        (10, 106, "NaN"),
        ("NaN", 106, 10),
        (10, 106, "inf"),
    ],
)
def test_near_bad_point_or_radius(lat: Any, lon: Any, radius: Any) -> None:
    client, _ = _dispatcher()
    query: dict[str, Any] = {
        "latitude": lat,
        "longitude": lon,
        "radius_m": radius,
        "start": "2026-01-01T00:00:00+07:00",
        "end": "2026-01-01T01:00:00+07:00",
    }
    response = client.get(f"{V1}/positions/near", {k: str(v) for k, v in query.items()})
    assert response.status_code in (400, 422), response.content


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-31T12:00:00+00:00", "9999-12-31T13:00:00+00:00"),
        ("9999-12-31T12:00:00", "9999-12-31T13:00:00"),
        ("0001-01-01T00:00:00", "0001-01-01T01:00:00"),
        ("0001-01-01T00:00:00+14:00", "0001-01-01T01:00:00+14:00"),
        ("2026-01-02T00:00:00+07:00", "2026-01-01T00:00:00+07:00"),
        ("2026-02-30T00:00:00+07:00", "2026-03-01T00:00:00+07:00"),
        ("1700000000", "1700003600"),
    ],
)
def test_trips_window_at_the_ends_of_time(start: str, end: str) -> None:
    client, membership = _dispatcher()
    device = make_device(membership).device
    response = client.get(f"{V1}/devices/{device.identifier}/trips", {"start": start, "end": end})
    assert response.status_code in (200, 400, 422), response.content


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-31", "9999-12-31"),
        ("0001-01-01", "0001-01-01"),
        ("2026-02-30", "2026-03-01"),
        ("2026-03-02", "2026-03-01"),
        ("2026-01-01", "2026-12-31"),
    ],
)
def test_daily_report_range(start: str, end: str) -> None:
    client, _ = _dispatcher()
    response = client.get(f"{V1}/reports/daily", {"start": start, "end": end})
    assert response.status_code in (200, 400, 422), response.content
    csv = client.get("/operations/reports/daily.csv", {"start": start, "end": end})
    assert csv.status_code in (200, 302, 400, 404, 422), csv.content[:300]


@pytest.mark.parametrize("since", ["-1", "99999999999999999999", "abc", "0"])
def test_map_since(since: str) -> None:
    client, _ = _dispatcher()
    response = client.get(f"{V1}/map/devices", {"since": since})
    assert response.status_code in (200, 400, 422), response.content


@pytest.mark.parametrize(
    ("route", "start", "end"),
    [
        ("trips", "1700000000", "1700003600"),
        ("daily", "1700000000", "1700086400"),
    ],
)
def test_unix_timestamps_are_not_read_as_times(route: str, start: str, end: str) -> None:
    # core.schemas: every API date and time field is IsoDate or IsoDateTime; pydantic's lax
    # mode reads "1700000000" as a Unix timestamp, which the OpenAPI format forbids.
    client, membership = _dispatcher()
    device = make_device(membership).device
    url = f"{V1}/devices/{device.identifier}/trips" if route == "trips" else f"{V1}/reports/daily"
    response = client.get(url, {"start": start, "end": end})
    assert response.status_code == 422, response.content
