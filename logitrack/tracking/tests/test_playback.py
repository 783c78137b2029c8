"""The history playback of a device's day (``map.history``, ``/operations/devices/<id>/
history/``): the local day in Asia/Ho_Chi_Minh, every fix judged plausible or not, totals of the
plausible track only, and the page with its data block and scripts."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in
from logitrack.tracking.geo.fixes import distance_m
from logitrack.tracking.map.history import device_day, local_day
from logitrack.tracking.models import Device, Position
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 2)
# 2 Nov 2026 00:00 in Hồ Chí Minh City is 1 Nov 17:00 UTC.
DAY_START = dt.datetime(2026, 11, 1, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
def manager() -> Membership:
    return make_member(make_tenant(), Role.DISPATCHER)


def _store(device: Device, rows: list[tuple[dt.datetime, float, float, float | None]]) -> None:
    Position.dangerously_unscoped.bulk_create(
        Position(
            tenant_id=device.tenant_id,
            device_id=device.pk,
            fix_time=at,
            server_time=at,
            latitude=lat,
            longitude=lon,
            speed=speed,
        )
        for at, lat, lon, speed in rows
    )


def _minutes(n: float) -> dt.datetime:
    return DAY_START + dt.timedelta(hours=8, minutes=n)  # 08:00 local onwards


def test_local_day_is_the_day_in_ho_chi_minh_city() -> None:
    assert local_day(DAY) == (DAY_START, DAY_START + dt.timedelta(days=1))


def test_day_totals_count_plausible_fixes_only(manager: Membership) -> None:
    device = make_device(manager, identifier="day-1").device
    _store(
        device,
        [
            (DAY_START - dt.timedelta(seconds=1), 10.70, 106.60, 0.0),  # the day before
            (_minutes(0), 10.80, 106.70, 0.0),
            (_minutes(1), 10.805, 106.70, 10.0),  # 553 m in a minute: 36 km/h reported
            (_minutes(2), 21.03, 105.85, 300.0),  # Hà Nội a minute later: impossible
            (_minutes(3), 10.81, 106.70, 10.0),
            (_minutes(13), 10.81, 106.70, 0.0),  # parked ten minutes
        ],
    )

    track = device_day(device=device, day=DAY)

    assert [p[5] for p in track.points] == [1, 1, 0, 1, 1]
    assert track.invalid == 1
    expected = distance_m(10.80, 106.70, 10.805, 106.70) + distance_m(10.805, 106.70, 10.81, 106.70)
    assert track.distance_m == pytest.approx(expected, abs=0.1)
    # 08:00-08:01 and 08:01-08:03 (across the refused fix) at 36 km/h; not the parked ten.
    assert track.moving_s == 180
    assert track.max_speed_kmh == 36.0  # the impossible fix's 1,080 km/h is not counted


def test_history_page_carries_the_day_and_its_scripts(
    client: HttpsClient, manager: Membership
) -> None:
    device = make_device(manager, identifier="day-page").device
    _store(device, [(_minutes(0), 10.80, 106.70, 0.0), (_minutes(1), 10.805, 106.70, 10.0)])
    sign_in(client, manager)

    response = client.get(f"/operations/devices/{device.pk}/history/", {"date": "2026-11-02"})
    page = response.content.decode()
    config = json.loads(page.split('id="history-config" type="application/json">')[1].split("<")[0])

    assert response.status_code == 200
    assert [p[1:3] for p in config["points"]] == [[10.80, 106.70], [10.805, 106.70]]
    assert config["start"] == "2026-11-01T17:00:00+00:00"
    assert config["trips_url"] == "/api/v1/devices/day-page/trips"
    assert "tracking/map/history.js" in page
    assert "2 điểm hợp lệ" in page


def test_history_page_reads_an_unreadable_day_as_today(
    client: HttpsClient, manager: Membership
) -> None:
    device = make_device(manager, identifier="day-bad").device
    sign_in(client, manager)

    response = client.get(f"/operations/devices/{device.pk}/history/", {"date": "02/11/2026"})

    assert response.status_code == 200
    assert "Không đọc được ngày này" in response.content.decode()


def test_history_page_of_another_tenants_device_is_not_found(
    client: HttpsClient, manager: Membership
) -> None:
    theirs = make_device(make_member(make_tenant(), Role.DISPATCHER), identifier="day-x").device
    sign_in(client, manager)

    assert client.get(f"/operations/devices/{theirs.pk}/history/").status_code == 404
