"""Isolation contracts of the documents routes, for tests/isolation (see contract.py there).

``make`` uploads a small PNG as a document of tenant "a" or "b"; the snapshot is whether its row
and its stored file still exist, so a refused delete that removed the file is caught too.
"""

from __future__ import annotations

import itertools
from typing import Any

from logitrack.tenancy.roles import Permission
from tests.isolation.contract import Contract, contract
from tests.isolation.world import World

P = Permission


def _owner_principal(world: World, side: str) -> Any:
    from logitrack.tenancy.principal import Principal
    from logitrack.tenancy.roles import Role

    membership = world.side(side).memberships[Role.OWNER]
    return Principal.for_membership(membership.user, membership)


def make_document(world: World, side: str) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.documents.services import document_upload
    from logitrack.documents.tests import samples

    with tenant_context(world.side(side).tenant):
        document = document_upload(
            actor=_owner_principal(world, side),
            data=samples.png((8, 8)),
            file_name="ảnh.png",
            kind="pod_photo",
        )
    return int(document.pk)


def document_state(pk: int) -> Any:
    from logitrack.documents import vault
    from logitrack.documents.models import Document

    rows = list(
        Document.dangerously_unscoped.filter(pk=pk).values_list("storage_key", "thumbnail_key")
    )
    return [(key, vault.storage().exists(key), thumb) for key, thumb in rows]


contract(
    Contract(
        route="api-1:documents_list",
        method="GET",
        permission=P.OPERATIONS_VIEW,
        path=lambda pk: "/api/v1/documents",
    )
)
contract(
    Contract(
        route="api-1:document_download",
        method="GET",
        permission=P.OPERATIONS_VIEW,
        path=lambda pk: f"/api/v1/documents/{pk}/download",
        make=make_document,
        snapshot=document_state,
    )
)
contract(
    Contract(
        route="api-1:document_thumbnail",
        method="GET",
        permission=P.OPERATIONS_VIEW,
        path=lambda pk: f"/api/v1/documents/{pk}/thumbnail",
        make=make_document,
        snapshot=document_state,
    )
)
contract(
    Contract(
        route="api-1:document_delete",
        method="DELETE",
        permission=P.OPERATIONS_MANAGE,
        path=lambda pk: f"/api/v1/documents/{pk}",
        make=make_document,
        snapshot=document_state,
        ok=204,
    )
)


def make_shipment(world: World, side: str) -> int:
    from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper

    tenant = world.side(side).tenant
    return int(make_shipment_row(make_order_row(make_shipper(tenant))).pk)


def waybill_of(pk: int | None) -> str:
    """The waybill of shipment ``pk``; for an id that does not exist, a well-formed waybill
    that no shipment has, so the route looks it up rather than refusing its shape."""
    from logitrack.logistics.models import Shipment
    from logitrack.logistics.numbers import new_waybill

    waybill = Shipment.dangerously_unscoped.filter(pk=pk).values_list("waybill", flat=True).first()
    return waybill or new_waybill("ZZZ")


def shipment_documents_state(pk: int) -> Any:
    from logitrack.documents.models import Document

    return sorted(
        Document.dangerously_unscoped.filter(shipment_id=pk).values_list("pk", "storage_key")
    )


def _upload_body(world: World, pk: int | None) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from logitrack.documents.tests import samples

    return {"kind": "invoice", "file": SimpleUploadedFile("hóa đơn.pdf", samples.pdf())}


contract(
    Contract(
        route="api-1:shipment_documents_upload",
        method="POST",
        permission=P.OPERATIONS_MANAGE,
        path=lambda pk: f"/api/v1/shipments/{waybill_of(pk)}/documents",
        make=make_shipment,
        snapshot=shipment_documents_state,
        body=_upload_body,
        ok=201,
    )
)
contract(
    Contract(
        route="api-1:shipment_documents_list",
        method="GET",
        permission=P.OPERATIONS_VIEW,
        path=lambda pk: f"/api/v1/shipments/{waybill_of(pk)}/documents",
        make=make_shipment,
        snapshot=shipment_documents_state,
    )
)


_keys = itertools.count(1)


def make_out_for_delivery(world: World, side: str) -> int:
    from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper

    tenant = world.side(side).tenant
    order = make_order_row(make_shipper(tenant))
    return int(make_shipment_row(order, status="out_for_delivery").pk)


