"""Read paths of the tracking app, always within the principal's tenant."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple, TypeVar

from django.db.models import Count, F, Max, Min, QuerySet, Value

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


KMH_PER_MS = 3.6


class PageRow(NamedTuple):
    """A row of the device's position page: the columns it shows, speed in km/h, and the driver
    the position is tied to (None when none), which makes showing it a sensitive read."""

    fix_time: dt.datetime
    latitude: float
    longitude: float
    speed_kmh: float | None
    course: float | None
    accuracy: float | None
    battery: float | None
    driver_id: int | None


class ExportRow(NamedTuple):
    """A row of the CSV export: every column it writes, speed in km/h."""

    fix_time: dt.datetime
    latitude: float
    longitude: float
    speed_kmh: float | None
    course: float | None
    altitude: float | None
    accuracy: float | None
    battery: float | None


class TrackPoint(NamedTuple):
    """A point of the GPX export (GPX 1.1 has no speed or course)."""

    fix_time: dt.datetime
    latitude: float
    longitude: float
    altitude: float | None


Row = TypeVar("Row", PageRow, ExportRow, TrackPoint)

# The one place where a stored unit becomes a shown one: the database multiplies, once per row.
_COLUMNS: dict[str, Any] = {"speed_kmh": F("speed") * Value(KMH_PER_MS)}


def device_positions(
    *,
    device: Device,
    since: dt.datetime,
    until: dt.datetime,
    shape: type[Row],
    after: dt.datetime | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> list[Row]:
    """The device's positions with ``since <= fix_time < until`` as ``shape`` tuples (only
        those columns are read, no model instances are built), oldest first or newest first, at
        most ``limit``; ``after`` (oldest first) skips fix times up to and including it, for keyset
    paging. The unique (device, fix_time) index serves the range, and on PostgreSQL only
        the partitions of those days are read.

        The device's own tenant and id are both in the query, so the rows are the device's own even
        where no tenant is bound (a streamed export body is produced after the request's tenant
        context has closed); the caller has checked access to the device
        (``logitrack.tracking.access``)."""
    rows = Position.dangerously_unscoped.filter(
        tenant_id=device.tenant_id, device_id=device.pk, fix_time__gte=since, fix_time__lt=until
    )
    if after is not None:
        rows = rows.filter(fix_time__gt=after)
    rows = rows.order_by("-fix_time" if newest_first else "fix_time")
    values = rows.values_list(*(_COLUMNS.get(name, name) for name in shape._fields))
    if limit is not None:
        values = values[:limit]
    make = tuple.__new__
    return [make(shape, row) for row in values]


def device_positions_totals(
    *, device: Device, since: dt.datetime, until: dt.datetime
) -> dict[str, Any]:
    """``{"count", "first", "last", "max_speed_kmh"}`` of the device's positions with
    ``since <= fix_time < until``, in one aggregate query on the same index range."""
    return dict(
        Position.dangerously_unscoped.filter(
            tenant_id=device.tenant_id,
            device_id=device.pk,
            fix_time__gte=since,
            fix_time__lt=until,
        ).aggregate(
            count=Count("pk"),
            first=Min("fix_time"),
            last=Max("fix_time"),
            max_speed_kmh=Max("speed") * Value(KMH_PER_MS),
        )
    )


TRIPS_WINDOW_MAX = dt.timedelta(days=31)


def device_trips(*, device: Device, start: dt.datetime, end: dt.datetime) -> Any:
    """The device's trips and stops in ``[start, end)`` (``geo.trips.Result``), with the
    tenant's thresholds; a time without a zone is in the site's zone (Asia/Ho_Chi_Minh).
    Raises TripsWindowInvalid unless ``start < end <= start + 31 days``. The caller has
    checked access to the device."""
    from django.utils import timezone

    from logitrack.tracking.errors import TripsWindowInvalid
    from logitrack.tracking.geo.trips import device_trips_and_stops

    start, end = (timezone.make_aware(t) if timezone.is_naive(t) else t for t in (start, end))
    if not start < end <= start + TRIPS_WINDOW_MAX:
        raise TripsWindowInvalid()
    return device_trips_and_stops(
        tenant_id=device.tenant_id, device_id=device.pk, start=start, end=end
    )


def plain_http_tenants() -> list[dict[str, object]]:
    """Every tenant that accepts reports on the plain-HTTP legacy port, for Logitrack's security
    officer (platform staff, all tenants): ``{"tenant": name, "since": datetime, "devices":
    number of its enabled devices, "seen": number of those seen in the last 24 hours}``, oldest
    opt-in first. Empty when no tenant has it on."""
    from django.db.models import Q
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
