"""The geofence API: Features in and out, stable error codes (nothing stored on refusal), the
delete that deactivates, imports all or nothing, and the event list in fix-time order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in
from logitrack.tracking.models import Geofence, GeofenceEvent
from logitrack.tracking.tests.factories import make_device
from logitrack.tracking.tests.test_geofence_geometry import KML

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
SQUARE = [[106.0, 10.0], [106.01, 10.0], [106.01, 10.01], [106.0, 10.01], [106.0, 10.0]]
BOW_TIE = [[106.0, 10.0], [106.01, 10.01], [106.01, 10.0], [106.0, 10.01], [106.0, 10.0]]


def _dispatcher() -> tuple[HttpsClient, Membership]:
    membership = make_member(make_tenant(), Role.DISPATCHER)
    client = HttpsClient()
    sign_in(client, membership)
    return client, membership


def _feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"name": "Kho Tân Bình", **properties},
    }


def _post(client: HttpsClient, body: dict[str, Any]) -> Any:
    return client.post(f"{V1}/geofences", body, content_type="application/json")


def test_a_polygon_feature_is_stored_and_answered_as_a_feature() -> None:
    client, _ = _dispatcher()

    response = _post(
        client,
        _feature(
            {"type": "Polygon", "coordinates": [SQUARE]}, site_kind="warehouse", site_name="Kho 1"
        ),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "Feature"
    assert body["geometry"]["type"] == "Polygon"
    assert body["bbox"] == [106.0, 10.0, 106.01, 10.01]
    assert body["properties"]["site_kind"] == "warehouse"
    assert body["properties"]["area_m2"] == pytest.approx(1_210_400, rel=2e-3)
    assert client.get(f"{V1}/geofences/{body['id']}").json() == body
    listed = client.get(f"{V1}/geofences").json()
    assert listed["type"] == "FeatureCollection"
    assert [f["id"] for f in listed["features"]] == [body["id"]]


def test_a_point_with_a_radius_is_a_circle() -> None:
    client, _ = _dispatcher()

    response = _post(client, _feature({"type": "Point", "coordinates": [106.7, 10.8]}, radius=300))

    assert response.status_code == 201, response.content
    assert response.json()["properties"]["radius"] == 300.0
    assert Geofence.dangerously_unscoped.get().shape == "circle"


@pytest.mark.parametrize(
    ("geometry", "properties", "code"),
    [
        ({"type": "Polygon", "coordinates": [BOW_TIE]}, {}, "geofence_self_intersecting"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[105, 9], [108, 9], [108, 12], [105, 12], [105, 9]]],
            },
            {},
            "geofence_too_large",
        ),
        ({"type": "Point", "coordinates": [106.7, 10.8]}, {}, "geofence_radius_invalid"),
        ({"type": "Polygon", "coordinates": [SQUARE[:-1]]}, {}, "geofence_ring_not_closed"),
        ({"type": "LineString", "coordinates": SQUARE}, {}, "validation_error"),
        ({"type": "Polygon", "coordinates": [SQUARE]}, {"name": ""}, "geofence_invalid"),
        ({"type": "Polygon", "coordinates": [SQUARE]}, {"site_kind": "moon"}, "validation_error"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_nothing_is_stored(
    geometry: dict[str, Any], properties: dict[str, Any], code: str
) -> None:
    client, _ = _dispatcher()

    response = _post(client, _feature(geometry, **properties))

    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == code
    assert not Geofence.dangerously_unscoped.exists()


def test_the_self_intersection_error_says_where() -> None:
    client, _ = _dispatcher()

    error = _post(client, _feature({"type": "Polygon", "coordinates": [BOW_TIE]})).json()["error"]

    assert "106.005" in error["fields"][0]["field"]
    assert "106.005" in error["message"]


def test_a_name_taken_in_the_tenant_is_a_conflict() -> None:
    client, _ = _dispatcher()
    body = _feature({"type": "Polygon", "coordinates": [SQUARE]})
    assert _post(client, body).status_code == 201

    response = _post(client, body)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "geofence_name_taken"
    assert Geofence.dangerously_unscoped.count() == 1


def test_a_viewer_cannot_create() -> None:
    membership = make_member(make_tenant(), Role.VIEWER)
    client = HttpsClient()
    sign_in(client, membership)

    response = _post(client, _feature({"type": "Polygon", "coordinates": [SQUARE]}))

    assert response.status_code == 403
    assert not Geofence.dangerously_unscoped.exists()


def _event(fence_id: int, device_id: int, tenant_id: int, minute: int, **extra: Any) -> None:
    with tenant_context(tenant_id):
        GeofenceEvent.objects.create(
            device_id=device_id,
            geofence_id=fence_id,
            kind="enter" if minute % 2 == 0 else "exit",
            fix_time=timezone.now().replace(microsecond=0) + dt.timedelta(minutes=minute),
            latitude=10.005,
            longitude=106.005,
            **extra,
        )


def test_delete_removes_a_geofence_without_events_and_deactivates_one_with_events() -> None:
    client, membership = _dispatcher()
    device = make_device(membership).device
    plain = _post(client, _feature({"type": "Polygon", "coordinates": [SQUARE]})).json()["id"]
    used = _post(client, _feature({"type": "Polygon", "coordinates": [SQUARE]}, name="Hub")).json()[
        "id"
    ]
    _event(used, device.pk, membership.tenant_id, 0)

    assert client.delete(f"{V1}/geofences/{plain}").status_code == 204
    kept = client.delete(f"{V1}/geofences/{used}")

    assert kept.status_code == 200
    assert kept.json()["properties"]["active"] is False
    assert list(Geofence.dangerously_unscoped.values_list("pk", "active")) == [(used, False)]
    assert GeofenceEvent.dangerously_unscoped.count() == 1


def test_a_kml_file_imports_every_placemark() -> None:
    client, _ = _dispatcher()

    response = client.post(f"{V1}/geofences/import", {"file": SimpleUploadedFile("khu.kml", KML)})

    assert response.status_code == 201, response.content
    names = [f["properties"]["name"] for f in response.json()["features"]]
    assert names == ["Kho Tân Bình", "Hub"]


def test_an_import_with_one_bad_feature_imports_nothing_and_names_it() -> None:
    client, _ = _dispatcher()
    good = _feature({"type": "Polygon", "coordinates": [SQUARE]}, name="A")
    bad = _feature({"type": "Polygon", "coordinates": [BOW_TIE]}, name="B")
    document = b'{"type": "FeatureCollection", "features": [%s, %s]}' % (
        __import__("json").dumps(good).encode(),
        __import__("json").dumps(bad).encode(),
    )

    response = client.post(
        f"{V1}/geofences/import", {"file": SimpleUploadedFile("khu.kml", document)}
    )

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "geofence_import_refused"
    assert error["fields"] == [
        {
            "field": "item 2",
            "code": "geofence_self_intersecting",
            "message": error["fields"][0]["message"],
        }
    ]
    assert not Geofence.dangerously_unscoped.exists()


def test_events_are_listed_in_fix_time_order_by_device_with_pages() -> None:
    client, membership = _dispatcher()
    device = make_device(membership).device
    other = make_device(membership).device
    fence = _post(client, _feature({"type": "Polygon", "coordinates": [SQUARE]})).json()["id"]
    for minute in (3, 1, 0, 2):
        _event(fence, device.pk, membership.tenant_id, minute)
    _event(fence, other.pk, membership.tenant_id, 5)
    _event(fence, device.pk, membership.tenant_id, 4, retracted_at=timezone.now())

    first = client.get(f"{V1}/geofence-events", {"device": device.identifier, "limit": "3"}).json()
    second = client.get(
        f"{V1}/geofence-events",
        {"device": device.identifier, "limit": "3", "cursor": str(first["next_cursor"])},
    ).json()

    items = first["items"] + second["items"]
    assert [e["kind"] for e in items] == ["enter", "exit", "enter", "exit"]
    assert [e["fix_time"] for e in items] == sorted(e["fix_time"] for e in items)
    assert {e["device"] for e in items} == {device.identifier}
    assert second["next_cursor"] is None
    bad = client.get(f"{V1}/geofence-events", {"cursor": "nope"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "cursor_invalid"
    start = items[1]["fix_time"]
    ranged = client.get(
        f"{V1}/geofence-events", {"device": device.identifier, "start": start}
    ).json()
    assert len(ranged["items"]) == 3
