"""A device's position history as the page and the exports read it (``selectors``): only that
device's rows of that tenant, only the range, in order, each column where it belongs and speed
in km/h; the page's totals; exports that cross read chunks without losing or repeating rows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import gpxpy
import pytest

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in
from logitrack.tracking import exports, selectors
from logitrack.tracking.models import Device, Position
from logitrack.tracking.selectors import ExportRow, PageRow, TrackPoint
from logitrack.tracking.tests.factories import make_device

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 2, 0, 0, tzinfo=dt.UTC)
STEP = dt.timedelta(seconds=30)


def _store(device: Device, count: int, *, tag: float, tenant_id: int | None = None) -> None:
    """``count`` positions from ``START - 3 * STEP`` every ``STEP``; every column differs from
    every other (and ``tag`` marks the device) so that a swapped column or a foreign row
    shows."""
    Position.dangerously_unscoped.bulk_create(
        Position(
            tenant_id=tenant_id or device.tenant_id,
            device_id=device.pk,
            fix_time=START + (i - 3) * STEP,
            server_time=START,
            latitude=tag + i / 1000,
            longitude=100 + tag + i / 1000,
            speed=i + 0.5,
            course=float(i % 360),
            altitude=1000.0 + i,
            accuracy=2000.0 + i,
            battery=float(i % 101),
        )
        for i in range(count)
    )


def _expected(tag: float, indexes: range) -> list[ExportRow]:
    return [
        ExportRow(
            fix_time=START + (i - 3) * STEP,
            latitude=tag + i / 1000,
            longitude=100 + tag + i / 1000,
            speed_kmh=(i + 0.5) * 3.6,
            course=float(i % 360),
            altitude=1000.0 + i,
            accuracy=2000.0 + i,
            battery=float(i % 101),
        )
        for i in indexes
    ]


@pytest.fixture
def manager() -> Membership:
    member = make_member(make_tenant(), Role.DISPATCHER)
    member.user.time_zone = "Asia/Ho_Chi_Minh"
    member.user.save(update_fields=["time_zone"])
    return member


@pytest.fixture
def foreign(manager: Membership) -> Device:
    """The device read, with a second device of the same tenant and a device of another tenant
    reporting at the same fix times, and one row with this device's id but another tenant."""
    device = make_device(manager).device
    _store(device, 40, tag=10.0)
    Position.dangerously_unscoped.filter(device=device, fix_time=START + 7 * STEP).delete()
    _store(make_device(manager).device, 40, tag=20.0)
    other = make_device(make_member(make_tenant(), Role.DISPATCHER)).device
    _store(other, 40, tag=30.0)
    Position.dangerously_unscoped.filter(device=other, fix_time=START + 7 * STEP).update(
        device_id=device.pk
    )
    return device


def _kept() -> range:
    """Indexes of the device's own rows within [START, START + 30 * STEP): 3..32 without 10
    (its fix time START + 7 * STEP holds another tenant's row)."""
    return range(3, 33)


def _own(tag: float) -> list[ExportRow]:
    return [row for row in _expected(tag, _kept()) if row.fix_time != START + 7 * STEP]


UNTIL = START + 30 * STEP


def test_history_is_the_device_own_rows_of_the_range_oldest_first(foreign: Device) -> None:
    got = selectors.device_positions(device=foreign, since=START, until=UNTIL, shape=ExportRow)

    assert got == _own(10.0)
    assert len(got) == 29
    assert all(isinstance(row, ExportRow) for row in got)


def test_history_newest_first_with_a_limit_and_after(foreign: Device) -> None:
    newest = selectors.device_positions(
        device=foreign, since=START, until=UNTIL, shape=PageRow, limit=5, newest_first=True
    )
    after = selectors.device_positions(
        device=foreign, since=START, until=UNTIL, shape=TrackPoint, after=START + 25 * STEP
    )

    own = _own(10.0)
    assert [row.fix_time for row in newest] == [row.fix_time for row in own[::-1][:5]]
    assert newest[0] == PageRow(
        own[-1].fix_time,
        own[-1].latitude,
        own[-1].longitude,
        own[-1].speed_kmh,
        own[-1].course,
        own[-1].accuracy,
        own[-1].battery,
        None,
    )
    assert after == [
        TrackPoint(row.fix_time, row.latitude, row.longitude, row.altitude)
        for row in own
        if row.fix_time > START + 25 * STEP
    ]


def test_history_totals_count_only_the_device_range(foreign: Device) -> None:
    totals = selectors.device_positions_totals(device=foreign, since=START, until=UNTIL)

    assert totals["count"] == 29
    assert totals["first"] == START
    assert totals["last"] == UNTIL - STEP
    assert totals["max_speed_kmh"] == pytest.approx(32.5 * 3.6)


def test_history_page_shows_the_device_rows_and_totals(
    client: HttpsClient, manager: Membership, foreign: Device
) -> None:
    sign_in(client, manager)

    page = client.get(
        f"/operations/devices/{foreign.pk}/positions/",
        {"since": "2026-11-02T07:00", "until": "2026-11-02T07:15"},  # the reader's UTC+7 zone
    ).content.decode()

    assert page.count("<tr data-position>") == 29
    lats = [c.split("<")[0] for c in page.split('class="mono">')[1::2]]  # latitude cells
    assert lats == [f"{row.latitude:.6f}" for row in _own(10.0)[::-1]]
    assert "29 vị trí trong khoảng thời gian này." in page
    assert "Tốc độ cao nhất: 117,0 km/h." in page


def test_history_exports_cross_read_chunks_in_order(
    client: HttpsClient, manager: Membership, foreign: Device, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "CHUNK", 4)  # 29 rows: seven full chunks and one of one
    sign_in(client, manager)
    query = {"since": "2026-11-02T07:00", "until": "2026-11-02T07:15"}

    response = client.get(f"/operations/devices/{foreign.pk}/positions.csv", query)
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    gpx = client.get(f"/operations/devices/{foreign.pk}/positions.gpx", query)
    points = gpxpy.parse(b"".join(gpx.streaming_content).decode()).tracks[0].segments[0].points  # type: ignore[attr-defined]

    own = _own(10.0)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [row[0] for row in rows] == [
        r.fix_time.astimezone(dt.timezone(dt.timedelta(hours=7))).isoformat() for r in own
    ]
    assert [row[1:] for row in rows] == [
        [
            f"{r.latitude:.6f}",
            f"{r.longitude:.6f}",
            f"{r.speed_kmh:.1f}",
            f"{r.course:.0f}",
            f"{r.altitude:.1f}",
            f"{r.accuracy:.1f}",
            f"{r.battery:.0f}",
        ]
        for r in own
    ]
    assert [(p.time, p.latitude, p.longitude, p.elevation) for p in points] == [
        (r.fix_time, r.latitude, r.longitude, r.altitude) for r in own
    ]
