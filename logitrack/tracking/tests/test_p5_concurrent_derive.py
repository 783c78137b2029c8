"""Attack probe (PostgreSQL): two geofence derivations of the same device at once. The claim
takes no lock, so two workers running ``geofences_derive_owed()`` derive the same device; the
second one's insert of the same events must not fail."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from logitrack.core.tenant import tenant_context
from logitrack.tracking.geo import backlog
from logitrack.tracking.geo.derive import device_events_derive, geofences_derive_owed
from logitrack.tracking.ingest.writer import write_positions
from logitrack.tracking.models import GeofenceEvent, PositionBacklog
from logitrack.tracking.tests.factories import make_device, make_manager
from logitrack.tracking.tests.test_geofence_derive import NOW, make_geofences, route

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="derivations are ordered by a PostgreSQL advisory lock; SQLite admits one writer at "
    "a time, so two derivations cannot overlap there",
)
def test_two_derivations_of_the_same_device_at_once_both_succeed() -> None:
    device = make_device(make_manager()).device
    make_geofences(device.tenant_id)
    with transaction.atomic():  # the staging table is ON COMMIT DELETE ROWS: autocommit loses all
        write_positions(route(device)[:12])
    owed = backlog.claim("geofences_from")
    assert len(owed) == 1
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with tenant_context(device.tenant_id):
                device_events_derive(device_id=device.pk, since=owed[0].since, now=NOW)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    with transaction.atomic(), tenant_context(device.tenant_id):
        first = device_events_derive(device_id=device.pk, since=owed[0].since, now=NOW)
        assert first.created == 1, first
        worker = threading.Thread(target=second)
        worker.start()
        worker.join(timeout=1.0)  # the second one waits on the first one's uncommitted rows
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert errors == [], errors
    assert GeofenceEvent.dangerously_unscoped.filter(device=device).count() == 1
    # and the round afterwards settles the device
    assert geofences_derive_owed(now=NOW) == 1
    assert PositionBacklog.dangerously_unscoped.get(device=device).geofences_from is None


def test_positions_written_outside_a_transaction_are_stored_or_refused() -> None:
    # write_positions "stores rows in the current transaction"; in autocommit the COPY into the
    # ON COMMIT DELETE ROWS staging table commits (and empties) before the INSERT ... SELECT,
    # yet the latest row and the backlog mark are written: a silent loss. Refuse or store.
    device = make_device(make_manager()).device
    rows = route(device)[:12]
    try:
        stored = write_positions(rows)
    except Exception:
        return
    assert stored == len(rows)
