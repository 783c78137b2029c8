"""The one transition service: the status machine, idempotency, late events, refusals."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.logistics.actors import SystemCaller
from logitrack.logistics.errors import (
    EventInFuture,
    EventInvalid,
    IdempotencyKeyReused,
    NotAllowed,
    ReasonRequired,
    TransitionForbidden,
)
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.logistics.services.transitions import shipment_record_event
from logitrack.logistics.status import ShipmentStatus
from logitrack.logistics.tests.factories import (
    make_order,
    make_order_row,
    make_shipment_row,
    make_shipper,
    operations_principal,
)
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_tenant

pytestmark = pytest.mark.django_db

S = ShipmentStatus
ALLOWED = {
    (S.CREATED, S.PICKED_UP),
    (S.CREATED, S.CANCELLED),
    (S.PICKED_UP, S.IN_TRANSIT),
    (S.IN_TRANSIT, S.AT_HUB),
    (S.AT_HUB, S.OUT_FOR_DELIVERY),
    (S.AT_HUB, S.IN_TRANSIT),
    (S.OUT_FOR_DELIVERY, S.DELIVERED),
    (S.OUT_FOR_DELIVERY, S.FAILED_ATTEMPT),
    (S.FAILED_ATTEMPT, S.OUT_FOR_DELIVERY),
    (S.FAILED_ATTEMPT, S.RETURNING),
    (S.RETURNING, S.RETURNED),
}
_keys = itertools.count(1)


def _record(shipment: Shipment, status: str | None, **kwargs: Any) -> Any:
    values: dict[str, Any] = {
        "actor": kwargs.pop("actor", None) or operations_principal(shipment.tenant),
        "shipment": shipment,
        "status": status,
        "occurred_at": timezone.now(),
        "source": "device",
        "idempotency_key": f"evt-{next(_keys)}",
    }
    if status == S.FAILED_ATTEMPT:
        values["reason"] = "recipient_absent"
    values.update(kwargs)
    with tenant_context(shipment.tenant):
        return shipment_record_event(**values)


def _fresh_shipment(parcels: int = 1) -> list[Shipment]:
    """Shipments created a day ago, so that events of the last hours are not older than them."""
    shipments = make_order(make_tenant(), parcels=parcels).shipments
    day_ago = timezone.now() - timedelta(days=1)
    Shipment.dangerously_unscoped.filter(pk__in=[s.pk for s in shipments]).update(
        status_changed_at=day_ago, created_at=day_ago
    )
    ShipmentEvent.dangerously_unscoped.filter(shipment__in=shipments).update(occurred_at=day_ago)
    for shipment in shipments:
        shipment.refresh_from_db()
    return shipments


def _state(shipment: Shipment) -> tuple[str, Any, int]:
    fresh = Shipment.dangerously_unscoped.get(pk=shipment.pk)
    events = ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).count()
    return fresh.status, fresh.status_changed_at, events


def test_every_pair_of_statuses_moves_exactly_as_the_machine_says() -> None:
    tenant = make_tenant()
    order = make_order_row(make_shipper(tenant))
    actor = operations_principal(tenant)
    earlier = timezone.now() - timedelta(hours=1)
    moved = set()
    for current, target in itertools.product(S, S):
        shipment = make_shipment_row(order, status=current, at=earlier)
        before = _state(shipment)
        try:
            outcome = _record(shipment, target, actor=actor)
        except TransitionForbidden:
            assert _state(shipment) == before
            continue
        assert outcome.applied
        assert _state(shipment)[0] == target
        moved.add((current, target))

    assert moved == ALLOWED


def test_a_parcel_travels_the_whole_way_and_its_timeline_keeps_every_step() -> None:
    (shipment,) = _fresh_shipment()
    start = timezone.now() - timedelta(hours=10)
    path = [
        S.PICKED_UP,
        S.IN_TRANSIT,
        S.AT_HUB,
        S.OUT_FOR_DELIVERY,
        S.FAILED_ATTEMPT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERED,
    ]
    for hour, status in enumerate(path, start=1):
        _record(shipment, status, occurred_at=start + timedelta(hours=hour), place=f"Kho {hour}")

    events = ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).order_by("occurred_at")
    assert [e.status for e in events][1:] == [s.value for s in path]
    assert all(e.applied for e in events)
    fresh = Shipment.dangerously_unscoped.get(pk=shipment.pk)
    assert fresh.status == S.DELIVERED
    assert fresh.current_place == "Kho 7"


def test_a_replayed_key_changes_nothing_and_returns_the_first_outcome() -> None:
    (shipment,) = _fresh_shipment()
    first = _record(shipment, S.PICKED_UP, idempotency_key="gps-1")
    audit_before = AuditEntry.objects.count()
    state = _state(shipment)

    again = _record(shipment, S.PICKED_UP, idempotency_key="gps-1")

    assert again.replayed
    assert not first.replayed
    assert again.event.pk == first.event.pk
    assert again.applied is True
    assert _state(shipment) == state
    assert AuditEntry.objects.count() == audit_before


def test_a_replayed_key_of_a_refused_transition_is_refused_again_without_saving() -> None:
    (shipment,) = _fresh_shipment()
    with pytest.raises(TransitionForbidden):
        _record(shipment, S.DELIVERED, idempotency_key="k")

    with pytest.raises(TransitionForbidden):
        _record(shipment, S.DELIVERED, idempotency_key="k")

    assert _state(shipment)[0] == S.CREATED
    assert not ShipmentEvent.dangerously_unscoped.filter(idempotency_key="k").exists()


def test_the_same_key_for_another_status_or_shipment_is_a_conflict() -> None:
    one, two = _fresh_shipment(parcels=2)
    _record(one, S.PICKED_UP, idempotency_key="dup")
    state = _state(two)

    with pytest.raises(IdempotencyKeyReused):
        _record(one, S.CANCELLED, idempotency_key="dup")
    with pytest.raises(IdempotencyKeyReused):
        _record(two, S.PICKED_UP, idempotency_key="dup")

    assert _state(two) == state
    assert _state(one)[0] == S.PICKED_UP


def test_an_event_older_than_the_current_status_is_kept_but_moves_nothing() -> None:
    (shipment,) = _fresh_shipment()
    now = timezone.now()
    _record(shipment, S.PICKED_UP, occurred_at=now - timedelta(hours=3))
    _record(shipment, S.IN_TRANSIT, occurred_at=now - timedelta(hours=1))

    late = _record(shipment, S.PICKED_UP, occurred_at=now - timedelta(hours=2), place="Bưu cục")

    assert not late.applied
    assert late.event.applied is False
    assert late.event.status_before == S.IN_TRANSIT
    fresh = Shipment.dangerously_unscoped.get(pk=shipment.pk)
    assert fresh.status == S.IN_TRANSIT
    assert fresh.status_changed_at == now - timedelta(hours=1)
    assert fresh.current_place == ""
    timeline = ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).order_by("occurred_at")
    assert [e.status for e in timeline] == ["created", "picked_up", "picked_up", "in_transit"]


def test_a_late_event_never_moves_a_delivered_shipment_backwards() -> None:
    (shipment,) = _fresh_shipment()
    now = timezone.now()
    for hours, status in ((5, S.PICKED_UP), (4, S.IN_TRANSIT), (3, S.AT_HUB)):
        _record(shipment, status, occurred_at=now - timedelta(hours=hours))
    _record(shipment, S.OUT_FOR_DELIVERY, occurred_at=now - timedelta(hours=2))
    _record(shipment, S.DELIVERED, occurred_at=now - timedelta(hours=1))

    late = _record(shipment, S.AT_HUB, occurred_at=now - timedelta(minutes=90))

    assert not late.applied
    assert _state(shipment)[0] == S.DELIVERED


def test_a_late_cancellation_is_refused() -> None:
    (shipment,) = _fresh_shipment()
    _record(shipment, S.PICKED_UP)
    state = _state(shipment)

    with pytest.raises(TransitionForbidden):
        _record(shipment, S.CANCELLED, occurred_at=timezone.now() - timedelta(days=1))

    assert _state(shipment) == state


def test_repeating_the_current_status_is_a_forbidden_transition() -> None:
    (shipment,) = _fresh_shipment()
    _record(shipment, S.PICKED_UP)
    state = _state(shipment)

    with pytest.raises(TransitionForbidden) as refused:
        _record(shipment, S.PICKED_UP)

    assert refused.value.code == "transition_forbidden"
    assert _state(shipment) == state


def test_a_failed_attempt_needs_a_reason_and_nothing_is_saved_without_one() -> None:
    (shipment,) = _fresh_shipment()
    now = timezone.now()
    for minutes, status in ((40, S.PICKED_UP), (30, S.IN_TRANSIT), (20, S.AT_HUB)):
        _record(shipment, status, occurred_at=now - timedelta(minutes=minutes))
    _record(shipment, S.OUT_FOR_DELIVERY, occurred_at=now - timedelta(minutes=10))
    state = _state(shipment)

    with pytest.raises(ReasonRequired):
        _record(shipment, S.FAILED_ATTEMPT, reason=None)
    with pytest.raises(ReasonRequired):
        _record(shipment, S.FAILED_ATTEMPT, reason="other", reason_text="  ")
    with pytest.raises(EventInvalid):
        _record(shipment, S.FAILED_ATTEMPT, reason="bored")
    assert _state(shipment) == state

    outcome = _record(shipment, S.FAILED_ATTEMPT, reason="other", reason_text="Chó dữ")
    assert outcome.event.failure_reason == "other"
    assert outcome.event.reason_text == "Chó dữ"


def test_a_reason_on_another_status_is_refused() -> None:
    (shipment,) = _fresh_shipment()
    state = _state(shipment)

    with pytest.raises(EventInvalid) as refused:
        _record(shipment, S.PICKED_UP, reason="recipient_absent")

    assert refused.value.field == "reason"
    assert _state(shipment) == state


def test_a_scan_records_the_place_without_moving_the_status() -> None:
    (shipment,) = _fresh_shipment()

    outcome = _record(shipment, None, place="Kho Tân Bình", province_code=79)

    assert not outcome.applied
    assert outcome.event.kind == "scan"
    fresh = Shipment.dangerously_unscoped.get(pk=shipment.pk)
    assert (fresh.status, fresh.current_place, fresh.current_province_code) == (
        "created",
        "Kho Tân Bình",
        79,
    )


def test_an_event_far_in_the_future_is_refused() -> None:
    (shipment,) = _fresh_shipment()
    state = _state(shipment)

    with pytest.raises(EventInFuture):
        _record(shipment, S.PICKED_UP, occurred_at=timezone.now() + timedelta(hours=1))

    assert _state(shipment) == state


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "lost"},
        {"source": "carrier_pigeon"},
        {"idempotency_key": ""},
        {"idempotency_key": "has space"},
        {"idempotency_key": "k" * 129},
        {"idempotency_key": "khóa"},
        {"place": "Kho\x00"},
        {"place": "Kho \u202e"},
        {"place": "K" * 201},
        {"latitude": 10.5},
        {"latitude": 91, "longitude": 106},
        {"province_code": 1, "ward_code": 26506},
        {"province_code": 9999},
    ],
)
def test_bad_event_input_is_refused_and_nothing_changes(fields: dict[str, Any]) -> None:
    (shipment,) = _fresh_shipment()
    state = _state(shipment)
    audit_before = AuditEntry.objects.count()

    with pytest.raises(EventInvalid):
        _record(shipment, fields.pop("status", S.PICKED_UP), **fields)

    assert _state(shipment) == state
    assert AuditEntry.objects.count() == audit_before


def test_a_naive_event_time_is_refused() -> None:
    (shipment,) = _fresh_shipment()

    with pytest.raises(EventInvalid):
        _record(shipment, S.PICKED_UP, occurred_at=timezone.now().replace(tzinfo=None))


def test_a_viewer_cannot_record_events() -> None:
    (shipment,) = _fresh_shipment()
    viewer = operations_principal(shipment.tenant, Role.VIEWER)
    state = _state(shipment)

    with pytest.raises(NotAllowed):
        _record(shipment, S.PICKED_UP, actor=viewer)

    assert _state(shipment) == state


def test_a_driver_records_events() -> None:
    (shipment,) = _fresh_shipment()
    driver = operations_principal(shipment.tenant, Role.DRIVER)

    outcome = _record(shipment, S.PICKED_UP, actor=driver)

    assert outcome.applied
    assert outcome.event.actor_user_id == driver.user.pk  # type: ignore[union-attr]


def test_a_caller_of_another_tenant_cannot_touch_the_shipment() -> None:
    (shipment,) = _fresh_shipment()
    stranger = operations_principal(make_tenant())
    state = _state(shipment)

    with pytest.raises(NotAllowed):
        _record(shipment, S.PICKED_UP, actor=stranger)
    with tenant_context(stranger.tenant_id or 0), pytest.raises(EventInvalid):
        shipment_record_event(
            actor=stranger,
            shipment=shipment,
            status=S.PICKED_UP,
            occurred_at=timezone.now(),
            source="api",
            idempotency_key="x",
        )

    assert _state(shipment) == state


def test_a_geofence_records_through_the_same_service_and_is_audited_as_system() -> None:
    (shipment,) = _fresh_shipment()
    geofence = SystemCaller(tenant_id=shipment.tenant_id, name="geofence")

    outcome = _record(shipment, S.PICKED_UP, actor=geofence, source="geofence")

    assert outcome.applied
    entry = AuditEntry.objects.filter(action="shipment_event_recorded").latest("sequence")
    assert entry.actor_kind == "system"
    assert entry.details["source"] == "geofence"
