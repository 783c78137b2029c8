"""``write_positions``, on whichever database the run uses (SQLite: multi-row VALUES;
PostgreSQL: binary COPY into a staging table, then INSERT ... SELECT; docs/adr/0040): the count of
rows newly inserted, idempotency per (device, fix time), the latest position by fix time, last
seen, the attributes stored as a JSON object, and on PostgreSQL the day's partition."""

from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.utils import timezone

from logitrack.tracking.ingest import writer as writer_module
from logitrack.tracking.ingest.writer import PositionRow, write_positions
from logitrack.tracking.models import Device, DeviceLatest, Position
from logitrack.tracking.tests.factories import make_device, make_manager

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def _row(device: Device, seconds_ago: int, **fields: object) -> PositionRow:
    values: dict[str, object] = {
        "tenant_id": device.tenant_id,
        "device_id": device.pk,
        "driver_id": None,
        "fix_time": NOW - dt.timedelta(seconds=seconds_ago),
        "device_time": None,
        "server_time": NOW,
        "latitude": 10.0 + seconds_ago / 1000,
        "longitude": 106.0,
    }
    values.update(fields)
    return PositionRow(**values)  # type: ignore[arg-type]


def _stored(device: Device) -> list[dt.datetime]:
    return list(
        Position.dangerously_unscoped.filter(device=device)
        .order_by("fix_time")
        .values_list("fix_time", flat=True)
    )


def test_the_count_is_of_new_rows_and_a_fix_sent_twice_is_stored_once() -> None:
    device = make_device(make_manager()).device
    other = make_device(make_manager()).device

    first = write_positions([_row(device, 30), _row(device, 20), _row(device, 30), _row(other, 5)])
    again = write_positions([_row(device, 20), _row(device, 10), _row(other, 5)])

    assert (first, again) == (3, 1)
    assert _stored(device) == [NOW - dt.timedelta(seconds=s) for s in (30, 20, 10)]
    assert _stored(other) == [NOW - dt.timedelta(seconds=5)]


def test_the_latest_position_is_the_newest_fix_whatever_the_order_of_arrival() -> None:
    device = make_device(make_manager()).device

    write_positions([_row(device, 10, speed=4), _row(device, 40, speed=1)])
    write_positions([_row(device, 60, speed=9)])  # an offline buffer replayed late

    latest = DeviceLatest.dangerously_unscoped.get(device=device)
    assert latest.fix_time == NOW - dt.timedelta(seconds=10)
    assert (latest.latitude, latest.speed) == (10.01, 4.0)

    write_positions([_row(device, 1, speed=7)])

    latest.refresh_from_db()
    assert latest.fix_time == NOW - dt.timedelta(seconds=1)
    assert latest.speed == 7.0


def test_every_column_and_the_attributes_are_stored_as_sent() -> None:
    device = make_device(make_manager()).device
    row = _row(
        device,
        3,
        device_time=NOW - dt.timedelta(seconds=4),
        speed=2,  # an integer where a float is expected
        course=90.5,
        altitude=12.0,
        accuracy=5.0,
        battery=80.0,
        valid=False,
        attributes={"batt": 80, "cell": ["452,04,1,2"], "note": "Nguyễn"},
    )

    write_positions([row, _row(device, 2)])

    stored = Position.dangerously_unscoped.get(device=device, fix_time=row.fix_time)
    assert (stored.device_time, stored.server_time) == (row.device_time, NOW)
    assert (stored.speed, stored.course, stored.altitude, stored.accuracy, stored.battery) == (
        2.0,
        90.5,
        12.0,
        5.0,
        80.0,
    )
    assert stored.valid is False
    assert stored.attributes == {"batt": 80, "cell": ["452,04,1,2"], "note": "Nguyễn"}
    plain = Position.dangerously_unscoped.get(device=device, fix_time=NOW - dt.timedelta(seconds=2))
    assert (plain.attributes, plain.valid, plain.speed) == ({}, True, None)


def test_last_seen_is_set_only_when_the_process_has_not_marked_the_device_recently() -> None:
    device = make_device(make_manager()).device
    seen: dict[int, dt.datetime] = {}

    write_positions([_row(device, 5)], seen)
    Device.dangerously_unscoped.filter(pk=device.pk).update(last_seen_at=None)
    write_positions([_row(device, 4)], seen)  # marked 0 s ago by this process: not again

    assert seen == {device.pk: NOW}
    assert Device.dangerously_unscoped.get(pk=device.pk).last_seen_at is None

    write_positions([_row(device, 3)])

    assert Device.dangerously_unscoped.get(pk=device.pk).last_seen_at == NOW


