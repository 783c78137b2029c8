"""Cancelling shipments and orders: only before pickup, all or nothing, through the one
transition service (``services.transitions``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from logitrack.logistics.actors import Caller, audit_actor
from logitrack.logistics.errors import CancelNotAllowed
from logitrack.logistics.models import Order, Shipment
from logitrack.logistics.services._common import require
from logitrack.logistics.services.transitions import EventOutcome, shipment_record_event
from logitrack.logistics.status import EventSource, ShipmentStatus
from logitrack.tenancy.roles import Permission

CANCEL_MAX = 1000


def cancel_key(shipment: Shipment) -> str:
    """The idempotency key of a shipment's cancellation: a retried cancel is a replay."""
    return f"cancel:{shipment.waybill}"


class CancelRefused(CancelNotAllowed):
    """Some shipments are past pickup; ``waybills`` names them, in the order asked."""

    def __init__(self, waybills: list[str]) -> None:
        super().__init__()
        self.waybills = waybills


def shipments_cancel(
    *,
    actor: Caller,
    shipments: Sequence[Shipment],
    source: str = EventSource.USER,
    request: HttpRequest | None = None,
) -> list[EventOutcome]:
    """Cancel every shipment in ``shipments`` (at most ``CANCEL_MAX``), or none of them.

    Invariants: needs ``operations.manage``; a shipment already cancelled by an earlier call is
    a replay (its outcome says so); any shipment in another status than ``created`` raises
    CancelRefused naming those waybills, and nothing is cancelled. Shipments are locked in id
    order, so two bulk cancels never deadlock.
    """
    require(actor, Permission.OPERATIONS_MANAGE)
    if not shipments or len(shipments) > CANCEL_MAX:
        raise CancelNotAllowed(field="waybills")
    now = timezone.now()
    with transaction.atomic():
        ids = sorted({s.pk for s in shipments})
        locked = {s.pk: s for s in Shipment.objects.select_for_update().filter(pk__in=ids)}
        refused = [
            s.waybill
            for s in shipments
            if locked[s.pk].status != ShipmentStatus.CREATED
            and not (
                locked[s.pk].status == ShipmentStatus.CANCELLED
                and locked[s.pk].events.filter(idempotency_key=cancel_key(s)).exists()
            )
        ]
        if refused:
            raise CancelRefused(refused)
        return [
            shipment_record_event(
                actor=actor,
                shipment=locked[s.pk],
                status=ShipmentStatus.CANCELLED,
                occurred_at=max(now, locked[s.pk].status_changed_at),
                source=source,
                idempotency_key=cancel_key(s),
                request=request,
            )
            for s in shipments
        ]


def order_cancel(
    *,
    actor: Caller,
    order: Order,
    source: str = EventSource.USER,
    request: HttpRequest | None = None,
) -> Order:
    """Cancel the order and all its shipments, only while none was picked up.

    Invariants: as ``shipments_cancel``; cancelling a cancelled order changes nothing.
    """
    from logitrack.security.services import audit_record

    tenant_id = require(actor, Permission.OPERATIONS_MANAGE)
    with transaction.atomic():
        locked: Order = Order.objects.select_for_update().get(pk=order.pk, tenant_id=tenant_id)
        if locked.cancelled_at is not None:
            return locked
        shipments = list(locked.shipments.order_by("parcel_number"))
        shipments_cancel(actor=actor, shipments=shipments, source=source, request=request)
        locked.cancelled_at = timezone.now()
        locked.updated_at = locked.cancelled_at
        locked.save(update_fields=["cancelled_at", "updated_at"])
        audit_record(
            action="order_cancelled",
            actor=audit_actor(actor),
            tenant_id=tenant_id,
            object_type="order",
            object_id=str(locked.pk),
            details={"shipments": len(shipments)},
            request=request,
        )
    return locked
