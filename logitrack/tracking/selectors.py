"""Read paths of the tracking app, always within the principal's tenant."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.models import Device, DeviceAssignment, Position


def devices_of_tenant(*, principal: Principal) -> QuerySet[Device]:
    """The tenant's devices with their latest position, by name; empty without
    ``operations.view`` (fail closed)."""
    if principal.tenant_id is None or not principal.has(Permission.OPERATIONS_VIEW):
        return Device.objects.none()
    return (
        Device.objects.filter(tenant_id=principal.tenant_id)
        .select_related("latest")
        .order_by("name", "pk")
    )


def device_assignments(*, device: Device) -> QuerySet[DeviceAssignment]:
    """The device's assignment history, newest first."""
    return DeviceAssignment.objects.filter(device=device).order_by("-started_at", "-pk")


def device_positions(
    *, device: Device, since: dt.datetime, until: dt.datetime, limit: int = 10_000
) -> QuerySet[Position]:
    """The device's positions with ``since <= fix_time < until``, oldest first (the unique
    (device, fix_time) index serves this range, and on PostgreSQL only the partitions of those
    days are read)."""
    return Position.objects.filter(device=device, fix_time__gte=since, fix_time__lt=until).order_by(
        "fix_time"
    )[:limit]
