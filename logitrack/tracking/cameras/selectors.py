"""Reading camera events, within the principal's tenant."""

from __future__ import annotations

from django.db.models import QuerySet

from logitrack.logistics.models import Shipment
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.models import CameraEvent


def camera_events_of_shipment(*, actor: Principal, shipment: Shipment) -> QuerySet[CameraEvent]:
    """The snapshots linked to ``shipment`` (obtained through its ``access_*``), oldest first,
    with their document, camera and dock door; empty without ``operations.view`` or for another
    tenant's shipment (fail closed)."""
    tenant_id = actor.tenant_id
    if (
        tenant_id is None
        or not actor.has(Permission.OPERATIONS_VIEW)
        or shipment.tenant_id != tenant_id
    ):
        return CameraEvent.objects.none()
    return (
        CameraEvent.objects.filter(tenant_id=tenant_id, shipment_id=shipment.pk)
        .select_related("document", "device", "dock_door")
        .order_by("captured_at", "pk")
    )
