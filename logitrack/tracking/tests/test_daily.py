"""Daily summaries (``geo.daily``): derived from the backlog, a trip over midnight split
between its days, late positions re-deriving a past day, and any period equal to the sum of
its days."""

from __future__ import annotations

import datetime as dt

import pytest

from logitrack.tracking.geo.daily import day_start, trips_derive_owed
from logitrack.tracking.geo.trips import device_trips_and_stops
from logitrack.tracking.models import DailySummary, Device, PositionBacklog
from logitrack.tracking.tests.factories import make_device, make_manager
from logitrack.tracking.tests.tracks import drive, path_m, stop, store

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 2)
MIDNIGHT = day_start(DAY + dt.timedelta(days=1))  # 2026-11-02 17:00 UTC
A = (10.7700, 106.6900)


def _summaries(device: Device) -> dict[dt.date, DailySummary]:
    return {s.day: s for s in DailySummary.dangerously_unscoped.filter(device=device)}


def _over_midnight() -> list[tuple[dt.datetime, float, float, float | None, bool]]:
    """Parked at A from 23:30, a 30-minute drive from 23:45 to 00:15, parked at B to 00:30."""
    parked = stop(MIDNIGHT - dt.timedelta(minutes=30), minutes=15, at=A)
    out = drive(parked[-1][0], minutes=30, origin=A)
    at_b = stop(out[-1][0] + dt.timedelta(seconds=10), minutes=15, at=out[-1][1:3])
    return parked + out + at_b


def test_a_trip_over_midnight_is_split_between_its_two_days() -> None:
    device = make_device(make_manager()).device
    fixes = _over_midnight()
    store(device, fixes)

    assert trips_derive_owed() == 1

    days = _summaries(device)
    assert sorted(days) == [DAY, DAY + dt.timedelta(days=1)]
    evening, morning = days[DAY], days[DAY + dt.timedelta(days=1)]
    whole = path_m([(fixes[90][0], *A, 0.0, True), *fixes[91:271]])
    assert evening.distance_m + morning.distance_m == pytest.approx(whole, abs=1e-6)
    assert evening.distance_m == pytest.approx(whole / 2, rel=0.01)  # 15 of its 30 minutes
    assert (evening.moving_s, morning.moving_s) == (900.0, 910.0)
    assert (evening.stopped_s, morning.stopped_s) == (900.0, 900.0)
    assert (evening.trip_count, morning.trip_count) == (1, 0)  # counted where it began
    assert evening.max_speed_kmh == pytest.approx(36.0)
    assert evening.positions + morning.positions == len(fixes)
    assert evening.first_fix == fixes[0][0]
    assert morning.last_fix == fixes[-1][0]
    assert PositionBacklog.dangerously_unscoped.get(device=device).trips_from is None


def test_late_positions_update_a_past_days_summary() -> None:
    device = make_device(make_manager()).device
    earlier = stop(day_start(DAY) + dt.timedelta(hours=8), minutes=10, at=A)
    store(device, earlier)
    store(device, _over_midnight())
    trips_derive_owed()
    before = _summaries(device)[DAY]

    # A phone's offline buffer arrives the next day: a round trip that morning.
    out = drive(earlier[-1][0], minutes=20, origin=A)
    there = stop(out[-1][0] + dt.timedelta(seconds=10), minutes=10, at=out[-1][1:3])
    back = drive(there[-1][0], minutes=20, origin=there[-1][1:3], eastward=False)
    home = stop(back[-1][0] + dt.timedelta(seconds=10), minutes=10, at=A)
    late = out + there + back + home
    store(device, late, server_time=MIDNIGHT + dt.timedelta(hours=10))
    assert trips_derive_owed() == 1

    after = _summaries(device)[DAY]
    legs = path_m(earlier[-1:] + out) + path_m(there[-1:] + back + home[:1])
    assert after.distance_m == pytest.approx(before.distance_m + legs, abs=1e-6)
    assert after.trip_count == before.trip_count + 2
    assert after.moving_s == before.moving_s + 2 * 1210
    assert after.positions == before.positions + len(late)
    assert trips_derive_owed() == 0  # settled


def test_any_period_is_the_sum_of_its_days() -> None:
    device = make_device(make_manager()).device
    fixes = _over_midnight()
    b = fixes[-1][1:3]
    # Parked at B until the morning after next (reporting again before leaving), then home.
    again = stop(fixes[-1][0] + dt.timedelta(hours=30), minutes=5, at=b)
    back = drive(again[-1][0], minutes=30, origin=b, eastward=False)
    home = stop(back[-1][0] + dt.timedelta(seconds=10), minutes=15, at=A)
    store(device, fixes + again + back + home)
    trips_derive_owed()
    days = _summaries(device)
    start, end = day_start(DAY), day_start(DAY + dt.timedelta(days=3))

    period = device_trips_and_stops(
        tenant_id=device.tenant_id, device_id=device.pk, start=start, end=end
    )

    assert len(days) == 3
    assert sum(d.distance_m for d in days.values()) == pytest.approx(period.distance_m, abs=1e-6)
    assert sum(d.moving_s for d in days.values()) == period.moving_s
    assert sum(d.stopped_s for d in days.values()) == period.stopped_s
    assert sum(d.trip_count for d in days.values()) == period.trip_count == 2
    assert period.moving_s == 1810 + 1810
    assert days[DAY + dt.timedelta(days=1)].stopped_s == 24 * 3600 - 910
    assert max(d.max_speed_kmh for d in days.values()) == period.max_speed_kmh


def test_a_device_written_to_while_derived_stays_owed() -> None:
    from logitrack.tracking.geo import backlog
    from logitrack.tracking.geo.daily import device_days_derive

    device = make_device(make_manager()).device
    store(device, _over_midnight())
    [owed] = backlog.claim("trips_from")
    device_days_derive(tenant_id=owed.tenant_id, device_id=owed.device_id, since=owed.since)
    store(device, stop(MIDNIGHT + dt.timedelta(hours=5), minutes=10, at=A))

    assert backlog.settle("trips_from", owed) is False
    assert trips_derive_owed() == 1
    assert DAY + dt.timedelta(days=1) in _summaries(device)
