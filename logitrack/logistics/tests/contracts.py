"""Isolation contracts of the orders and shipments API, for tests/isolation (contract.py there).

Registered by importing this module from ``tests/isolation/contracts.py``. Shipments are named
by waybill: ``make`` returns the shipment's id and the path looks its waybill up, so another
tenant's waybill and one that exists nowhere must both answer 404 ``waybill_not_found``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from logitrack.tenancy.roles import Permission
from tests.isolation.contract import MISSING_ID, Contract, contract
from tests.isolation.world import World

P = Permission
_serial = itertools.count(1)
_v1 = "/api/v1"
# Well formed (prefix, body, check character) but never given out: prefixes are 2-4 letters
# drawn at random, and this one is reserved for the contract by its fixed body.
_MISSING_WAYBILL = "ZZZZ000000000"


def _missing_waybill() -> str:
    from logitrack.logistics.numbers import waybill_check_character

    return _MISSING_WAYBILL + waybill_check_character(_MISSING_WAYBILL)


def _owner(world: World, side: str) -> Any:
    from logitrack.tenancy.principal import Principal
    from logitrack.tenancy.roles import Role

    membership = world.side(side).memberships[Role.OWNER]
    return Principal.for_membership(membership.user, membership)


def _make_shipper(world: World, side: str) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.logistics.inputs import ShipperInput
    from logitrack.logistics.services.shippers import shipper_create

    data = ShipperInput.model_validate(
        {
            "name": f"Shop Hợp Đồng {next(_serial)}",
            "phone": "0901234567",
            "address": {"street": "1 Lê Lợi", "ward_code": 26506, "province_code": 79},
        }
    )
    with tenant_context(world.side(side).tenant):
        return int(shipper_create(actor=_owner(world, side), data=data).pk)


def _order_body(world: World, side: str) -> dict[str, Any]:
    return {
        "shipper_id": _make_shipper(world, side),
        "reference": f"HD-{next(_serial)}",
        "delivery": {"street": "12 Lê Lợi", "ward_code": 4, "province_code": 1},
        "consignee": {"name": "Trần Thị Bích", "phone": "0912345678"},
        "parcels": [{"weight_g": 1200}],
    }


def _make_order(world: World, side: str) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.logistics.inputs import OrderInput
    from logitrack.logistics.services.orders import order_create

    data = OrderInput.model_validate(_order_body(world, side))
    with tenant_context(world.side(side).tenant):
        return int(order_create(actor=_owner(world, side), data=data).order.pk)


def _make_shipment(world: World, side: str) -> int:
    from logitrack.logistics.models import Shipment

    order_id = _make_order(world, side)
    return int(Shipment.dangerously_unscoped.get(order_id=order_id).pk)


def _waybill(pk: int | None) -> str:
    from logitrack.logistics.models import Shipment

    if pk is None or pk == MISSING_ID:
        return _missing_waybill()
    return str(Shipment.dangerously_unscoped.get(pk=pk).waybill)


def _order_state(pk: int) -> Any:
    from logitrack.logistics.models import Order, Shipment

    order = list(
        Order.dangerously_unscoped.filter(pk=pk).values_list(
            "reference", "notes", "service_level", "cod_amount_vnd", "cancelled_at"
        )
    )
    statuses = list(
        Shipment.dangerously_unscoped.filter(order_id=pk).values_list("status", flat=True)
    )
    return order, statuses


def _shipment_state(pk: int) -> Any:
    from logitrack.logistics.models import Shipment, ShipmentEvent

    shipment = list(
        Shipment.dangerously_unscoped.filter(pk=pk).values_list(
            "status", "status_changed_at", "current_place"
        )
    )
    return shipment, ShipmentEvent.dangerously_unscoped.filter(shipment_id=pk).count()


def _shipper_state(pk: int) -> Any:
    from logitrack.logistics.models import Shipper

    return list(Shipper.dangerously_unscoped.filter(pk=pk).values_list("name", "street"))


def _fixed(path: str) -> Callable[[int | None], str]:
    return lambda pk: path


def _object(pattern: str) -> Callable[[int | None], str]:
    return lambda pk: pattern.format(pk if pk is not None else MISSING_ID)


def _by_waybill(pattern: str) -> Callable[[int | None], str]:
    return lambda pk: pattern.format(_waybill(pk))


def _event_body(world: World, pk: int | None) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "status": "picked_up",
        "occurred_at": timezone.now().isoformat(),
        "idempotency_key": f"contract-{next(_serial)}",
        "place": "Kho Tân Bình",
    }


def _shipper_body(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "name": f"Shop Mới {next(_serial)}",
        "address": {"street": "2 Lê Lợi", "ward_code": 26506, "province_code": 79},
    }


order: dict[str, Any] = {"make": _make_order, "snapshot": _order_state}
shipment: dict[str, Any] = {"make": _make_shipment, "snapshot": _shipment_state}
shipper: dict[str, Any] = {"make": _make_shipper, "snapshot": _shipper_state}

contract(Contract("api-1:shippers_list", "GET", P.OPERATIONS_VIEW, _fixed(f"{_v1}/shippers")))
contract(
    Contract(
        "api-1:shipper_create",
        "POST",
        P.OPERATIONS_MANAGE,
        _fixed(f"{_v1}/shippers"),
        body=_shipper_body,
        json=True,
        ok=201,
    )
)
contract(
    Contract(
        "api-1:shipper_get",
        "GET",
        P.OPERATIONS_VIEW,
        _object(f"{_v1}/shippers/{{}}"),
        **shipper,
    )
)
contract(Contract("api-1:orders_list", "GET", P.OPERATIONS_VIEW, _fixed(f"{_v1}/orders")))
contract(
    Contract(
        "api-1:order_create",
        "POST",
        P.OPERATIONS_MANAGE,
        _fixed(f"{_v1}/orders"),
        body=lambda world, pk: _order_body(world, "a"),
        json=True,
        ok=201,
    )
)
contract(
    Contract("api-1:order_get", "GET", P.OPERATIONS_VIEW, _object(f"{_v1}/orders/{{}}"), **order)
)
contract(
    Contract(
        "api-1:order_update",
        "PATCH",
        P.OPERATIONS_MANAGE,
        _object(f"{_v1}/orders/{{}}"),
        body=lambda world, pk: {"notes": "Gọi trước khi giao"},
        json=True,
        **order,
    )
)
contract(
    Contract(
        "api-1:order_cancel",
        "POST",
        P.OPERATIONS_MANAGE,
        _object(f"{_v1}/orders/{{}}/cancel"),
        json=True,
        **order,
    )
)
contract(Contract("api-1:shipments_list", "GET", P.OPERATIONS_VIEW, _fixed(f"{_v1}/shipments")))
contract(
    Contract(
        "api-1:shipment_get",
        "GET",
        P.OPERATIONS_VIEW,
        _by_waybill(f"{_v1}/shipments/{{}}"),
        **shipment,
    )
)
contract(
    Contract(
        "api-1:shipment_event_create",
        "POST",
        P.OPERATIONS_MANAGE,
        _by_waybill(f"{_v1}/shipments/{{}}/events"),
        body=_event_body,
        json=True,
        ok=201,
        **shipment,
    )
)
contract(
    Contract(
        "api-1:shipments_cancel",
        "POST",
        P.OPERATIONS_MANAGE,
        _fixed(f"{_v1}/shipments/cancel"),
        body=lambda world, pk: {"waybills": [_waybill(pk)]},
        json=True,
        **shipment,
    )
)


def _make_out_for_delivery(world: World, side: str) -> int:
    from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper

    order = make_order_row(make_shipper(world.side(side).tenant))
    return int(make_shipment_row(order, status="out_for_delivery").pk)


def _driver_event_body(world: World, pk: int | None) -> dict[str, Any]:
    return {"status": "delivered", "idempotency_key": f"contract-driver-{next(_serial)}"}


contract(
    Contract(
        "api-1:driver_shipment_event_create",
        "POST",
        P.DRIVER_TASKS,
        _by_waybill(f"{_v1}/driver/shipments/{{}}/events"),
        make=_make_out_for_delivery,
        snapshot=_shipment_state,
        body=_driver_event_body,
        json=True,
        ok=201,
    )
)


def _make_vehicle_id(world: World) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.tracking.models import Vehicle

    tenant = world.side("a").tenant
    with tenant_context(tenant):
        vehicle = Vehicle.objects.create(tenant_id=tenant.pk, plate=f"29H-{next(_serial):05d}")
    return int(vehicle.pk)


def _carrier_state(pk: int) -> Any:
    from logitrack.logistics.models import Shipment

    return list(
        Shipment.dangerously_unscoped.filter(pk=pk).values_list(
            "carrier_vehicle_id", "carrier_driver_id", "carrier_assigned_at"
        )
    )


contract(
    Contract(
        "api-1:shipment_carrier_put",
        "PUT",
        P.OPERATIONS_MANAGE,
        _by_waybill(f"{_v1}/shipments/{{}}/carrier"),
        make=_make_shipment,
        snapshot=_carrier_state,
        # A vehicle of the caller's own company: the shipment alone decides the answer.
        body=lambda world, pk: {"vehicle": _make_vehicle_id(world), "driver": None},
        json=True,
    )
)
