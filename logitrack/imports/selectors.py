"""Reads of the imports app: a tenant's recent imports, and the shippers an import may be for."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from logitrack.imports.models import ImportJob
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission


def imports_recent(*, principal: Principal, limit: int = 20) -> QuerySet[ImportJob]:
    """The principal's tenant's latest imports, newest first (empty without the permission)."""
    if not principal.has(Permission.OPERATIONS_MANAGE):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(tenant_id=principal.tenant_id).order_by("-created_at", "-id")[
        :limit
    ]


def shipper_choices(*, principal: Principal) -> list[tuple[int, str]]:
    """``(id, name)`` of the tenant's shippers, by name (the orders of an import are theirs)."""
    from logitrack.logistics.models import Shipper

    if not principal.has(Permission.OPERATIONS_MANAGE):
        return []
    rows: Any = Shipper.objects.filter(tenant_id=principal.tenant_id).order_by("name", "id")
    return [(shipper.pk, shipper.name) for shipper in rows[:500]]
