"""The only way request-driven code gets a document.

``access_document_by_id``: a document of the principal's tenant, for a principal that may see
operations (``operations.view``) or, to change it, manage them (``operations.manage``).
``access_driver_document``: a waybill image or proof of delivery of a shipment, for a driver
(``driver.tasks``). Missing, another tenant's and not permitted all raise
NotFound("document_not_found"), so ids cannot be probed.
"""

from __future__ import annotations

from logitrack.core.errors import NotFound
from logitrack.core.tenant import bound_tenant_id
from logitrack.documents.models import Document, DocumentKind
from logitrack.logistics.models import Shipment
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

CODE = "document_not_found"
# What a driver sees of a shipment's documents: the waybill and the proofs of delivery, not the
# invoices and other files of the office.
DRIVER_KINDS = frozenset(
    {DocumentKind.WAYBILL_IMAGE, DocumentKind.POD_PHOTO, DocumentKind.POD_SIGNATURE}
)


def access_document_by_id(
    principal: Principal, document_id: int, *, for_write: bool = False
) -> Document:
    needed = Permission.OPERATIONS_MANAGE if for_write else Permission.OPERATIONS_VIEW
    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(needed) or bound_tenant_id() != tenant_id:
        raise NotFound(CODE)
    document: Document | None = Document.objects.filter(pk=document_id, tenant_id=tenant_id).first()
    if document is None:
        raise NotFound(CODE)
    return document


def access_driver_document(principal: Principal, shipment: Shipment, document_id: int) -> Document:
    """A document of ``shipment`` (obtained through ``access_shipment_by_waybill``) that a
    driver may see: one of ``DRIVER_KINDS``, for a principal holding ``driver.tasks`` in the
    shipment's tenant. Anything else raises NotFound("document_not_found")."""
    tenant_id = principal.tenant_id
    if (
        tenant_id is None
        or not principal.has(Permission.DRIVER_TASKS)
        or bound_tenant_id() != tenant_id
        or shipment.tenant_id != tenant_id
    ):
        raise NotFound(CODE)
    document: Document | None = Document.objects.filter(
        pk=document_id, tenant_id=tenant_id, shipment_id=shipment.pk, kind__in=DRIVER_KINDS
    ).first()
    if document is None:
        raise NotFound(CODE)
    return document
