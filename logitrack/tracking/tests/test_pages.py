"""Device pages: list with online state and last position, one device and its actions, the
position history over a range in the reader's time zone, CSV and GPX exports; vehicles and
drivers; the plain-HTTP switch and the security officer's warning."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import gpxpy
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for, sign_in
from logitrack.tracking import selectors
from logitrack.tracking.exports import spreadsheet_safe
from logitrack.tracking.models import Device, DeviceAssignment, DeviceLatest, Driver, Position
from logitrack.tracking.services.fleet import driver_create
from logitrack.tracking.tests.factories import make_device
from logitrack.tracking.tokens import device_token_matches

pytestmark = pytest.mark.django_db

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def manager() -> Membership:
    return make_member(make_tenant(), Role.DISPATCHER)


@pytest.fixture
def dispatcher(client: HttpsClient, manager: Membership) -> HttpsClient:
    manager.user.time_zone = "Asia/Ho_Chi_Minh"
    manager.user.save(update_fields=["time_zone"])
    sign_in(client, manager)
    return client


def _positions(device: Device, start: dt.datetime, count: int, *, step_s: int = 60) -> None:
    with tenant_context(device.tenant):
        Position.objects.bulk_create(
            Position(
                tenant_id=device.tenant_id,
                device=device,
                fix_time=start + dt.timedelta(seconds=step_s * i),
                server_time=start + dt.timedelta(seconds=step_s * i),
                latitude=10.7 + i / 10_000,
                longitude=106.6 + i / 10_000,
                speed=10.0,
                course=90.0,
                altitude=5.0,
                accuracy=8.0,
                battery=77.0,
            )
            for i in range(count)
        )


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(HCM).strftime("%Y-%m-%dT%H:%M")


def test_list_shows_online_state_and_last_position(
    dispatcher: HttpsClient, manager: Membership
) -> None:
    online = make_device(manager).device
    offline = make_device(manager).device
    other = make_device(make_member(make_tenant(), Role.DISPATCHER)).device
    now = timezone.now()
    with tenant_context(manager.tenant):
        Device.objects.filter(pk=online.pk).update(last_seen_at=now)
        Device.objects.filter(pk=offline.pk).update(last_seen_at=now - dt.timedelta(hours=2))
        DeviceLatest.objects.create(
            tenant_id=online.tenant_id,
            device=online,
            fix_time=now,
            server_time=now,
            latitude=10.776889,
            longitude=106.700806,
            speed=12.5,
        )

    page = dispatcher.get("/operations/devices/").content.decode()

    assert online.identifier in page
    assert offline.identifier in page
    assert other.identifier not in page
    row = page.split(f'data-device="{online.identifier}"')[1].split("</tr>")[0]
    assert "Trực tuyến" in row
    assert "10.77689, 106.70081" in row
    assert "45 km/h" in row
    offline_row = page.split(f'data-device="{offline.identifier}"')[1].split("</tr>")[0]
    assert "Ngoại tuyến" in offline_row


def test_create_shows_the_token_once_and_stores_only_its_hash(dispatcher: HttpsClient) -> None:
    response = dispatcher.post(
        "/operations/devices/new/",
        {"kind": "gps_tracker", "identifier": "860000000000001", "name": "Xe 51C-123.45"},
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    token = page.split("data-device-token>")[1].split("<")[0]
    device = Device.dangerously_unscoped.get(identifier="860000000000001")
    assert device_token_matches(token, device.token_hash)
    detail = dispatcher.get(f"/operations/devices/{device.pk}/").content.decode()
    assert token not in detail
    assert device.token_prefix in detail


def test_create_refuses_a_taken_identifier(dispatcher: HttpsClient, manager: Membership) -> None:
    taken = make_device(make_member(make_tenant(), Role.DISPATCHER)).device

    response = dispatcher.post(
        "/operations/devices/new/",
        {"kind": "phone", "identifier": taken.identifier, "name": "Điện thoại"},
    )

    assert response.status_code == 422
    assert Device.dangerously_unscoped.filter(identifier=taken.identifier).count() == 1


def test_disable_enable_rotate_and_assign(dispatcher: HttpsClient, manager: Membership) -> None:
    created = make_device(manager)
    pk = created.device.pk
    with tenant_context(manager.tenant):
        driver = driver_create(principal=principal_for(manager), full_name="Trần Văn Bình")

    dispatcher.post(f"/operations/devices/{pk}/enabled/", {"enabled": "0"})
    assert Device.dangerously_unscoped.get(pk=pk).enabled is False
    dispatcher.post(f"/operations/devices/{pk}/enabled/", {"enabled": "1"})
    assert Device.dangerously_unscoped.get(pk=pk).enabled is True

    rotated = dispatcher.post(f"/operations/devices/{pk}/token/").content.decode()
    new_token = rotated.split("data-device-token>")[1].split("<")[0]
    stored = Device.dangerously_unscoped.get(pk=pk).token_hash
    assert device_token_matches(new_token, stored)
    assert not device_token_matches(created.token, stored)

    dispatcher.post(f"/operations/devices/{pk}/assign/", {"target": "dock", "place_name": "Cửa 3"})
    dispatcher.post(
        f"/operations/devices/{pk}/assign/", {"target": "driver", "driver": str(driver.pk)}
    )
    history = list(
        DeviceAssignment.dangerously_unscoped.filter(device_id=pk).order_by("started_at", "pk")
    )
    assert [(a.target, a.ended_at is None) for a in history] == [("dock", False), ("driver", True)]
    page = dispatcher.get(f"/operations/devices/{pk}/").content.decode()
    assert "Trần Văn Bình" in page
    assert "Cửa 3" in page


def test_assign_refuses_another_tenants_driver(
    dispatcher: HttpsClient, manager: Membership
) -> None:
    pk = make_device(manager).device.pk
    stranger = make_member(make_tenant(), Role.DISPATCHER)
    with tenant_context(stranger.tenant):
        theirs = driver_create(principal=principal_for(stranger), full_name="Người lạ")

    dispatcher.post(
        f"/operations/devices/{pk}/assign/", {"target": "driver", "driver": str(theirs.pk)}
    )

    assert not DeviceAssignment.dangerously_unscoped.filter(device_id=pk).exists()


def test_history_shows_a_range_in_the_readers_time_zone_newest_first_and_pages(
    dispatcher: HttpsClient, manager: Membership
) -> None:
    device = make_device(manager).device
    start = dt.datetime(2026, 11, 1, 17, 0, tzinfo=dt.UTC)  # 00:00 on 2 Nov in Ho Chi Minh City
    _positions(device, start - dt.timedelta(minutes=5), 80)
    query = {"since": "2026-11-02T00:00", "until": "2026-11-02T01:00"}

    first = dispatcher.get(f"/operations/devices/{device.pk}/positions/", query)

    page = first.content.decode()
    assert page.count("<tr data-position>") == 50
    times = [chunk.split("<")[0] for chunk in page.split('data-label="Thời điểm định vị">')[1:]]
    assert times[0] == "02/11/2026 00:59:00"  # newest first, in the reader's zone and language
    assert "36,0" in page  # 10 m/s shown as km/h, with the Vietnamese decimal comma
    older = page.split("data-older")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = dispatcher.get(f"/operations/devices/{device.pk}/positions/{older}").content.decode()
    assert second.count("<tr data-position>") == 10
    last = [chunk.split("<")[0] for chunk in second.split('data-label="Thời điểm định vị">')[1:]]
    assert last[-1] == "02/11/2026 00:00:00"  # "since" is inclusive; earlier fixes are out


def test_history_times_read_day_first_in_english_too(
    dispatcher: HttpsClient, manager: Membership
) -> None:
    device = make_device(manager).device
    _positions(device, dt.datetime(2026, 11, 1, 17, 59, 30, tzinfo=dt.UTC), 1)
    dispatcher.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = dispatcher.get(
        f"/operations/devices/{device.pk}/positions/",
        {"since": "2026-11-02T00:00", "until": "2026-11-02T01:00"},
    ).content.decode()

    assert 'data-label="Fix time">2 Nov 2026 00:59:30<' in page


def test_history_refuses_a_backwards_range(dispatcher: HttpsClient, manager: Membership) -> None:
    device = make_device(manager).device

    response = dispatcher.get(
        f"/operations/devices/{device.pk}/positions/",
        {"since": "2026-11-02T05:00", "until": "2026-11-02T01:00"},
    )

    assert "Thời điểm kết thúc phải sau thời điểm bắt đầu" in response.content.decode()


def test_history_reads_one_device_range_by_its_index(manager: Membership) -> None:
    device = make_device(manager).device
    since = timezone.now() - dt.timedelta(days=1)
    with CaptureQueriesContext(connection) as queries:
        selectors.device_positions(
            device=device,
            since=since,
            until=timezone.now(),
            shape=selectors.PageRow,
            limit=51,
            newest_first=True,
        )
    sql = queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "USING INDEX" in plan
            assert "(device_id=? AND fix_time>? AND fix_time<?)" in plan
            assert "TEMP B-TREE" not in plan  # the index gives the order, no sort
        else:
            cursor.execute("EXPLAIN " + sql)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan" not in plan


def test_csv_export_streams_the_range_and_is_audited(
    dispatcher: HttpsClient, manager: Membership
) -> None:
    device = make_device(manager).device
    start = dt.datetime(2026, 11, 1, 17, 0, tzinfo=dt.UTC)
    _positions(device, start, 4500, step_s=1)  # test_history crosses read chunks

    response = dispatcher.get(
        f"/operations/devices/{device.pk}/positions.csv",
        {"since": "2026-11-02T00:00", "until": "2026-11-02T01:00"},
    )

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Thời điểm định vị"
    assert len(rows) == 1 + 3600
    assert rows[1] == [
        "2026-11-02T00:00:00+07:00", "10.700000", "106.600000", "36.0", "90", "5.0", "8.0", "77"
    ]  # fmt: skip
    entry = AuditEntry.objects.filter(object_id=str(device.pk)).order_by("-sequence").first()
    assert entry is not None
    assert entry.action == "device_positions_exported"


def test_export_of_positions_tied_to_a_driver_is_a_sensitive_read(
    dispatcher: HttpsClient, manager: Membership
) -> None:
    device = make_device(manager).device
    with tenant_context(manager.tenant):
        driver = Driver.objects.create(tenant_id=manager.tenant_id, full_name="Lê Thị Hoa")
    start = timezone.now() - dt.timedelta(hours=1)
    _positions(device, start, 3)
    Position.dangerously_unscoped.filter(device=device).update(driver=driver)

    dispatcher.get(f"/operations/devices/{device.pk}/positions.gpx")

    entry = AuditEntry.objects.filter(object_id=str(device.pk)).order_by("-sequence").first()
    assert entry is not None
    assert entry.action == "sensitive_read"
    assert entry.details["export"] == "gpx"


def test_a_history_page_showing_driver_positions_is_a_sensitive_read(
    dispatcher: HttpsClient, manager: Membership
) -> None:
    device = make_device(manager).device
    with tenant_context(manager.tenant):
        driver = Driver.objects.create(tenant_id=manager.tenant_id, full_name="Lê Thị Hoa")
    start = timezone.now() - dt.timedelta(hours=1)
    _positions(device, start, 3)
    first = Position.dangerously_unscoped.filter(device=device).order_by("fix_time").first()
    assert first is not None

    dispatcher.get(f"/operations/devices/{device.pk}/positions/")
    assert not AuditEntry.objects.filter(action="sensitive_read").exists()

    Position.dangerously_unscoped.filter(pk=first.pk).update(driver=driver)
    page = dispatcher.get(f"/operations/devices/{device.pk}/positions/")

    assert page.status_code == 200
    entries = AuditEntry.objects.filter(action="sensitive_read", object_id=str(device.pk))
    assert [(e.details["page"], e.details["driver_positions"]) for e in entries] == [
        ("positions", 1)
    ]
    assert entries[0].actor_kind == "user"


def test_gpx_export_is_gpx_1_1_that_gpxpy_reads_back(
    dispatcher: HttpsClient, manager: Membership
) -> None:
    device = make_device(manager).device
    start = dt.datetime(2026, 11, 1, 17, 0, tzinfo=dt.UTC)
    _positions(device, start, 1200, step_s=2)

    response = dispatcher.get(
        f"/operations/devices/{device.pk}/positions.gpx",
        {"since": "2026-11-02T00:00", "until": "2026-11-02T00:30"},
    )

    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert b'xmlns="http://www.topografix.com/GPX/1/1"' in body[:400]
    assert b'version="1.1"' in body[:400]
    parsed = gpxpy.parse(body.decode("utf-8"))
    points = parsed.tracks[0].segments[0].points
    assert len(points) == 900
    assert (points[0].latitude, points[0].longitude, points[0].elevation) == (10.7, 106.6, 5.0)
    assert points[0].time == start
    assert parsed.tracks[0].name == device.name


def test_gpx_coordinates_carry_no_binary_noise(
    dispatcher: HttpsClient, manager: Membership
) -> None:
    device = make_device(manager).device
    start = timezone.now() - dt.timedelta(hours=1)
    _positions(device, start, 1)
    Position.dangerously_unscoped.filter(device=device).update(
        latitude=10.1 + 0.2, longitude=106.7000000004, altitude=0.1 + 0.2
    )

    response = dispatcher.get(f"/operations/devices/{device.pk}/positions.gpx")

    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert b'<trkpt lat="10.3" lon="106.7">' in body
    assert b"<ele>0.3</ele>" in body
    assert b"0000000" not in body


def test_another_tenants_device_pages_and_exports_are_404(dispatcher: HttpsClient) -> None:
    theirs = make_device(make_member(make_tenant(), Role.DISPATCHER)).device

    for suffix in ("", "positions/", "positions.csv", "positions.gpx"):
        assert dispatcher.get(f"/operations/devices/{theirs.pk}/{suffix}").status_code == 404
    exports = ("sensitive_read", "device_positions_exported")
    assert not AuditEntry.objects.filter(action__in=exports).exists()


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx"])
def test_spreadsheet_safe_neutralises_formulas(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell
    assert spreadsheet_safe("Xe tải") == "Xe tải"


def test_fleet_page_adds_vehicles_and_drivers(dispatcher: HttpsClient, manager: Membership) -> None:
    dispatcher.post("/operations/fleet/vehicles/", {"plate": "51c-123.45", "label": "Xe lạnh"})
    dispatcher.post("/operations/fleet/drivers/", {"full_name": "Phạm Minh Châu"})
    again = dispatcher.post("/operations/fleet/vehicles/", {"plate": "51C-123.45"})

    assert again.status_code == 422
    page = dispatcher.get("/operations/fleet/").content.decode()
    assert "51C-123.45" in page
    assert "Phạm Minh Châu" in page


def test_plain_http_switch_needs_tenant_manage_and_warns_the_security_officer(
    client: HttpsClient, manager: Membership
) -> None:
    from logitrack.security.tests.helpers import create_user

    sign_in(client, manager)  # a dispatcher may not turn it on
    assert client.post("/operations/devices/plain-http/", {"allowed": "1"}).status_code == 403
    owner = make_member(manager.tenant, Role.OWNER)
    sign_in(client, owner)
    client.post("/operations/devices/plain-http/", {"allowed": "1"})
    assert AuditEntry.objects.filter(action="device_plain_http_enabled").count() == 1

    officer = create_user("security@logitrack.vn", platform_role="security_officer")
    client.force_login(officer)
    home = client.get("/").content.decode()
    overview = client.get("/staff/security/plain-http/")

    assert "data-plain-http-warning" in home
    assert overview.status_code == 200
    assert manager.tenant.name in overview.content.decode()
    sign_in(client, owner)
    assert "data-plain-http-warning" not in client.get("/").content.decode()
    client.post("/operations/devices/plain-http/", {"allowed": "0"})
    client.force_login(officer)
    assert "data-plain-http-warning" not in client.get("/").content.decode()
