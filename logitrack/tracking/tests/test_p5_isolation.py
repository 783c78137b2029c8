"""Attack probes: another tenant's ids on the P5 routes answer 404 or nothing of theirs."""

from __future__ import annotations

import pytest

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
SQUARE = [[106.0, 10.0], [106.01, 10.0], [106.01, 10.01], [106.0, 10.01], [106.0, 10.0]]


def _client(role: Role = Role.DISPATCHER):  # type: ignore[no-untyped-def]
    membership = make_member(make_tenant(), role)
    client = HttpsClient()
    sign_in(client, membership)
    return client, membership


def test_other_tenants_ids_are_not_found() -> None:
    a, a_member = _client()
    b, b_member = _client()
    a_device = make_device(a_member).device
    b_device = make_device(b_member).device
    body = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        "properties": {"name": "Kho"},
    }
    fence = a.post(f"{V1}/geofences", body, content_type="application/json").json()
    # the same name in another tenant is not "taken"
    assert b.post(f"{V1}/geofences", body, content_type="application/json").status_code == 201
    assert b.get(f"{V1}/geofences/{fence['id']}").status_code == 404
    assert b.delete(f"{V1}/geofences/{fence['id']}").status_code == 404
    assert [f["id"] for f in b.get(f"{V1}/geofences").json()["features"]] != [fence["id"]]
    events = b.get(f"{V1}/geofence-events", {"device": a_device.identifier})
    assert events.status_code in (200, 404)
    if events.status_code == 200:
        assert events.json()["items"] == []
    trips = b.get(
        f"{V1}/devices/{a_device.identifier}/trips",
        {"start": "2026-01-01T00:00:00+07:00", "end": "2026-01-02T00:00:00+07:00"},
    )
    assert trips.status_code == 404
    daily = b.get(
        f"{V1}/reports/daily",
        {"start": "2026-01-01", "end": "2026-01-02", "device": a_device.identifier},
    )
    assert daily.status_code == 404
    csv = b.get(
        "/operations/reports/daily.csv",
        {"start": "2026-01-01", "end": "2026-01-02", "device": a_device.pk},
    )
    assert csv.status_code == 400
    assert a_device.identifier not in b.get(f"{V1}/map/devices").content.decode()
    assert b_device.identifier not in a.get(f"{V1}/map/devices").content.decode()
