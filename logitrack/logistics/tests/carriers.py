"""Test data for carriers and geofence moves: a vehicle with a device, shipments on it, geofences
and geofence events written directly (the events are the contract with the geo processor)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.logistics.services.carriers import shipment_assign_carrier
from logitrack.logistics.tests.factories import make_order, operations_principal
from logitrack.tenancy.models import Tenant
from logitrack.tracking.models import (
    Device,
    DeviceAssignment,
    DeviceLatest,
    Driver,
    Geofence,
    GeofenceEvent,
    Vehicle,
)
from logitrack.tracking.tokens import device_token_new

_serial = itertools.count(1)
HUB = (21.0285, 105.8542)  # Hoàn Kiếm, Hà Nội
CONSIGNEE = (21.0368, 105.8342)  # Ba Đình, about 2.2 km from HUB


@dataclass
class World:
    tenant: Tenant
    vehicle: Vehicle
    driver: Driver
    device: Device
    phone: Device


def make_device_row(tenant: Tenant, name: str = "GPS xe tải") -> Device:
    new = device_token_new()
    with tenant_context(tenant):
        device: Device = Device.objects.create(
            kind="phone",
            identifier=f"35{next(_serial):013d}",
            name=name,
            token_prefix=new.prefix,
            token_hash=new.secret_hash,
        )
    return device


def make_world(tenant: Tenant, *, since: datetime | None = None) -> World:
    """A vehicle with a tracker and a driver with a phone, both assigned since ``since``."""
    since = since or timezone.now() - timedelta(days=2)
    n = next(_serial)
    with tenant_context(tenant):
        vehicle = Vehicle.objects.create(tenant_id=tenant.pk, plate=f"51C-{n:03d}.45")
        driver = Driver.objects.create(tenant_id=tenant.pk, full_name=f"Lê Văn Tài {n}")
    device = make_device_row(tenant)
    phone = make_device_row(tenant, "Điện thoại tài xế")
    with tenant_context(tenant):
        DeviceAssignment.objects.create(
            tenant_id=tenant.pk, device=device, target="vehicle", vehicle=vehicle, started_at=since
        )
        DeviceAssignment.objects.create(
            tenant_id=tenant.pk, device=phone, target="driver", driver=driver, started_at=since
        )
    return World(tenant, vehicle, driver, device, phone)


def make_carried_shipment(
    world: World,
    status: str,
    *,
    changed: datetime | None = None,
    assigned: datetime | None = None,
    by_driver: bool = False,
    **order_fields: Any,
) -> Shipment:
    """A shipment of ``world``'s tenant in ``status`` since ``changed``, on its vehicle (or its
    driver) since ``assigned``."""
    tenant = world.tenant
    shipment = make_order(tenant, **order_fields).shipments[0]
    with tenant_context(tenant):
        shipment_assign_carrier(
            actor=operations_principal(tenant),
            shipment=shipment,
            vehicle=None if by_driver else world.vehicle,
            driver=world.driver if by_driver else None,
        )
    day_ago = timezone.now() - timedelta(days=1)
    Shipment.dangerously_unscoped.filter(pk=shipment.pk).update(
        status=status,
        status_changed_at=changed or day_ago,
        created_at=day_ago - timedelta(hours=1),
        carrier_assigned_at=assigned or day_ago - timedelta(hours=1),
    )
    ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).update(
        occurred_at=day_ago - timedelta(hours=1)
    )
    shipment.refresh_from_db()
    return shipment


def make_geofence(tenant: Tenant, site_kind: str, *, name: str | None = None) -> Geofence:
    lat, lon = HUB if site_kind != "customer_site" else CONSIGNEE
    with tenant_context(tenant):
        fence: Geofence = Geofence.objects.create(
            tenant_id=tenant.pk,
            name=name or f"{site_kind} {next(_serial)}",
            site_kind=site_kind,
            site_name="Hub Hoàn Kiếm" if site_kind == "hub" else "",
            shape="circle",
            geometry={"type": "Point", "coordinates": [lon, lat]},
            radius_m=200,
            min_latitude=lat - 0.002,
            min_longitude=lon - 0.002,
            max_latitude=lat + 0.002,
            max_longitude=lon + 0.002,
            area_m2=125_663.7,
        )
    return fence


def make_event(
    device: Device, fence: Geofence, kind: str, at: datetime, **fields: Any
) -> GeofenceEvent:
    lat, lon = HUB
    with tenant_context(device.tenant_id):
        event: GeofenceEvent = GeofenceEvent.objects.create(
            tenant_id=device.tenant_id,
            device=device,
            geofence=fence,
            kind=kind,
            fix_time=at,
            latitude=lat,
            longitude=lon,
            **fields,
        )
    return event


def place_device(device: Device, lat: float, lon: float, at: datetime | None = None) -> None:
    at = at or timezone.now()
    with tenant_context(device.tenant_id):
        DeviceLatest.objects.update_or_create(
            device=device,
            defaults={
                "tenant_id": device.tenant_id,
                "fix_time": at,
                "server_time": at,
                "latitude": lat,
                "longitude": lon,
            },
        )
