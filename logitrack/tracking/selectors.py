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


def plain_http_tenants() -> list[dict[str, object]]:
    """Every tenant that accepts reports on the plain-HTTP legacy port, for Logitrack's security
    officer (platform staff, all tenants): ``{"tenant": name, "since": datetime, "devices":
    number of its enabled devices, "seen": number of those seen in the last 24 hours}``, oldest
    opt-in first. Empty when no tenant has it on."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from logitrack.tenancy.models import Tenant
    from logitrack.tracking.models import TenantDeviceSettings

    rows = TenantDeviceSettings.dangerously_unscoped.filter(plain_http_allowed=True).order_by(
        "plain_http_since", "pk"
    )
    day_ago = timezone.now() - dt.timedelta(days=1)
    counts = {
        row["tenant_id"]: row
        for row in Device.dangerously_unscoped.filter(
            tenant_id__in=rows.values("tenant_id"), enabled=True
        )
        .values("tenant_id")
        .annotate(devices=Count("pk"), seen=Count("pk", filter=Q(last_seen_at__gte=day_ago)))
    }
    names = dict(Tenant.objects.filter(pk__in=rows.values("tenant_id")).values_list("pk", "name"))
    return [
        {
            "tenant": names.get(row.tenant_id, str(row.tenant_id)),
            "since": row.plain_http_since,
            "devices": counts.get(row.tenant_id, {}).get("devices", 0),
            "seen": counts.get(row.tenant_id, {}).get("seen", 0),
        }
        for row in rows
    ]
