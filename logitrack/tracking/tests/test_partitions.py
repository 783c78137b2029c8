"""Daily partitions of positions on PostgreSQL: created ahead, rows waiting in the default
partition moved into a new day's partition, nothing lost or doubled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from logitrack.tracking.ingest.writer import PositionRow, write_positions
from logitrack.tracking.models import Position
from logitrack.tracking.partitions import (
    DAYS_AHEAD,
    existing_partitions,
    partition_create,
    partition_name,
    partitions_ensure,
)
from logitrack.tracking.tests.factories import make_device, make_manager

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="native partitioning is PostgreSQL's"
    ),
]


def _partition_of(position_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM tracking_position WHERE id = %s", [position_id]
        )
        return str(cursor.fetchone()[0])


def test_the_migration_creates_the_coming_days() -> None:
    today = dt.datetime.now(dt.UTC).date()

    names = existing_partitions()

    assert partition_name(today + dt.timedelta(days=DAYS_AHEAD)) in names
    assert "tracking_position_default" in names
    assert partitions_ensure() == []


def test_rows_in_the_default_partition_move_into_a_new_day() -> None:
    device = make_device(make_manager()).device
    day = dt.date(2030, 6, 1)
    fix = dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.UTC)
    row = PositionRow(
        tenant_id=device.tenant_id,
        device_id=device.pk,
        driver_id=None,
        fix_time=fix,
        device_time=fix,
        server_time=fix,
        latitude=10.0,
        longitude=106.0,
    )
    write_positions([row])
    position = Position.dangerously_unscoped.get()
    assert _partition_of(position.pk) == "tracking_position_default"

    created = partition_create(day)

    assert created is True
    assert _partition_of(position.pk) == partition_name(day)
    assert Position.dangerously_unscoped.count() == 1
    write_positions([row])
    assert Position.dangerously_unscoped.count() == 1


def test_the_command_reports_what_it_created(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("tracking_partitions", "--ahead", str(DAYS_AHEAD + 2))

    out = capsys.readouterr().out
    assert out.endswith("2 partition(s) created\n")
