"""The live map's data (``map.selectors``, ``GET /api/v1/map/devices``) and its page: every
device of the tenant with a position, its state and assignment, only the tenant's own, and with
``since`` only what changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for, sign_in
from logitrack.tracking.map import selectors
from logitrack.tracking.map.api import CURSOR_OVERLAP, cursor_of
from logitrack.tracking.models import (
    Device,
    DeviceAssignment,
    DeviceLatest,
    Driver,
    TenantDeviceSettings,
    Vehicle,
)
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def manager() -> Membership:
    return make_member(make_tenant(), Role.DISPATCHER)


def _latest(
    device: Device,
    *,
    seen: dt.datetime,
    speed: float | None = 0.0,
    lat: float = 10.77,
    lon: float = 106.70,
    arrived: dt.datetime | None = None,
) -> None:
    Device.dangerously_unscoped.filter(pk=device.pk).update(last_seen_at=seen)
    DeviceLatest.dangerously_unscoped.update_or_create(
        device_id=device.pk,
        defaults={
            "tenant_id": device.tenant_id,
            "fix_time": seen,
            "server_time": arrived or seen,
            "latitude": lat,
            "longitude": lon,
            "speed": speed,
            "course": 90.4,
            "battery": 77.6,
        },
    )


def _assign_vehicle(manager: Membership, device: Device, plate: str) -> Vehicle:
    with tenant_context(manager.tenant):
        vehicle: Vehicle = Vehicle.objects.create(plate=plate)
        DeviceAssignment.objects.create(
            device=device, target="vehicle", vehicle=vehicle, started_at=NOW - dt.timedelta(days=1)
        )
    return vehicle


def _rows(manager: Membership, since: dt.datetime | None = None) -> dict[str, dict[str, object]]:
    with tenant_context(manager.tenant):
        rows = selectors.map_devices(principal=principal_for(manager), now=NOW, since=since)
    return {row.identifier: row._asdict() for row in rows}


def test_map_rows_carry_state_and_the_open_assignment(manager: Membership) -> None:
    moving = make_device(manager, identifier="map-moving").device
    parked = make_device(manager, identifier="map-parked").device
    silent = make_device(manager, identifier="map-silent").device
    make_device(manager, identifier="map-never")  # no position: not on the map
    _latest(moving, seen=NOW - dt.timedelta(seconds=30), speed=10.0)  # 36 km/h
    _latest(parked, seen=NOW - dt.timedelta(seconds=30), speed=1.0)  # 3.6 km/h < 5 km/h
    _latest(silent, seen=NOW - dt.timedelta(minutes=11), speed=10.0)  # past the 10 min window
    vehicle = _assign_vehicle(manager, moving, "51C-123.45")
    with tenant_context(manager.tenant):
        driver = Driver.objects.create(full_name="Nguyễn Văn Tài")
        DeviceAssignment.objects.create(device=parked, target="driver", driver=driver)

    rows = _rows(manager)

    assert sorted(rows) == ["map-moving", "map-parked", "map-silent"]
    assert rows["map-moving"]["online"] is True
    assert rows["map-moving"]["moving"] is True
    assert rows["map-moving"]["speed_kmh"] == 36.0
    assert rows["map-moving"]["course"] == 90
    assert rows["map-moving"]["battery"] == 78
    assert rows["map-moving"]["plate"] == "51C-123.45"
    assert rows["map-moving"]["vehicle_id"] == vehicle.pk
    assert rows["map-parked"]["moving"] is False
    assert rows["map-parked"]["driver"] == "Nguyễn Văn Tài"
    assert rows["map-parked"]["plate"] is None
    assert rows["map-silent"]["online"] is False
    with tenant_context(manager.tenant):
        assert selectors.devices_without_position(principal=principal_for(manager)) == 1


def test_map_moving_threshold_is_the_tenant_setting(manager: Membership) -> None:
    device = make_device(manager, identifier="map-threshold").device
    _latest(device, seen=NOW, speed=10 / 3.6)  # 10 km/h
    with tenant_context(manager.tenant):
        TenantDeviceSettings.objects.create(trip_min_speed_kmh=12)

    assert _rows(manager)["map-threshold"]["moving"] is False


def test_map_rows_never_include_another_tenant(manager: Membership) -> None:
    other = make_member(make_tenant(), Role.DISPATCHER)
    mine = make_device(manager, identifier="map-mine").device
    theirs = make_device(other, identifier="map-theirs").device
    _latest(mine, seen=NOW)
    _latest(theirs, seen=NOW)

    assert sorted(_rows(manager)) == ["map-mine"]


def test_map_rows_since_are_only_the_changed_devices(manager: Membership) -> None:
    old = make_device(manager, identifier="map-old").device
    fresh = make_device(manager, identifier="map-fresh").device
    reassigned = make_device(manager, identifier="map-reassigned").device
    _latest(old, seen=NOW - dt.timedelta(minutes=5))
    _latest(fresh, seen=NOW - dt.timedelta(seconds=5))
    _latest(reassigned, seen=NOW - dt.timedelta(minutes=5))
    with tenant_context(manager.tenant):
        vehicle = Vehicle.objects.create(plate="29H-555.66")
        DeviceAssignment.objects.create(
            device=reassigned, target="vehicle", vehicle=vehicle, started_at=NOW
        )

    rows = _rows(manager, since=NOW - dt.timedelta(minutes=1))

    assert sorted(rows) == ["map-fresh", "map-reassigned"]
    assert rows["map-reassigned"]["plate"] == "29H-555.66"


def test_map_rows_need_operations_view() -> None:
    viewer = make_member(make_tenant(), Role.DRIVER)
    device = make_device(make_member(viewer.tenant, Role.DISPATCHER), identifier="map-acct").device
    _latest(device, seen=NOW)

    assert _rows(viewer) == {}


def test_map_api_answers_a_snapshot_then_changes_since_its_cursor(
    client: HttpsClient, manager: Membership
) -> None:
    now = timezone.now()
    first = make_device(manager, identifier="api-first").device
    second = make_device(manager, identifier="api-second").device
    _latest(first, seen=now - dt.timedelta(minutes=3))
    _latest(second, seen=now - dt.timedelta(minutes=3))
    sign_in(client, manager)

    snapshot = client.get("/api/v1/map/devices").json()
    assert snapshot["full"] is True
    assert snapshot["fields"][:2] == ["id", "identifier"]
    assert [row[1] for row in snapshot["devices"]] == ["api-first", "api-second"]
    assert snapshot["without_position"] == 0
    assert snapshot["cursor"] <= cursor_of(now + dt.timedelta(seconds=60) - CURSOR_OVERLAP)

    _latest(second, seen=timezone.now(), lat=10.8)
    delta = client.get("/api/v1/map/devices", {"since": snapshot["cursor"]}).json()

    assert delta["full"] is False
    assert [(row[1], row[5]) for row in delta["devices"]] == [("api-second", 10.8)]


def test_map_api_refuses_a_cursor_that_is_not_one(client: HttpsClient, manager: Membership) -> None:
    sign_in(client, manager)

    response = client.get("/api/v1/map/devices", {"since": "yesterday"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_live_map_page_loads_leaflet_and_markercluster_with_the_nonce(
    client: HttpsClient, manager: Membership
) -> None:
    sign_in(client, manager)

    response = client.get("/operations/map/")
    page = response.content.decode()

    assert response.status_code == 200
    nonce = response.wsgi_request.csp_nonce  # type: ignore[attr-defined]
    for script in (
        "leaflet/leaflet.js",
        "leaflet.markercluster/leaflet.markercluster-src.js",
        "tracking/map/live.js",
    ):
        assert f'src="/static/{script}" nonce="{nonce}"' in page
    assert 'id="map-config" type="application/json"' in page
    assert "Bản đồ trực tiếp" in page  # the operations tab, in Vietnamese
    assert " on" + "click=" not in page
