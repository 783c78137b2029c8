"""Geofence events derived from stored positions (``geo.derive``): from the backlog's mark,
idempotent, the same final events whatever the arrival order; retracted, never deleted, when
late positions show they did not happen."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logitrack.core.tenant import tenant_context
from logitrack.tracking.geo.derive import device_events_derive, geofences_derive_owed
from logitrack.tracking.ingest.writer import PositionRow, write_positions
from logitrack.tracking.models import (
    Device,
    Geofence,
    GeofenceEvent,
    Position,
    PositionBacklog,
    TenantDeviceSettings,
)
from logitrack.tracking.tests.factories import make_device, make_manager

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
T0 = NOW - dt.timedelta(hours=6)
M_PER_DEG_LON = 109_639.0  # at 10° N
SQUARE = [[106.0, 10.0], [106.01, 10.0], [106.01, 10.01], [106.0, 10.01], [106.0, 10.0]]


def make_geofences(tenant_id: int) -> None:
    """A 1.1 km square depot ("A") and a 60 m circle ("B") 3.2 km east of its west edge."""
    common: dict[str, Any] = {"tenant_id": tenant_id, "created_at": T0 - dt.timedelta(days=1)}
    with tenant_context(tenant_id):
        Geofence.objects.create(
            name="A",
            shape="polygon",
            geometry={"type": "Polygon", "coordinates": [SQUARE]},
            min_latitude=10.0,
            min_longitude=106.0,
            max_latitude=10.01,
            max_longitude=106.01,
            area_m2=1.2e6,
            **common,
        )
        Geofence.objects.create(
            name="B",
            shape="circle",
            geometry={"type": "Point", "coordinates": [106.0 + 3200 / M_PER_DEG_LON, 10.005]},
            radius_m=60.0,
            min_latitude=10.0,
            min_longitude=106.0,
            max_latitude=10.01,
            max_longitude=106.04,
            area_m2=11_310.0,
            **common,
        )


def row(device: Device, seconds: float, east_m: float, **extra: Any) -> PositionRow:
    return PositionRow(
        tenant_id=device.tenant_id,
        device_id=device.pk,
        driver_id=None,
        fix_time=T0 + dt.timedelta(seconds=seconds),
        device_time=None,
        server_time=NOW,
        latitude=extra.pop("latitude", 10.005),
        longitude=106.0 + east_m / M_PER_DEG_LON,
        **extra,
    )


def route(device: Device) -> list[PositionRow]:
    """In through A's west edge, out through its east edge wobbling ±15 m there for 100 s,
    then past B between two fixes a minute apart (a pass-through), then on."""
    offsets = [float(m) for m in range(-500, 1001, 100)]
    offsets += [1094.5 + 15.0 * (-1) ** i for i in range(10)]
    offsets += [float(m) for m in range(1200, 3001, 100)]
    rows = [row(device, 10 * i, m) for i, m in enumerate(offsets)]
    last = 10 * (len(offsets) - 1)
    rows += [row(device, last + 60, 3500.0), row(device, last + 70, 3600.0)]
    return rows


def events(device: Device) -> list[tuple[str, str, dt.datetime, bool]]:
    """The device's non-retracted events: (geofence, kind, fix time, interpolated)."""
    with tenant_context(device.tenant_id):
        rows = GeofenceEvent.objects.filter(device=device, retracted_at__isnull=True)
        return [
            (e.geofence.name, e.kind, e.fix_time, e.interpolated)
            for e in rows.select_related("geofence").order_by("fix_time", "kind")
        ]


def deliver(batches: list[list[PositionRow]]) -> None:
    for batch in batches:
        write_positions(batch)
        geofences_derive_owed(now=NOW)


@pytest.fixture
def device() -> Device:
    created = make_device(make_manager()).device
    make_geofences(created.tenant_id)
    return created


EXPECTED_KINDS = [("A", "enter"), ("A", "exit"), ("B", "enter"), ("B", "exit")]


def test_in_order_arrival_gives_each_crossing_once(device: Device) -> None:
    rows = route(device)

    deliver([[r] for r in rows])

    found = events(device)
    assert [(g, k) for g, k, _, _ in found] == EXPECTED_KINDS
    assert found[0][2] == T0 + dt.timedelta(seconds=50)  # the first fix on the edge
    assert found[1][2] == T0 + dt.timedelta(seconds=160 + 100)  # first fix 30 m+ beyond
    assert [i for _, _, _, i in found] == [False, False, True, True]
    with tenant_context(device.tenant_id):
        assert not PositionBacklog.objects.filter(device=device, geofences_from__isnull=False)


def test_the_same_positions_sent_twice_change_nothing(device: Device) -> None:
    rows = route(device)
    deliver([rows])
    first = events(device)

    deliver([rows, rows[:5]])

    assert events(device) == first
    with tenant_context(device.tenant_id):
        assert GeofenceEvent.objects.filter(device=device).count() == 4


def test_an_offline_buffer_replayed_hours_later_gives_the_in_order_events(device: Device) -> None:
    rows = route(device)
    # The phone was offline from its 5th to its 30th fix: it sent the rest first, then, hours
    # later, the buffer. Meanwhile the gap looked like a jump from outside A to beyond it.
    buffered = rows[5:30]
    deliver([[r] for r in rows if r not in buffered])
    before = events(device)
    deliver([buffered])

    assert events(device) == EXPECTED_EVENTS_OF(device)
    assert before != events(device)  # the replay changed what happened
    with tenant_context(device.tenant_id):
        retracted = GeofenceEvent.objects.filter(device=device, retracted_at__isnull=False)
        assert retracted.count() >= 1  # kept, marked, never deleted


