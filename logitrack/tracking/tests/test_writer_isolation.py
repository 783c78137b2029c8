"""The group-commit writer: a row the database (or its JSON encoding) refuses fails only the
request that sent it; every other request gathered into the same transaction is stored and
acknowledged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from logitrack.tracking.ingest.writer import GroupCommitWriter, PositionRow
from logitrack.tracking.models import Device, Position
from logitrack.tracking.tests.factories import make_device, make_manager

pytestmark = pytest.mark.django_db(transaction=True)


def _row(device: Device, minutes_ago: int, **attributes: object) -> PositionRow:
    now = timezone.now()
    return PositionRow(
        tenant_id=device.tenant_id,
        device_id=device.pk,
        driver_id=None,
        fix_time=now - dt.timedelta(minutes=minutes_ago),
        device_time=None,
        server_time=now,
        latitude=10.0,
        longitude=106.0,
        attributes=dict(attributes),
    )


def test_a_poisoned_request_fails_alone_and_the_others_in_its_transaction_are_stored() -> None:
    good = make_device(make_manager()).device
    hostile = make_device(make_manager()).device
    # A window long enough that all three tickets are gathered into one transaction.
    writer = GroupCommitWriter(window=0.5)
    try:
        first = writer.submit([_row(good, 3)])
        # NaN cannot be written as JSON (allow_nan=False): the row is refused whole.
        poisoned = writer.submit([_row(hostile, 2, speed_hint=float("nan"))])
        second = writer.submit([_row(good, 1)])

        assert first.wait(10)
        assert second.wait(10)
        assert poisoned.wait(10) is False
    finally:
        writer.stop()

    assert (first.error, second.error) == (None, None)
    assert poisoned.error is not None
    assert Position.dangerously_unscoped.filter(device=good).count() == 2
    assert not Position.dangerously_unscoped.filter(device=hostile).exists()
