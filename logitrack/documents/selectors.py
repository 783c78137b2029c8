"""Reading documents (scoped to the actor's tenant, newest first) and a driver's deliveries."""

from __future__ import annotations

from django.db.models import QuerySet

from logitrack.documents.models import Document, ProofOfDelivery
from logitrack.logistics.models import Shipment
from logitrack.logistics.status import ShipmentStatus
from logitrack.tenancy.principal import Principal


def documents_of_tenant(*, actor: Principal) -> QuerySet[Document]:
    if actor.tenant_id is None:
        return Document.objects.none()
    return Document.objects.filter(tenant_id=actor.tenant_id).order_by("-created_at", "-pk")


def documents_of_shipment(*, actor: Principal, shipment: Shipment) -> QuerySet[Document]:
    return documents_of_tenant(actor=actor).filter(shipment_id=shipment.pk)


def proofs_of_shipment(*, actor: Principal, shipment: Shipment) -> QuerySet[ProofOfDelivery]:
    """The proofs of delivery recorded for ``shipment``, newest first, with photo and signature."""
    if actor.tenant_id is None:
        return ProofOfDelivery.objects.none()
    return (
        ProofOfDelivery.objects.filter(tenant_id=actor.tenant_id, shipment_id=shipment.pk)
        .select_related("photo", "signature")
        .order_by("-pk")
    )


def shipments_out_for_delivery(*, actor: Principal) -> QuerySet[Shipment]:
    """A driver's delivery list: for now every shipment of the tenant that is out for delivery,
    oldest status change first (drivers are not yet assigned to shipments)."""
    if actor.tenant_id is None:
        return Shipment.objects.none()
    return Shipment.objects.filter(
        tenant_id=actor.tenant_id, status=ShipmentStatus.OUT_FOR_DELIVERY
    ).order_by("status_changed_at", "pk")


def documents_for_driver(*, actor: Principal, shipment: Shipment) -> QuerySet[Document]:
    """What a driver sees of ``shipment``'s documents: waybill images and proofs of delivery."""
    from logitrack.documents.access import DRIVER_KINDS

    return documents_of_shipment(actor=actor, shipment=shipment).filter(kind__in=DRIVER_KINDS)