def EXPECTED_EVENTS_OF(device: Device) -> list[tuple[str, str, dt.datetime, bool]]:
    """The events of in-order arrival for ``device``'s route, derived in a fresh tenant."""
    other = make_device(make_manager()).device
    make_geofences(other.tenant_id)
    deliver([[r] for r in route(other)])
    return events(other)


def test_impossible_jumps_neither_trigger_nor_count(device: Device) -> None:
    # Four fixes inside B, 3.7 km from the fix 5 s before (2,700 km/h), for 21 s (past the
    # dwell), and one 500 km away a minute later: all implausible, no event. (Five refusals
    # in a row; a sixth would be taken as the device moved while off, geo.fixes.)
    rows = [row(device, 0, -500.0)]
    rows += [row(device, 5 + 7 * i, 3200.0) for i in range(4)]
    rows += [row(device, 60, 500_000.0)]
    rows += [row(device, 60 + 10 * i, -500.0 + 20 * i) for i in range(1, 6)]

    deliver([rows])

    assert events(device) == []


def test_a_fix_500_km_away_in_the_middle_of_a_crossing_is_ignored(device: Device) -> None:
    rows = route(device)
    jump = row(device, 105, 500_000.0)  # between two fixes inside A

    deliver([[r] for r in sorted([*rows, jump], key=lambda r: r.fix_time)])

    assert [(g, k) for g, k, _, _ in events(device)] == EXPECTED_KINDS


def test_a_fix_the_device_marked_invalid_does_not_trigger(device: Device) -> None:
    rows = [
        row(device, 0, -500.0),
        row(device, 10, 500.0, valid=False),
        row(device, 40, 500.0, valid=False),
    ]

    deliver([rows])

    assert events(device) == []


def test_an_event_that_happens_again_is_restored_not_duplicated(device: Device) -> None:
    rows = route(device)
    deliver([rows[:12]])  # entered A
    with tenant_context(device.tenant_id):
        enter = GeofenceEvent.objects.get(device=device)
        GeofenceEvent.objects.filter(pk=enter.pk).update(retracted_at=NOW)

        device_events_derive(device_id=device.pk, since=T0, now=NOW)

        again = GeofenceEvent.objects.get(device=device)
    assert (again.pk, again.retracted_at) == (enter.pk, None)


def test_a_device_left_owed_when_a_position_arrives_during_its_derivation(device: Device) -> None:
    rows = route(device)
    write_positions(rows[:5])
    from logitrack.tracking.geo import backlog

    owed = backlog.claim("geofences_from")
    write_positions(rows[5:10])  # written meanwhile: bumps the version

    with tenant_context(device.tenant_id):
        device_events_derive(device_id=device.pk, since=owed[0].since, now=NOW)
    assert backlog.settle("geofences_from", owed[0]) is False
    assert geofences_derive_owed(now=NOW) == 1
    assert backlog.claim("geofences_from") == []


def test_the_tenants_hysteresis_and_dwell_are_used(device: Device) -> None:
    with tenant_context(device.tenant_id):
        TenantDeviceSettings.objects.create(
            tenant_id=device.tenant_id, geofence_hysteresis_m=0, geofence_min_dwell_s=0
        )
    rows = [row(device, 10 * i, m) for i, m in enumerate([-100.0, 15.0, -15.0, 15.0, -15.0])]

    deliver([rows])

    assert [k for _, k, _, _ in events(device)] == ["enter", "exit", "enter", "exit"]


def test_a_geofence_counts_only_from_its_creation(device: Device) -> None:
    with tenant_context(device.tenant_id):
        Geofence.objects.update(created_at=T0 + dt.timedelta(hours=1))

    deliver([route(device)])

    assert events(device) == []


_REFERENCE: dict[str, list[tuple[str, str, dt.timedelta, bool]]] = {}


def _relative(device: Device) -> list[tuple[str, str, dt.timedelta, bool]]:
    return [(g, k, t - T0, i) for g, k, t, i in events(device)]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(1, 40), max_size=6))
def test_any_arrival_order_and_batching_gives_the_events_of_in_order_arrival(
    device: Device, seed: int, cuts: list[int]
) -> None:
    with tenant_context(device.tenant_id):
        GeofenceEvent.objects.filter(device=device).delete()
        Position.objects.filter(device=device).delete()
        PositionBacklog.objects.filter(device=device).delete()
    rows = route(device)
    if "in_order" not in _REFERENCE:
        deliver([[r] for r in rows])
        _REFERENCE["in_order"] = _relative(device)
        with tenant_context(device.tenant_id):
            GeofenceEvent.objects.filter(device=device).delete()
            Position.objects.filter(device=device).delete()
            PositionBacklog.objects.filter(device=device).delete()
    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)  # noqa: S311 - a test's arrival order
    bounds = sorted({c for c in cuts if c < len(shuffled)})
    batches = [shuffled[a:b] for a, b in zip([0, *bounds], [*bounds, len(shuffled)], strict=True)]

    deliver(batches)

    assert _relative(device) == _REFERENCE["in_order"]
    assert [(g, k) for g, k, _, _ in _REFERENCE["in_order"]] == EXPECTED_KINDS


def test_the_periodic_job_derives_the_owed_devices(device: Device) -> None:
    from logitrack.tracking.tasks import geofence_events_run

    write_positions(route(device)[:12])

    assert geofence_events_run.call() == 1
    assert [k for _, k, _, _ in events(device)] == ["enter"]
    assert geofence_events_run.call() == 0  # settled: nothing owed any more
