"""Reading documents: scoped to the actor's tenant, newest first."""

from __future__ import annotations

from django.db.models import QuerySet

from logitrack.documents.models import Document
from logitrack.tenancy.principal import Principal


def documents_of_tenant(*, actor: Principal) -> QuerySet[Document]:
    if actor.tenant_id is None:
        return Document.objects.none()
    return Document.objects.filter(tenant_id=actor.tenant_id).order_by("-created_at", "-pk")
