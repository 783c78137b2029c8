"""The derivations' backlog (``models.PositionBacklog``, ``geo.backlog``): the position writer
lowers a device's marks to the earliest fix time it stores, in the same transaction, and a
consumer clears a mark only when no position was written since it claimed it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from logitrack.tracking.geo import backlog
from logitrack.tracking.ingest.writer import PositionRow, write_positions
from logitrack.tracking.models import Device, PositionBacklog
from logitrack.tracking.tests.factories import make_device, make_manager

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def _row(device: Device, minutes_ago: int) -> PositionRow:
    return PositionRow(
        tenant_id=device.tenant_id,
        device_id=device.pk,
        driver_id=None,
        fix_time=NOW - dt.timedelta(minutes=minutes_ago),
        device_time=None,
        server_time=NOW,
        latitude=10.0 + minutes_ago / 1000,
        longitude=106.0,
    )


def _marks(device: Device) -> tuple[dt.datetime | None, dt.datetime | None]:
    row = PositionBacklog.dangerously_unscoped.get(device=device)
    return row.geofences_from, row.trips_from


def test_the_writer_owes_each_device_its_earliest_fix_of_the_batch() -> None:
    device = make_device(make_manager()).device
    other = make_device(make_manager()).device

    write_positions([_row(device, 5), _row(device, 9), _row(other, 1), _row(device, 7)])

    assert _marks(device) == (NOW - dt.timedelta(minutes=9),) * 2
    assert _marks(other) == (NOW - dt.timedelta(minutes=1),) * 2
    assert PositionBacklog.dangerously_unscoped.get(device=other).tenant_id == other.tenant_id


def test_a_late_replay_lowers_the_mark_and_a_newer_fix_never_raises_it() -> None:
    device = make_device(make_manager()).device
    write_positions([_row(device, 10)])

    write_positions([_row(device, 2)])
    assert _marks(device)[0] == NOW - dt.timedelta(minutes=10)
    write_positions([_row(device, 300)])  # an offline buffer, hours late

    assert _marks(device) == (NOW - dt.timedelta(minutes=300),) * 2


def test_a_consumer_clears_its_own_mark_only_when_nothing_was_written_since_its_claim() -> None:
    device = make_device(make_manager()).device
    write_positions([_row(device, 10)])
    [owed] = [o for o in backlog.claim("geofences_from") if o.device_id == device.pk]

    write_positions([_row(device, 1)])  # arrives while the consumer derives
    assert backlog.settle("geofences_from", owed) is False
    assert _marks(device)[0] == NOW - dt.timedelta(minutes=10)

    [again] = [o for o in backlog.claim("geofences_from") if o.device_id == device.pk]
    assert backlog.settle("geofences_from", again) is True
    assert _marks(device) == (None, NOW - dt.timedelta(minutes=10))
    assert device.pk not in {o.device_id for o in backlog.claim("geofences_from")}


def test_mark_owes_a_device_from_an_earlier_time_and_never_raises_the_mark() -> None:
    device = make_device(make_manager()).device
    backlog.mark("trips_from", device_id=device.pk, tenant_id=device.tenant_id, since=NOW)
    write_positions([_row(device, 30)])

    backlog.mark("trips_from", device_id=device.pk, tenant_id=device.tenant_id, since=NOW)
    backlog.mark(
        "geofences_from",
        device_id=device.pk,
        tenant_id=device.tenant_id,
        since=NOW - dt.timedelta(days=1),
    )

    assert _marks(device) == (NOW - dt.timedelta(days=1), NOW - dt.timedelta(minutes=30))
