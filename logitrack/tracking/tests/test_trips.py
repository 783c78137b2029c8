"""Trips and stops (``logitrack.tracking.geo.trips``) on constructed tracks, exact: a drive, a
10-minute stop with 20 m jitter that adds no distance, a 500 km jump in a minute that is
ignored, a trip over midnight split at the window's edge, and the same from the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from logitrack.tenancy.tests.factories import sign_in
from logitrack.tracking.geo.fixes import DEFAULT_REANCHOR_AFTER
from logitrack.tracking.geo.trips import (
    Thresholds,
    device_trips_and_stops,
    load_track,
    track_of,
    trips_and_stops,
)
from logitrack.tracking.tests.factories import make_device, make_manager
from logitrack.tracking.tests.tracks import drive, path_m, stop, store

T0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)  # 08:00 in Ho Chi Minh City
A = (10.7700, 106.6900)
DEFAULTS = Thresholds()


def _day() -> list[tuple[dt.datetime, float, float, float | None, bool]]:
    """Parked 10 min at A, 20 min east at 36 km/h to B, parked 10 min at B, 20 min back."""
    parked = stop(T0, minutes=10, at=A)
    out = drive(parked[-1][0], minutes=20, origin=A)
    b = (out[-1][1], out[-1][2])
    at_b = stop(out[-1][0] + dt.timedelta(seconds=10), minutes=10, at=b)
    back = drive(at_b[-1][0], minutes=20, origin=b, eastward=False)
    return parked + out + at_b + back


def test_a_drive_between_two_stops_is_one_trip_and_jitter_adds_no_distance() -> None:
    fixes = _day()
    track = track_of(fixes)

    result = trips_and_stops(track, DEFAULTS, start=T0, end=T0 + dt.timedelta(days=1))

    assert [(s.start_time, s.end_time, s.duration_s) for s in result.stops] == [
        (T0, T0 + dt.timedelta(minutes=10), 600.0),
        (
            T0 + dt.timedelta(minutes=30, seconds=10),
            T0 + dt.timedelta(minutes=40, seconds=10),
            600.0,
        ),
    ]
    assert result.stops[0].latitude == pytest.approx(A[0], abs=1e-5)  # within a metre
    assert result.stops[0].longitude == pytest.approx(A[1], abs=1e-5)
    first, second = result.trips
    leg = path_m([(T0, *A, 0.0, True), *fixes[61:181]])  # A to B along the road
    assert first.distance_m == pytest.approx(leg, abs=1e-6)
    assert first.distance_m == pytest.approx(12_000, rel=0.01)
    assert (first.start_time, first.end_time) == (
        T0 + dt.timedelta(minutes=10),
        T0 + dt.timedelta(minutes=30, seconds=10),
    )
    assert (first.start_latitude, first.start_longitude) == pytest.approx(A)
    assert first.duration_s == 1210.0
    assert first.max_speed_kmh == pytest.approx(36.0)
    assert first.avg_speed_kmh == pytest.approx(leg / 1210 * 3.6)
    assert first.started_in_window
    assert second.started_in_window
    # Jittering 20 m every 10 s for 20 minutes would have added ~1.7 km.
    assert result.distance_m == pytest.approx(first.distance_m + second.distance_m)
    assert result.distance_m < 24_100
    assert result.stopped_s == 1200.0
    assert result.moving_s == 1210.0 + 1200.0


def test_a_500_km_jump_in_a_minute_is_ignored() -> None:
    fixes = _day()
    clean = trips_and_stops(track_of(fixes), DEFAULTS, start=T0, end=T0 + dt.timedelta(days=1))
    when, lat, lon, _, _ = fixes[100]  # mid-drive
    jump = (when + dt.timedelta(seconds=5), lat + 4.5, lon, 30.0, True)  # ~500 km north

    jumped = trips_and_stops(
        track_of([*fixes[:101], jump, *fixes[101:]]),
        DEFAULTS,
        start=T0,
        end=T0 + dt.timedelta(days=1),
    )

    assert jumped == clean
    assert jumped.max_speed_kmh == pytest.approx(36.0)


def test_fixes_the_device_marked_invalid_do_not_count() -> None:
    fixes = _day()
    when, lat, lon, _, _ = fixes[100]
    bad = (when + dt.timedelta(seconds=5), lat + 0.001, lon, 0.0, False)
    window = {"start": T0, "end": T0 + dt.timedelta(days=1)}

    with_bad = trips_and_stops(track_of([*fixes[:101], bad, *fixes[101:]]), DEFAULTS, **window)

    assert with_bad == trips_and_stops(track_of(fixes), DEFAULTS, **window)


def test_a_short_move_between_stops_is_merged_into_one_stop() -> None:
    parked = stop(T0, minutes=10, at=A)
    shunt = drive(parked[-1][0], minutes=0.5, origin=A, speed_kmh=18)  # 150 m across the yard
    there = stop(shunt[-1][0] + dt.timedelta(seconds=10), minutes=10, at=shunt[-1][1:3])

    result = trips_and_stops(
        track_of(parked + shunt + there), DEFAULTS, start=T0, end=T0 + dt.timedelta(hours=1)
    )

    assert result.trips == []
    assert [(s.start_time, s.end_time) for s in result.stops] == [
        (T0, there[-1][0]),
    ]
    assert result.distance_m == 0


def test_a_stop_shorter_than_the_minimum_is_part_of_the_trip() -> None:
    out = drive(T0, minutes=10, origin=A)
    red_light = stop(out[-1][0] + dt.timedelta(seconds=10), minutes=2, at=out[-1][1:3])
    on = drive(red_light[-1][0], minutes=10, origin=red_light[-1][1:3])

    result = trips_and_stops(
        track_of(out + red_light + on), DEFAULTS, start=T0, end=T0 + dt.timedelta(hours=1)
    )

    assert result.stops == []
    [trip] = result.trips
    assert (trip.start_time, trip.end_time) == (out[0][0], on[-1][0])


def test_a_window_edge_splits_a_trip_and_the_parts_add_up() -> None:
    fixes = _day()
    track = track_of(fixes)
    cut = T0 + dt.timedelta(minutes=20, seconds=5)  # mid-drive, between two fixes
    whole = trips_and_stops(track, DEFAULTS, start=T0, end=T0 + dt.timedelta(days=1))

    before = trips_and_stops(track, DEFAULTS, start=T0, end=cut)
    after = trips_and_stops(track, DEFAULTS, start=cut, end=T0 + dt.timedelta(days=1))

    assert before.trips[-1].end_time == cut == after.trips[0].start_time
    assert before.distance_m + after.distance_m == pytest.approx(whole.distance_m, abs=1e-6)
    assert before.moving_s + after.moving_s == whole.moving_s
    assert before.stopped_s + after.stopped_s == whole.stopped_s
    assert before.trip_count + after.trip_count == whole.trip_count == 2
    assert not after.trips[0].started_in_window


def test_thresholds_come_from_the_tenants_settings(db: None) -> None:
    from logitrack.core.tenant import tenant_context
    from logitrack.tracking.models import TenantDeviceSettings

    device = make_device(make_manager()).device
    with tenant_context(device.tenant):
        TenantDeviceSettings.objects.create(stop_radius_m=80, trip_min_speed_kmh=8)

    assert Thresholds.of_tenant(device.tenant_id) == Thresholds(
        min_speed_mps=8 / 3.6, stop_radius_m=80.0
    )
    assert Thresholds.of_tenant(device.tenant_id + 1000) == DEFAULTS


@pytest.mark.django_db
def test_from_the_database_the_answer_is_the_same_as_from_the_fixes() -> None:
    device = make_device(make_manager()).device
    other = make_device(make_manager()).device
    fixes = _day()
    store(device, fixes)
    store(other, stop(T0, minutes=60, at=A))
    start, end = T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=2)

    stored = device_trips_and_stops(
        tenant_id=device.tenant_id, device_id=device.pk, start=start, end=end
    )

    assert stored == trips_and_stops(track_of(fixes), DEFAULTS, start=start, end=end)
    assert len(stored.trips) == 2
    track = load_track(
        tenant_id=device.tenant_id, device_id=device.pk, since=T0, until=T0 + dt.timedelta(days=1)
    )
    assert track.times_s.tolist() == [f[0].timestamp() for f in fixes]
    assert track.latitude.tolist() == [f[1] for f in fixes]


@pytest.mark.django_db
def test_the_api_answers_the_contract_shape_with_the_windows_trips(client: Client) -> None:
    manager = make_manager()
    device = make_device(manager, identifier="TRK-42").device
    store(device, _day())
    sign_in(client, manager)

    answer = client.get(
        "/api/v1/devices/TRK-42/trips",
        {"start": "2026-11-02T08:00:00+07:00", "end": "2026-11-02T08:20:05+07:00"},
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert set(body) == {"trips", "stops", "totals"}
    [trip] = body["trips"]
    assert set(trip) == {
        "start_time",
        "end_time",
        "distance_m",
        "duration_s",
        "max_speed_kmh",
        "avg_speed_kmh",
        "start",
        "end",
    }
    assert trip["start_time"].startswith("2026-11-02T01:10:00")
    assert trip["end_time"].startswith("2026-11-02T01:20:05")  # cut at the window's end
    assert trip["duration_s"] == 605.0
    assert set(trip["start"]) == {"latitude", "longitude"}
    assert body["stops"] == [
        {
            "start_time": body["stops"][0]["start_time"],
            "end_time": body["stops"][0]["end_time"],
            "duration_s": 600.0,
            "latitude": pytest.approx(A[0], abs=1e-5),
            "longitude": pytest.approx(A[1], abs=1e-5),
        }
    ]
    assert body["totals"] == {
        "distance_m": trip["distance_m"],
        "moving_s": 605.0,
        "stopped_s": 600.0,
        "max_speed_kmh": 36.0,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-11-01T00:00:00+07:00", "2026-12-02T00:00:01+07:00"),  # 31 days and a second
        ("2026-11-02T00:00:00+07:00", "2026-11-02T00:00:00+07:00"),  # empty
        ("2026-11-03T00:00:00+07:00", "2026-11-02T00:00:00+07:00"),  # backwards
        ("0001-01-01T00:00:00", "0001-01-02T00:00:00"),  # datetime's limits
        ("9999-12-30T00:00:00+00:00", "9999-12-31T00:00:00+00:00"),
    ],
)
def test_the_api_refuses_a_window_longer_than_31_days_or_empty(
    client: Client, start: str, end: str
) -> None:
    manager = make_manager()
    make_device(manager, identifier="TRK-43")
    sign_in(client, manager)

    answer = client.get("/api/v1/devices/TRK-43/trips", {"start": start, "end": end})

    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "trips_window_invalid"


@pytest.mark.django_db
def test_the_api_takes_31_days_and_a_time_without_zone_as_local(client: Client) -> None:
    manager = make_manager()
    device = make_device(manager, identifier="TRK-44").device
    store(device, _day())
    sign_in(client, manager)

    answer = client.get(
        "/api/v1/devices/TRK-44/trips",
        {"start": "2026-11-02T08:10:00", "end": "2026-12-03T08:10:00"},
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["stops"][0]["start_time"].startswith("2026-11-02T01:30:10")
    assert len(answer.json()["trips"]) == 2


@pytest.mark.django_db
def test_trips_of_a_drivers_positions_are_audited_as_a_sensitive_read(client: Client) -> None:
    from logitrack.core.tenant import tenant_context
    from logitrack.security.models import AuditEntry
    from logitrack.tenancy.tests.factories import principal_for
    from logitrack.tracking.services.fleet import driver_create

    manager = make_manager()
    vehicle = make_device(manager, identifier="TRK-45").device
    phone = make_device(manager, identifier="PHONE-46").device
    with tenant_context(manager.tenant):
        driver = driver_create(principal=principal_for(manager), full_name="Nguyễn Văn An")
    store(vehicle, _day())
    store(phone, _day(), driver_id=driver.pk)
    sign_in(client, manager)
    window = {"start": "2026-11-02T00:00:00+07:00", "end": "2026-11-03T00:00:00+07:00"}

    client.get("/api/v1/devices/TRK-45/trips", window)
    assert not AuditEntry.objects.filter(action="sensitive_read").exists()
    client.get("/api/v1/devices/PHONE-46/trips", window)

    [entry] = AuditEntry.objects.filter(action="sensitive_read")
    assert entry.object_id == str(phone.pk)
    assert entry.details["api"] == "trips"


def test_a_device_moved_while_off_counts_no_distance_for_the_move() -> None:
    """A phone carried from Hà Nội to Ho Chi Minh City on a flight: the first fixes there are
    refused as a jump, then taken as the new anchor (geo.fixes). The 1,100 km between the two
    cities are neither a trip's distance nor the day's."""
    hanoi = (21.0285, 105.8542)
    before = drive(T0, minutes=10, origin=hanoi)
    landed = T0 + dt.timedelta(hours=2)
    after = drive(landed, minutes=10, origin=A)
    track = track_of(before + after)

    result = trips_and_stops(track, DEFAULTS, start=T0, end=T0 + dt.timedelta(days=1))

    driven = path_m(before) + path_m(after[DEFAULT_REANCHOR_AFTER:])
    assert sum(trip.distance_m for trip in result.trips) == pytest.approx(driven, abs=1.0)
    assert driven < 15_000
