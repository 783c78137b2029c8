"""Isolation contracts of the documents routes, for tests/isolation (see contract.py there).

``make`` uploads a small PNG as a document of tenant "a" or "b"; the snapshot is whether its row
and its stored file still exist, so a refused delete that removed the file is caught too.
"""

from __future__ import annotations

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
