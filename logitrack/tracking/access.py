"""Access to tracking objects for request-driven code.

"Missing", "another tenant's" and "not permitted" raise the same ``NotFound``, so ids cannot be
probed. Reading needs ``operations.view``; ``for_write=True`` needs ``operations.manage``
(``warehouse.manage`` for dock doors).
"""

from __future__ import annotations

from logitrack.core.errors import NotFound
from logitrack.core.tenant import bound_tenant_id
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.models import Device, DockDoor, Driver, Vehicle


def _tenant_for(
    principal: Principal,
    for_write: bool,
    code: str,
    write_permission: Permission = Permission.OPERATIONS_MANAGE,
) -> int:
    permission = write_permission if for_write else Permission.OPERATIONS_VIEW
    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(permission) or bound_tenant_id() != tenant_id:
        raise NotFound(code)
    return tenant_id


def access_device_by_id(principal: Principal, device_id: int, *, for_write: bool = False) -> Device:
    """A device of the principal's tenant; NotFound("device_not_found") otherwise."""
    code = "device_not_found"
    tenant_id = _tenant_for(principal, for_write, code)
    device: Device | None = Device.objects.filter(pk=device_id, tenant_id=tenant_id).first()
    if device is None:
        raise NotFound(code)
    return device


def access_device_by_identifier(
    principal: Principal, identifier: str, *, for_write: bool = False
) -> Device:
    """A device of the principal's tenant by its identifier (IMEI or client id, exact);
    NotFound("device_not_found") otherwise."""
    code = "device_not_found"
    tenant_id = _tenant_for(principal, for_write, code)
    device: Device | None = Device.objects.filter(
        identifier=identifier, tenant_id=tenant_id
    ).first()
    if device is None:
        raise NotFound(code)
    return device


def access_vehicle_by_id(
    principal: Principal, vehicle_id: int, *, for_write: bool = False
) -> Vehicle:
    """A vehicle of the principal's tenant; NotFound("vehicle_not_found") otherwise."""
    code = "vehicle_not_found"
    tenant_id = _tenant_for(principal, for_write, code)
    vehicle: Vehicle | None = Vehicle.objects.filter(pk=vehicle_id, tenant_id=tenant_id).first()
    if vehicle is None:
        raise NotFound(code)
    return vehicle


def access_driver_by_id(principal: Principal, driver_id: int, *, for_write: bool = False) -> Driver:
    """A driver of the principal's tenant; NotFound("driver_not_found") otherwise."""
    code = "driver_not_found"
    tenant_id = _tenant_for(principal, for_write, code)
    driver: Driver | None = Driver.objects.filter(pk=driver_id, tenant_id=tenant_id).first()
    if driver is None:
        raise NotFound(code)
    return driver


def access_dock_door_by_id(
    principal: Principal, door_id: int, *, for_write: bool = False
) -> DockDoor:
    """A dock door of the principal's tenant (writing needs ``warehouse.manage``);
    NotFound("dock_door_not_found") otherwise."""
    code = "dock_door_not_found"
    tenant_id = _tenant_for(principal, for_write, code, Permission.WAREHOUSE_MANAGE)
    door: DockDoor | None = (
        DockDoor.objects.select_related("device").filter(pk=door_id, tenant_id=tenant_id).first()
    )
    if door is None:
        raise NotFound(code)
    return door
