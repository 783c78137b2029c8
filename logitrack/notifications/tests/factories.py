"""Notification test data: geofences, geofence events (created directly: the events table is
the contract with the geofence engine), positions and subscriptions, each in its device's or
membership's tenant."""

from __future__ import annotations

import datetime as dt
import itertools

from logitrack.core.tenant import tenant_context
from logitrack.notifications.models import Subscription
from logitrack.tenancy.models import Membership
from logitrack.tracking.models import (
    Device,
    DeviceLatest,
    Geofence,
    GeofenceEvent,
    Position,
    TenantDeviceSettings,
)

_serial = itertools.count(1)
# Tân Bình, Ho Chi Minh City.
LAT, LON = 10.8012, 106.6525


def make_geofence(tenant_id: int, name: str = "Kho Tân Bình", site_name: str = "") -> Geofence:
    with tenant_context(tenant_id):
        fence: Geofence = Geofence.objects.create(
            name=f"{name} {next(_serial)}",
            site_kind="hub",
            site_name=site_name,
            shape="circle",
            geometry={"type": "Point", "coordinates": [LON, LAT]},
            radius_m=200.0,
            min_latitude=LAT - 0.002,
            min_longitude=LON - 0.002,
            max_latitude=LAT + 0.002,
            max_longitude=LON + 0.002,
            area_m2=125_663.7,
        )
    return fence


def make_event(
    device: Device,
    geofence: Geofence,
    *,
    kind: str = "enter",
    fix_time: dt.datetime,
    created_at: dt.datetime | None = None,
    retracted: bool = False,
) -> GeofenceEvent:
    with tenant_context(device.tenant_id):
        event: GeofenceEvent = GeofenceEvent.objects.create(
            device=device,
            geofence=geofence,
            kind=kind,
            fix_time=fix_time,
            latitude=LAT,
            longitude=LON,
            created_at=created_at or fix_time,
            retracted_at=fix_time if retracted else None,
        )
    return event


def subscribe(
    membership: Membership,
    kind: str,
    *,
    email: bool = False,
    device: Device | None = None,
    geofence: Geofence | None = None,
) -> Subscription:
    with tenant_context(membership.tenant_id):
        row: Subscription = Subscription.objects.create(
            membership=membership, kind=kind, email=email, device=device, geofence=geofence
        )
    return row


def set_overspeed(tenant_id: int, limit_kmh: int | None) -> None:
    with tenant_context(tenant_id):
        TenantDeviceSettings.objects.update_or_create(
            tenant_id=tenant_id, defaults={"overspeed_kmh": limit_kmh}
        )


def store_positions(
    device: Device, fixes: list[tuple[dt.datetime, float, float, float | None]]
) -> None:
    """Positions ``(fix_time, latitude, longitude, speed in km/h)`` and the device's latest."""
    Position.dangerously_unscoped.bulk_create(
        Position(
            tenant_id=device.tenant_id,
            device_id=device.pk,
            fix_time=fix_time,
            server_time=fix_time,
            latitude=lat,
            longitude=lon,
            speed=None if kmh is None else kmh / 3.6,
        )
        for fix_time, lat, lon, kmh in fixes
    )
    last = max(fixes)
    DeviceLatest.dangerously_unscoped.update_or_create(
        device_id=device.pk,
        defaults={
            "tenant_id": device.tenant_id,
            "fix_time": last[0],
            "server_time": last[0],
            "latitude": last[1],
            "longitude": last[2],
        },
    )
