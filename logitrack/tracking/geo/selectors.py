"""Read paths of geofences and their events, always within the principal's tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.models import Geofence, GeofenceEvent


def _viewer(principal: Principal) -> int | None:
    if principal.tenant_id is None or not principal.has(Permission.OPERATIONS_VIEW):
        return None
    return principal.tenant_id


def geofences_of_tenant(*, principal: Principal) -> QuerySet[Geofence]:
    """The tenant's geofences, active first, then by name; empty without ``operations.view``."""
    tenant_id = _viewer(principal)
    if tenant_id is None:
        return Geofence.objects.none()
    return Geofence.objects.filter(tenant_id=tenant_id).order_by("-active", "name", "pk")


@dataclass(frozen=True)
class GeofenceEventFilters:
    """``device``: a device's identifier; ``since`` inclusive, ``until`` exclusive (fix time);
    ``after``: the (fix_time, id) of the last event of the previous page."""

    device: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after: tuple[datetime, int] | None = None


def geofence_events(
    *, principal: Principal, filters: GeofenceEventFilters, limit: int
) -> list[GeofenceEvent]:
    """At most ``limit`` non-retracted events of the tenant in (fix_time, id) order after
    ``filters.after``, with device and geofence loaded. Another tenant's device identifier
    matches nothing."""
    tenant_id = _viewer(principal)
    if tenant_id is None:
        return []
    rows = GeofenceEvent.objects.filter(tenant_id=tenant_id, retracted_at__isnull=True)
    if filters.device is not None:
        rows = rows.filter(device__identifier=filters.device, device__tenant_id=tenant_id)
    if filters.since is not None:
        rows = rows.filter(fix_time__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(fix_time__lt=filters.until)
    if filters.after is not None:
        moment, pk = filters.after
        rows = rows.filter(Q(fix_time__gt=moment) | Q(fix_time=moment, pk__gt=pk))
    return list(rows.select_related("device", "geofence").order_by("fix_time", "pk")[:limit])
