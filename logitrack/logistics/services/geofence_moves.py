"""Shipments that move by themselves (ADR 0057): geofence events and positions of the devices
carrying a shipment move it through the one status service, or offer "delivered?" to its driver.

Rules, for the shipments not yet final whose carrier (vehicle or driver) the event's device was
assigned to at the event's fix time, and that were given to that carrier before it:

- entering a ``hub`` geofence records ``at_hub``; leaving it records the tenant's
  ``hub_exit_status`` (``in_transit`` or ``out_for_delivery``); a step the machine does not
  have from the shipment's status is filed as a scan at the hub instead (it says where the
  shipment was, and moves nothing);
- entering a ``customer_site`` geofence offers "delivered?" on the shipments out for delivery;
- warehouses and other places move nothing.

Every move goes through ``shipment_record_event`` with source ``geofence`` and the key
``geofence:<event id>:<shipment id>`` (one event moves every shipment on the vehicle, and keys
are unique per tenant), so a replay writes nothing and an event older than the shipment's last
status change stays in the timeline without moving it backwards. An event is applied once: its
``GeofenceEventApplied`` marker commits with the moves it made; a retracted event is never
applied (one retracted after it was applied stays applied: the machine does not go backwards).

The coordinates of a geofence event are not copied to the shipment's timeline: the place's name
says where, and a driver's precise position stays in tracking.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from logitrack.core.errors import CallerError
from logitrack.core.tenant import tenant_context
from logitrack.logistics.actors import Caller, SystemCaller, audit_actor
from logitrack.logistics.errors import IdempotencyKeyReused, TransitionForbidden
from logitrack.logistics.models import GeofenceEventApplied, Shipment
from logitrack.logistics.services._common import require
from logitrack.logistics.services.transitions import shipment_record_event
from logitrack.logistics.status import (
    FINAL_STATUSES,
    DeliveryOfferReason,
    EventSource,
    ShipmentStatus,
    transition_allowed,
)
from logitrack.tenancy.roles import Permission

if TYPE_CHECKING:
    from logitrack.tracking.models import GeofenceEvent

logger = logging.getLogger(__name__)

SYSTEM_NAME = "geofence"
# Events derived this long ago and not applied yet are still looked at by the periodic job (a
# job that did not run for a while catches up); older ones are left alone.
LOOKBACK = timedelta(days=2)
BATCH = 500
_ACTIVE = [s.value for s in ShipmentStatus if s not in FINAL_STATUSES]


@dataclass(frozen=True)
class Applied:
    """What applying a batch of events did: events newly applied, shipment events written
    (status changes and scans), "delivered?" offers made."""

    events: int = 0
    moved: int = 0
    offered: int = 0

    def __add__(self, other: Applied) -> Applied:
        return Applied(
            self.events + other.events, self.moved + other.moved, self.offered + other.offered
        )


def idempotency_key(event_id: int, shipment_id: int) -> str:
    return f"geofence:{event_id}:{shipment_id}"


def shipment_offer_delivery(
    *, actor: Caller, shipment: Shipment, at: datetime, reason: str
) -> bool:
    """Offer "delivered?" to the driver of ``shipment`` (out for delivery), as of ``at``.

    Never a delivery: ``status`` is untouched, proof of delivery still decides. True when an
    offer was made; False when the shipment is not out for delivery (read under its row lock),
    ``at`` is before its last status change, or it already has an offer since then. Audited.
    """
    from logitrack.security.services import audit_record

    tenant_id = require(actor, Permission.OPERATIONS_MANAGE)
    offer_reason = DeliveryOfferReason(reason)
    with transaction.atomic():
        locked: Shipment = Shipment.objects.select_for_update().get(
            pk=shipment.pk, tenant_id=tenant_id
        )
        if locked.status != ShipmentStatus.OUT_FOR_DELIVERY or at < locked.status_changed_at:
            return False
        offered = locked.delivery_offered_at
        if offered is not None and offered >= locked.status_changed_at:
            return False
        locked.delivery_offered_at = at
        locked.delivery_offer_reason = offer_reason.value
        locked.save(update_fields=["delivery_offered_at", "delivery_offer_reason"])
        audit_record(
            action="shipment_delivery_offered",
            actor=audit_actor(actor),
            tenant_id=tenant_id,
            object_type="shipment",
            object_id=str(locked.pk),
            details={"reason": offer_reason.value},
        )
    shipment.delivery_offered_at = at
    shipment.delivery_offer_reason = offer_reason.value
    return True


def _carried_shipments(
    tenant_id: int, vehicle_id: int | None, driver_id: int | None, at: datetime
) -> list[Shipment]:
    condition = Q()
    if vehicle_id is not None:
        condition |= Q(carrier_vehicle_id=vehicle_id)
    if driver_id is not None:
        condition |= Q(carrier_driver_id=driver_id)
    if not condition:
        return []
    return list(
        Shipment.objects.filter(
            condition, tenant_id=tenant_id, status__in=_ACTIVE, carrier_assigned_at__lte=at
        ).order_by("pk")
    )


def _move(caller: SystemCaller, event: GeofenceEvent, shipment: Shipment, target: str) -> bool:
    """Record the event's step (or a scan when the machine has no such step); True when a new
    shipment event was written."""
    asked = target if transition_allowed(shipment.status, target) else None
    place = event.geofence.site_name or event.geofence.name
    for status in (asked, None) if asked is not None else (None,):
        try:
            outcome = shipment_record_event(
                actor=caller,
                shipment=shipment,
                status=status,
                occurred_at=event.fix_time,
                source=EventSource.GEOFENCE,
                idempotency_key=idempotency_key(event.pk, shipment.pk),
                place=place,
            )
        except TransitionForbidden:
            continue  # moved meanwhile (read under its row lock): a scan instead
        except IdempotencyKeyReused:
            return False  # recorded before, as a status or a scan: a replay
        except CallerError as exc:
            logger.warning(
                "geofence move refused", extra={"code": exc.code, "shipment_id": shipment.pk}
            )
            return False
        return not outcome.replayed
    return False


def _apply_one(caller: SystemCaller, event: GeofenceEvent, hub_exit_status: str) -> Applied:
    from logitrack.tracking.models import GeofenceEventKind, SiteKind
    from logitrack.tracking.selectors_carriers import carrier_of_device_at

    with transaction.atomic():
        try:
            with transaction.atomic():
                marker = GeofenceEventApplied.objects.create(
                    tenant_id=caller.tenant_id, geofence_event_id=event.pk
                )
        except IntegrityError:
            return Applied()  # applied before (or by a concurrent run that committed first)
        carrier = carrier_of_device_at(
            tenant_id=caller.tenant_id, device_id=event.device_id, at=event.fix_time
        )
        shipments = _carried_shipments(
            caller.tenant_id, carrier.vehicle_id, carrier.driver_id, event.fix_time
        )
        kind, site = event.kind, event.geofence.site_kind
        moved = offered = 0
        for shipment in shipments:
            if site == SiteKind.HUB:
                target = ShipmentStatus.AT_HUB if kind == GeofenceEventKind.ENTER else None
                moved += _move(caller, event, shipment, target or hub_exit_status)
            elif site == SiteKind.CUSTOMER_SITE and kind == GeofenceEventKind.ENTER:
                offered += shipment_offer_delivery(
                    actor=caller,
                    shipment=shipment,
                    at=event.fix_time,
                    reason=DeliveryOfferReason.GEOFENCE,
                )
        if moved or offered:
            marker.moved, marker.offered = moved, offered
            marker.save(update_fields=["moved", "offered"])
    return Applied(1, moved, offered)


def shipments_apply_geofence_events(events: Sequence[GeofenceEvent]) -> Applied:
    """Apply ``events`` (any tenants', any order) to the shipments their devices carry.

    Idempotent: an event already applied, retracted (as read now from the database, not from
    the objects given) or unsaved is skipped. Events are applied in fix-time order, each in its
    own transaction with its marker; the geo processor may call this after it commits, and the
    periodic job (``geofence_moves_apply``) catches whatever it did not.
    """
    from logitrack.tracking.models import GeofenceEvent
    from logitrack.tracking.selectors_carriers import geo_move_settings

    total = Applied()
    by_tenant: dict[int, list[int]] = {}
    for event in events:
        if event.pk is not None:
            by_tenant.setdefault(event.tenant_id, []).append(event.pk)
    for tenant_id, ids in sorted(by_tenant.items()):
        with tenant_context(tenant_id):
            fresh = list(
                GeofenceEvent.objects.filter(
                    tenant_id=tenant_id, pk__in=ids, retracted_at__isnull=True
                )
                .select_related("geofence")
                .order_by("fix_time", "pk")
            )
            settings = geo_move_settings(tenant_id=tenant_id)
            caller = SystemCaller(tenant_id, SYSTEM_NAME)
            for event in fresh:
                total += _apply_one(caller, event, settings.hub_exit_status)
    return total


def geofence_moves_apply(*, now: datetime | None = None) -> Applied:
    """Apply every tenant's events derived within ``LOOKBACK`` and not applied yet."""
    from logitrack.tracking.selectors_carriers import (
        geofence_events_to_apply,
        tenants_with_geofence_events,
    )

    since = (now or timezone.now()) - LOOKBACK
    total = Applied()
    for tenant_id in tenants_with_geofence_events(since=since):
        with tenant_context(tenant_id):
            while True:
                applied = GeofenceEventApplied.objects.filter(tenant_id=tenant_id).values(
                    "geofence_event_id"
                )
                batch = geofence_events_to_apply(
                    tenant_id=tenant_id, since=since, exclude=applied, limit=BATCH
                )
                total += shipments_apply_geofence_events(batch)
                if len(batch) < BATCH:
                    break
    return total
