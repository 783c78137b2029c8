"""Who was near a place at a time (``geo.near``, ``GET /api/v1/positions/near``): plausible
fixes of the tenant's devices within the radius and the window, each device once with its first
and last fix there and its closest distance; bounded radius and window, clear 422s."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for, sign_in
from logitrack.tracking.geo.fixes import distance_m
from logitrack.tracking.geo.near import NearRadiusInvalid, NearWindowInvalid, positions_near
from logitrack.tracking.models import Device, Position
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
HUB = (10.8000, 106.7000)  # a point in Thủ Đức


@pytest.fixture
def manager() -> Membership:
    return make_member(make_tenant(), Role.DISPATCHER)


def _track(device: Device, points: list[tuple[int, float, float]], *, valid: bool = True) -> None:
    """Positions at ``T0 + minutes`` with the given coordinates."""
    Position.dangerously_unscoped.bulk_create(
        Position(
            tenant_id=device.tenant_id,
            device_id=device.pk,
            fix_time=T0 + dt.timedelta(minutes=minutes),
            server_time=T0,
            latitude=lat,
            longitude=lon,
            valid=valid,
        )
        for minutes, lat, lon in points
    )


def _near(
    manager: Membership,
    radius_m: float = 300,
    start: dt.datetime = T0,
    end: dt.datetime = T0 + dt.timedelta(hours=2),
) -> dict[str, object]:
    with tenant_context(manager.tenant):
        found = positions_near(
            principal=principal_for(manager),
            latitude=HUB[0],
            longitude=HUB[1],
            radius_m=radius_m,
            start=start,
            end=end,
        )
    return {item.identifier: item for item in found}


def test_near_finds_the_device_that_passed_within_the_radius(manager: Membership) -> None:
    passing = make_device(manager, identifier="near-passing").device
    # ~1.1 km south, then ~110 m and ~55 m from the hub, then away again (every 5 minutes).
    _track(
        passing,
        [(0, 10.790, 106.700), (5, 10.799, 106.700), (10, 10.7995, 106.700), (15, 10.790, 106.700)],
    )

    found = _near(manager)

    item = found["near-passing"]
    assert item.first_fix_time == T0 + dt.timedelta(minutes=5)  # type: ignore[attr-defined]
    assert item.last_fix_time == T0 + dt.timedelta(minutes=10)  # type: ignore[attr-defined]
    assert item.closest_m == pytest.approx(  # type: ignore[attr-defined]
        distance_m(HUB[0], HUB[1], 10.7995, 106.700), abs=0.1
    )
    assert item.fixes == 2  # type: ignore[attr-defined]


def test_near_leaves_out_devices_outside_the_radius_the_window_or_the_tenant(
    manager: Membership,
) -> None:
    far = make_device(manager, identifier="near-far").device
    late = make_device(manager, identifier="near-late").device
    other = make_member(make_tenant(), Role.DISPATCHER)
    theirs = make_device(other, identifier="near-theirs").device
    _track(far, [(0, 10.8040, 106.700)])  # ~442 m north: inside the box, outside 300 m
    _track(late, [(180, 10.8000, 106.700)])  # at the hub, an hour after the window
    _track(theirs, [(10, 10.8000, 106.700)])  # at the hub, another company's

    assert _near(manager) == {}


def test_near_counts_only_plausible_fixes(manager: Membership) -> None:
    jumper = make_device(manager, identifier="near-jumper").device
    flagged = make_device(manager, identifier="near-flagged").device
    # Hà Nội, then "at the hub" one minute later (1,100 km in a minute), then Hà Nội again.
    _track(jumper, [(0, 21.03, 105.85), (1, 10.8000, 106.700), (2, 21.03, 105.85)])
    _track(flagged, [(5, 10.8000, 106.700)], valid=False)  # the device said: no fix

    assert _near(manager) == {}


def test_near_refuses_a_radius_over_5_km_or_a_window_over_24_hours(manager: Membership) -> None:
    with pytest.raises(NearRadiusInvalid):
        _near(manager, radius_m=5001)
    with pytest.raises(NearWindowInvalid):
        _near(manager, end=T0 + dt.timedelta(hours=24, seconds=1))
    with pytest.raises(NearWindowInvalid):
        _near(manager, start=T0, end=T0)
    assert _near(manager, radius_m=5000, end=T0 + dt.timedelta(hours=24)) == {}


def test_near_api_lists_devices_and_answers_422_with_a_code(
    client: HttpsClient, manager: Membership
) -> None:
    device = make_device(manager, identifier="near-api").device
    _track(device, [(5, 10.8001, 106.7001)])
    sign_in(client, manager)
    query: dict[str, Any] = {
        "latitude": HUB[0],
        "longitude": HUB[1],
        "radius_m": 200,
        "start": "2026-11-02T08:00:00+07:00",
        "end": "2026-11-02T09:00:00+07:00",
    }

    body = client.get("/api/v1/positions/near", query).json()
    too_wide = client.get("/api/v1/positions/near", {**query, "radius_m": 6000})
    too_long = client.get("/api/v1/positions/near", {**query, "end": "2026-11-03T09:00:01+07:00"})
    off_map = client.get("/api/v1/positions/near", {**query, "latitude": 91})
    naive = client.get("/api/v1/positions/near", {**query, "start": "2026-11-02T08:00:00"})

    assert [(d["identifier"], d["first_fix_time"]) for d in body["devices"]] == [
        ("near-api", "2026-11-02T01:05:00+00:00")
    ]
    assert body["devices"][0]["closest_m"] < 20
    assert too_wide.status_code == 422
    assert too_wide.json()["error"]["code"] == "near_radius_invalid"
    assert too_long.json()["error"]["code"] == "near_window_invalid"
    assert off_map.json()["error"]["code"] == "near_point_invalid"
    assert naive.status_code == 422