def delivery_state(pk: int) -> Any:
    """The shipment's status, its events and its proofs and documents, unscoped."""
    from logitrack.documents.models import Document, ProofOfDelivery
    from logitrack.logistics.models import Shipment, ShipmentEvent

    return (
        list(Shipment.dangerously_unscoped.filter(pk=pk).values_list("status", flat=True)),
        ShipmentEvent.dangerously_unscoped.filter(shipment_id=pk).count(),
        ProofOfDelivery.dangerously_unscoped.filter(shipment_id=pk).count(),
        Document.dangerously_unscoped.filter(shipment_id=pk).count(),
    )


def _delivered_body(world: World, pk: int | None) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from logitrack.documents.tests import samples

    return {
        "idempotency_key": f"contract-key-{next(_keys):06d}",
        "recipient_name": "Nguyễn Văn Nhận",
        "photo": SimpleUploadedFile("ảnh.jpg", samples.jpeg_rotated()),
    }


def _failed_body(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "idempotency_key": f"contract-key-{next(_keys):06d}",
        "failure_reason": "recipient_absent",
    }


def _api_delivered_body(world: World, pk: int | None) -> dict[str, Any]:
    return {"outcome": "delivered", **_delivered_body(world, pk)}


contract(
    Contract(
        route="documents:driver-tasks",
        method="GET",
        permission=P.DRIVER_TASKS,
        path=lambda pk: "/driver/",
    )
)
contract(
    Contract(
        route="documents:pod",
        method="GET",
        permission=P.DRIVER_TASKS,
        path=lambda pk: f"/driver/shipments/{waybill_of(pk)}/",
        make=make_out_for_delivery,
        snapshot=delivery_state,
    )
)
contract(
    Contract(
        route="documents:pod-delivered",
        method="POST",
        permission=P.DRIVER_TASKS,
        path=lambda pk: f"/driver/shipments/{waybill_of(pk)}/delivered/",
        make=make_out_for_delivery,
        snapshot=delivery_state,
        body=_delivered_body,
        ok=302,
    )
)
contract(
    Contract(
        route="documents:pod-failed",
        method="POST",
        permission=P.DRIVER_TASKS,
        path=lambda pk: f"/driver/shipments/{waybill_of(pk)}/failed/",
        make=make_out_for_delivery,
        snapshot=delivery_state,
        body=_failed_body,
        ok=302,
    )
)
contract(
    Contract(
        route="api-1:shipment_proof_of_delivery",
        method="POST",
        permission=P.DRIVER_TASKS,
        path=lambda pk: f"/api/v1/shipments/{waybill_of(pk)}/proof-of-delivery",
        make=make_out_for_delivery,
        snapshot=delivery_state,
        body=_api_delivered_body,
        ok=201,
    )
)
contract(
    Contract(
        route="documents:upload",
        method="POST",
        permission=P.OPERATIONS_MANAGE,
        path=lambda pk: f"/documents/shipments/{waybill_of(pk)}/upload/",
        make=make_shipment,
        snapshot=shipment_documents_state,
        body=_upload_body,
        ok=302,
    )
)
contract(
    Contract(
        route="documents:delete",
        method="POST",
        permission=P.OPERATIONS_MANAGE,
        path=lambda pk: f"/documents/{pk}/delete/",
        make=make_document,
        snapshot=document_state,
        ok=302,
    )
)


def make_waybill_image(world: World, side: str) -> int:
    """A waybill image of a shipment of tenant ``side``; the route's id is the document's."""
    from logitrack.core.tenant import tenant_context
    from logitrack.documents.services import document_upload
    from logitrack.documents.tests import samples
    from logitrack.logistics.models import Shipment

    shipment_id = make_shipment(world, side)
    with tenant_context(world.side(side).tenant):
        document = document_upload(
            actor=_owner_principal(world, side),
            data=samples.png((8, 8)),
            file_name="vận đơn.png",
            kind="waybill_image",
            shipment=Shipment.objects.get(pk=shipment_id),
        )
    return int(document.pk)


def _waybill_of_document(pk: int | None) -> str:
    from logitrack.documents.models import Document

    shipment_id = (
        Document.dangerously_unscoped.filter(pk=pk).values_list("shipment_id", flat=True).first()
    )
    return waybill_of(shipment_id)


contract(
    Contract(
        route="documents:pod-thumbnail",
        method="GET",
        permission=P.DRIVER_TASKS,
        path=lambda pk: f"/driver/shipments/{_waybill_of_document(pk)}/documents/{pk}/thumbnail/",
        make=make_waybill_image,
        snapshot=document_state,
    )
)
