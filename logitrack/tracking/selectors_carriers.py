"""Reads the logistics side needs about carriers (ADR 0057): which devices a vehicle or a
driver carries, what a device was assigned to at a moment, their latest positions, the geofence
events to act on and the tenant's geo settings.

These are for Logitrack's own jobs, bound to one tenant (``tenant_id``, checked against the
bound tenant by the scoped managers); request-driven code reaches vehicles and drivers through
``tracking.access``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from logitrack.tracking.models import (
    DeviceAssignment,
    DeviceLatest,
    Driver,
    GeofenceEvent,
    TenantDeviceSettings,
    Vehicle,
)

ARRIVAL_RADIUS_DEFAULT_M = 150  # TenantDeviceSettings' defaults
HUB_EXIT_DEFAULT = "in_transit"


@dataclass(frozen=True)
class Carrier:
    """What a device was assigned to: a vehicle's id or a driver's id (one of them), or none."""

    vehicle_id: int | None
    driver_id: int | None


@dataclass(frozen=True)
class GeoMoveSettings:
    hub_exit_status: str
    arrival_radius_m: int


def carrier_devices(*, tenant_id: int, vehicle_id: int | None, driver_id: int | None) -> list[int]:
    """Ids of the devices whose open assignment is the vehicle or the driver, by id."""
    condition = Q()
    if vehicle_id is not None:
        condition |= Q(vehicle_id=vehicle_id)
    if driver_id is not None:
        condition |= Q(driver_id=driver_id)
    if not condition:
        return []
    return list(
        DeviceAssignment.objects.filter(condition, tenant_id=tenant_id, ended_at__isnull=True)
        .order_by("device_id")
        .values_list("device_id", flat=True)
    )


def carrier_of_device_at(*, tenant_id: int, device_id: int, at: dt.datetime) -> Carrier:
    """The vehicle or driver the device was assigned to at ``at`` (an assignment covers
    ``[started_at, ended_at)``), so that a late event counts for whom the device was with then."""
    row = (
        DeviceAssignment.objects.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=at),
            tenant_id=tenant_id,
            device_id=device_id,
            started_at__lte=at,
        )
        .order_by("-started_at", "-pk")
        .values("vehicle_id", "driver_id")
        .first()
    )
    if row is None:
        return Carrier(None, None)
    return Carrier(row["vehicle_id"], row["driver_id"])


def latest_positions(*, tenant_id: int, device_ids: list[int]) -> list[DeviceLatest]:
    """The newest position (by fix time) of each of these devices that has one."""
    if not device_ids:
        return []
    return list(
        DeviceLatest.objects.filter(tenant_id=tenant_id, device_id__in=device_ids).order_by(
            "device_id"
        )
    )


def geofence_events_to_apply(
    *, tenant_id: int, since: dt.datetime, exclude: QuerySet[Any, Any], limit: int
) -> list[GeofenceEvent]:
    """The tenant's events derived since ``since``, not retracted and not in ``exclude`` (a
    queryset of event ids already applied), with their geofence, in fix-time order."""
    return list(
        GeofenceEvent.objects.filter(
            tenant_id=tenant_id, created_at__gte=since, retracted_at__isnull=True
        )
        .exclude(pk__in=exclude)
        .select_related("geofence")
        .order_by("fix_time", "pk")[:limit]
    )


def tenants_with_geofence_events(*, since: dt.datetime) -> list[int]:
    """Ids of the tenants with geofence events derived since ``since`` (for the periodic job)."""
    return sorted(
        set(
            GeofenceEvent.dangerously_unscoped.filter(created_at__gte=since)
            .values_list("tenant_id", flat=True)
            .distinct()
        )
    )


def geo_move_settings(*, tenant_id: int) -> GeoMoveSettings:
    """The tenant's hub exit status and arrival radius (defaults without a settings row)."""
    row = TenantDeviceSettings.objects.filter(tenant_id=tenant_id).first()
    if row is None:
        return GeoMoveSettings(HUB_EXIT_DEFAULT, ARRIVAL_RADIUS_DEFAULT_M)
    return GeoMoveSettings(row.hub_exit_status, row.arrival_radius_m)


def vehicles_of_tenant(*, tenant_id: int) -> QuerySet[Vehicle]:
    """The tenant's active vehicles, by plate (the carrier form's choices)."""
    return Vehicle.objects.filter(tenant_id=tenant_id, active=True).order_by("plate", "pk")


def drivers_of_tenant(*, tenant_id: int) -> QuerySet[Driver]:
    """The tenant's active drivers, by name."""
    return Driver.objects.filter(tenant_id=tenant_id, active=True).order_by("full_name", "pk")


def public_carrier_latest(
    *, tenant_id: int, vehicle_id: int | None, driver_id: int | None, since: dt.datetime
) -> DeviceLatest | None:
    """The newest position, fixed at or after ``since``, of the devices whose open assignment
    is the vehicle or the driver: for public tracking only, which has no tenant bound (hence
    the unscoped managers, narrowed to ``tenant_id``). Callers show it coarsely (ADR 0057)."""
    condition = Q()
    if vehicle_id is not None:
        condition |= Q(vehicle_id=vehicle_id)
    if driver_id is not None:
        condition |= Q(driver_id=driver_id)
    if not condition:
        return None
    devices = DeviceAssignment.dangerously_unscoped.filter(
        condition, tenant_id=tenant_id, ended_at__isnull=True
    ).values("device_id")
    latest: DeviceLatest | None = (
        DeviceLatest.dangerously_unscoped.filter(
            tenant_id=tenant_id, device_id__in=devices, fix_time__gte=since
        )
        .order_by("-fix_time", "device_id")
        .first()
    )
    return latest
