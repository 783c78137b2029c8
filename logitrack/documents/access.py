"""The only way request-driven code gets a document.

``access_document_by_id``: a document of the principal's tenant, for a principal that may see
operations (``operations.view``) or, to change it, manage them (``operations.manage``). Missing,
another tenant's and not permitted all raise NotFound("document_not_found"), so ids cannot be
probed.
"""

from __future__ import annotations

from logitrack.core.errors import NotFound
from logitrack.core.tenant import bound_tenant_id
from logitrack.documents.models import Document
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

CODE = "document_not_found"


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
