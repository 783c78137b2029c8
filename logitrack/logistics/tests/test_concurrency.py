"""Concurrent events of one shipment serialise on its row lock (PostgreSQL only: SQLite lets
one writer in at a time, so the race cannot happen there)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.logistics.errors import LogisticsError
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.logistics.services.transitions import shipment_record_event
from logitrack.logistics.tests.factories import make_order, operations_principal
from logitrack.tenancy.tests.factories import make_tenant

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _race(shipment: Shipment, calls: list[dict[str, Any]]) -> list[Any]:
    actor = operations_principal(shipment.tenant)
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    # One event time for every racer: with each thread reading its own clock, a racer that read
    # it before the winner but locked the row after would rightly be kept as a late event
    # (applied=False), and the race would test the clock instead of the lock.
    occurred_at = timezone.now()

    def run(index: int, call: dict[str, Any]) -> None:
        try:
            barrier.wait(5)
            with tenant_context(shipment.tenant):
                results[index] = shipment_record_event(
                    actor=actor,
                    shipment=shipment,
                    occurred_at=occurred_at,
                    source="device",
                    **call,
                )
        except LogisticsError as exc:
            results[index] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def _created_a_minute_ago() -> Shipment:
    shipment = make_order(make_tenant()).shipments[0]
    earlier = timezone.now() - timedelta(minutes=1)
    Shipment.dangerously_unscoped.filter(pk=shipment.pk).update(status_changed_at=earlier)
    shipment.refresh_from_db()
    return shipment


def test_of_concurrent_conflicting_events_exactly_one_moves_the_status() -> None:
    shipment = _created_a_minute_ago()
    calls = [
        {"status": "picked_up" if n % 2 else "cancelled", "idempotency_key": f"race-{n}"}
        for n in range(6)
    ]

    results = _race(shipment, calls)

    winners = [r for r in results if not isinstance(r, str) and r.applied]
    assert len(winners) == 1
    losers = [r for r in results if isinstance(r, str) or not r.applied]
    assert len(losers) == 5
    # A loser is refused, or (when the row's time moved past its own) kept as a late event.
    assert all(r == "transition_forbidden" or not r.applied for r in losers)
    fresh = Shipment.dangerously_unscoped.get(pk=shipment.pk)
    assert fresh.status == winners[0].event.status
    applied = ShipmentEvent.dangerously_unscoped.filter(shipment=shipment, applied=True)
    assert applied.count() == 2  # "created" and the winner


def test_a_key_sent_by_several_devices_at_once_is_recorded_once() -> None:
    shipment = _created_a_minute_ago()

    results = _race(shipment, [{"status": "picked_up", "idempotency_key": "same"}] * 5)

    assert {r.event.pk for r in results} == {results[0].event.pk}
    assert sorted(r.replayed for r in results) == [False, True, True, True, True]
    assert ShipmentEvent.dangerously_unscoped.filter(idempotency_key="same").count() == 1
