"""Reads of a shipment's carrier and of its "delivered?" offer (ADR 0057)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from logitrack.logistics.models import Shipment
from logitrack.logistics.status import ShipmentStatus
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

if TYPE_CHECKING:
    from logitrack.tracking.models import Driver, Vehicle


@dataclass(frozen=True)
class CarrierView:
    vehicle: Vehicle | None
    driver: Driver | None
    assigned_at: datetime | None
    devices: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class DeliveryOffer:
    offered_at: datetime
    reason: str


def shipment_carrier(*, principal: Principal, shipment: Shipment) -> CarrierView:
    """The shipment's vehicle, driver and devices (the devices whose open assignment is that
    vehicle or driver); nothing without ``operations.view`` or ``driver.tasks`` in its tenant."""
    from logitrack.tracking.models import Driver, Vehicle
    from logitrack.tracking.selectors_carriers import carrier_devices

    tenant_id = principal.tenant_id
    allowed = principal.has(Permission.OPERATIONS_VIEW) or principal.has(Permission.DRIVER_TASKS)
    if tenant_id is None or shipment.tenant_id != tenant_id or not allowed:
        return CarrierView(None, None, None)
    vehicle = (
        Vehicle.objects.filter(tenant_id=tenant_id, pk=shipment.carrier_vehicle_id).first()
        if shipment.carrier_vehicle_id
        else None
    )
    driver = (
        Driver.objects.filter(tenant_id=tenant_id, pk=shipment.carrier_driver_id).first()
        if shipment.carrier_driver_id
        else None
    )
    devices = carrier_devices(
        tenant_id=tenant_id,
        vehicle_id=shipment.carrier_vehicle_id,
        driver_id=shipment.carrier_driver_id,
    )
    return CarrierView(vehicle, driver, shipment.carrier_assigned_at, devices)


def delivery_offer(shipment: Shipment) -> DeliveryOffer | None:
    """The "delivered?" offer standing on the shipment: made since it last went out for
    delivery, while it still is."""
    offered = shipment.delivery_offered_at
    if (
        shipment.status != ShipmentStatus.OUT_FOR_DELIVERY
        or offered is None
        or offered < shipment.status_changed_at
    ):
        return None
    return DeliveryOffer(offered, shipment.delivery_offer_reason)


def carrier_choices(*, principal: Principal) -> tuple[list[Vehicle], list[Driver]]:
    """The tenant's active vehicles and drivers, for the carrier form."""
    from logitrack.tracking.selectors_carriers import drivers_of_tenant, vehicles_of_tenant

    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(Permission.OPERATIONS_VIEW):
        return [], []
    return (
        list(vehicles_of_tenant(tenant_id=tenant_id)),
        list(drivers_of_tenant(tenant_id=tenant_id)),
    )


def vehicle_choices(*, principal: Principal) -> list[tuple[int, str]]:
    """``(id, plate)`` of the tenant's active vehicles, for the shipments list's filter."""
    from logitrack.tracking.selectors_carriers import vehicles_of_tenant

    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(Permission.OPERATIONS_VIEW):
        return []
    return list(vehicles_of_tenant(tenant_id=tenant_id).values_list("pk", "plate"))
