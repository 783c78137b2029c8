"""The only way request-driven code gets an order, a shipment or a shipper.

"Missing", "another tenant's" and "not permitted" raise the same NotFound (``order_not_found``,
``waybill_not_found``, ``shipper_not_found``), so ids and waybills cannot be probed. Reading needs
``operations.view`` (drivers: ``driver.tasks`` for shipments); writing ``operations.manage``.
"""

from __future__ import annotations

from logitrack.core.tenant import bound_tenant_id
from logitrack.logistics.errors import OrderNotFound, ShipmentNotFound, ShipperNotFound
from logitrack.logistics.models import Order, Shipment, Shipper
from logitrack.logistics.numbers import canonical_waybill, waybill_is_well_formed
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission


def _tenant_holding(principal: Principal, *permissions: Permission) -> int | None:
    tenant_id = principal.tenant_id
    if tenant_id is None or bound_tenant_id() != tenant_id:
        return None
    if not any(principal.has(permission) for permission in permissions):
        return None
    return tenant_id


def access_order_by_id(principal: Principal, order_id: int, *, for_write: bool = False) -> Order:
    """An order of the principal's tenant, with its shipper.

    Raises OrderNotFound when missing, another tenant's or not permitted.
    """
    needed = Permission.OPERATIONS_MANAGE if for_write else Permission.OPERATIONS_VIEW
    tenant_id = _tenant_holding(principal, needed)
    if tenant_id is None:
        raise OrderNotFound()
    order: Order | None = (
        Order.objects.select_related("shipper").filter(pk=order_id, tenant_id=tenant_id).first()
    )
    if order is None:
        raise OrderNotFound()
    return order


def access_shipment_by_waybill(
    principal: Principal, waybill: str, *, for_write: bool = False
) -> Shipment:
    """The shipment of the principal's tenant with ``waybill`` (any accepted spelling).

    Reading needs ``operations.view`` or ``driver.tasks``; writing ``operations.manage`` or
    ``driver.tasks`` (a driver records events). A malformed waybill, a missing one, another
    tenant's and not permitted all raise ShipmentNotFound (``waybill_not_found``); a malformed
    one is answered without a query.
    """
    needed = (
        (Permission.OPERATIONS_MANAGE, Permission.DRIVER_TASKS)
        if for_write
        else (Permission.OPERATIONS_VIEW, Permission.DRIVER_TASKS)
    )
    tenant_id = _tenant_holding(principal, *needed)
    if tenant_id is None or not waybill_is_well_formed(waybill):
        raise ShipmentNotFound()
    shipment: Shipment | None = (
        Shipment.objects.select_related("order")
        .filter(waybill=canonical_waybill(waybill), tenant_id=tenant_id)
        .first()
    )
    if shipment is None:
        raise ShipmentNotFound()
    return shipment


def access_shipper_by_id(
    principal: Principal, shipper_id: int, *, for_write: bool = False
) -> Shipper:
    """A shipper of the principal's tenant; ShipperNotFound when missing or not permitted."""
    needed = Permission.OPERATIONS_MANAGE if for_write else Permission.OPERATIONS_VIEW
    tenant_id = _tenant_holding(principal, needed)
    if tenant_id is None:
        raise ShipperNotFound()
    shipper: Shipper | None = Shipper.objects.filter(pk=shipper_id, tenant_id=tenant_id).first()
    if shipper is None:
        raise ShipperNotFound()
    return shipper