def _write_then_fail(rows: list[PositionRow]) -> None:
    with transaction.atomic():
        write_positions(rows)
        raise RuntimeError("the commit failed")


def test_a_write_rolled_back_leaves_nothing_and_the_next_write_succeeds() -> None:
    device = make_device(make_manager()).device

    with pytest.raises(RuntimeError):
        _write_then_fail([_row(device, 9)])
    # PostgreSQL: the staging table created in that transaction is gone with it.
    inserted = write_positions([_row(device, 8), _row(device, 9)])

    assert inserted == 2
    assert _stored(device) == [NOW - dt.timedelta(seconds=s) for s in (9, 8)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="native partitioning is PostgreSQL's")
def test_on_postgresql_a_fix_goes_to_its_day_partition() -> None:
    device = make_device(make_manager()).device
    far = NOW - dt.timedelta(days=400)

    write_positions([_row(device, 1), _row(device, 0, fix_time=far)])

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM tracking_position WHERE device_id = %s "
            "ORDER BY fix_time",
            [device.pk],
        )
        tables = [name for (name,) in cursor.fetchall()]
    today = (NOW - dt.timedelta(seconds=1)).astimezone(dt.UTC)
    assert tables == ["tracking_position_default", f"tracking_position_p{today:%Y%m%d}"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the staging table is PostgreSQL's")
def test_on_postgresql_a_session_creates_its_staging_table_once_it_has_committed_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    device = make_device(make_manager()).device
    connection.close()  # a new session: no staging table yet
    with pytest.raises(RuntimeError):
        _write_then_fail([_row(device, 9)])
    with transaction.atomic():
        write_positions([_row(device, 8)])  # the table of the rolled-back one is gone: created
    # From now on the session is not asked again: a create would fail the write.
    monkeypatch.setattr(writer_module, "_PG_CREATE_STAGE", "SELECT 1 / 0")
    with transaction.atomic():
        inserted = write_positions([_row(device, 7), _row(device, 9)])

    assert inserted == 2
    assert _stored(device) == [NOW - dt.timedelta(seconds=s) for s in (9, 8, 7)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the staging table is PostgreSQL's")
def test_on_postgresql_a_staging_table_created_by_a_rolled_back_transaction_is_asked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    device = make_device(make_manager()).device
    connection.close()
    with pytest.raises(RuntimeError):
        _write_then_fail([_row(device, 9)])
    monkeypatch.setattr(writer_module, "_PG_CREATE_STAGE", "SELECT 1 / 0")

    import psycopg

    with pytest.raises(psycopg.errors.DivisionByZero), transaction.atomic():
        write_positions([_row(device, 8)])


@pytest.mark.django_db(transaction=True)
def test_the_writer_checks_its_connection_only_after_a_failure_or_a_quiet_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    device = make_device(make_manager()).device
    checks: list[int] = []
    monkeypatch.setattr(writer_module, "close_old_connections", lambda: checks.append(1))
    # The writer's clock stands still unless the test moves it: on a loaded machine three real
    # commits can take longer than HEALTHY_FOR, which is not what this test is about.
    clock = [time.monotonic()]
    monkeypatch.setattr(writer_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    # A connection the suite opened long ago is past CONN_MAX_AGE, which rightly means a check
    # before every commit; this test's connection is young.
    connection.ensure_connection()
    monkeypatch.setattr(connection, "close_at", clock[0] + 60)
    group = writer_module.GroupCommitWriter()

    for seconds_ago in (3, 2, 1):  # back to back: checked before the first only
        assert group._commit([writer_module.Ticket([_row(device, seconds_ago)])]) is None
    assert len(checks) == 1
    clock[0] += writer_module.HEALTHY_FOR  # the writer was quiet for a while
    assert group._commit([writer_module.Ticket([_row(device, 0)])]) is None
    assert len(checks) == 2
    with monkeypatch.context() as failing:
        failing.setattr(writer_module, "write_positions", _refuse)
        assert group._commit([writer_module.Ticket([_row(device, 5)])]) is not None
    assert group._commit([writer_module.Ticket([_row(device, 4)])]) is None  # after a failure
    assert len(checks) == 3


def _refuse(*args: object) -> int:
    raise RuntimeError("the database refused")
