"""Isolation contracts of the dispatcher pages (orders and shipments), for tests/isolation.

Registered by importing this module from ``tests/isolation/contracts.py``. Shipment pages take a
waybill: ``make`` returns the shipment's id and the path looks its waybill up (a missing id gets
a well-formed waybill that no shipment has), so another tenant's waybill must answer 404.
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
UNKNOWN_WAYBILL = "ZZZ0000000000"


def _make_shipment(world: World, side: str) -> int:
    from logitrack.logistics.tests.factories import make_order

    created = make_order(world.side(side).tenant)
    return int(created.shipments[0].pk)


def _make_order(world: World, side: str) -> int:
    from logitrack.logistics.tests.factories import make_order

    return int(make_order(world.side(side).tenant).order.pk)


def _waybill(pk: int | None) -> str:
    from logitrack.logistics.models import Shipment
    from logitrack.logistics.numbers import waybill_check_character

    if pk is None or pk == MISSING_ID:
        body = UNKNOWN_WAYBILL[:-1]
        return body + waybill_check_character(body)
    return str(Shipment.dangerously_unscoped.get(pk=pk).waybill)


def _shipment_state(pk: int) -> Any:
    from logitrack.logistics.models import Shipment

    return list(Shipment.dangerously_unscoped.filter(pk=pk).values_list("status", "eta"))


def _order_state(pk: int) -> Any:
    from logitrack.logistics.models import Order

    return [
        (order.reference, order.consignee_name, order.cod_amount_vnd, order.notes)
        for order in Order.dangerously_unscoped.filter(pk=pk)
    ]


def _fixed(path: str) -> Callable[[int | None], str]:
    return lambda pk: path


def _order_path(pattern: str) -> Callable[[int | None], str]:
    return lambda pk: pattern.format(pk if pk is not None else MISSING_ID)


def _order_form(shipper_id: int | None) -> dict[str, Any]:
    from logitrack.logistics.tests.factories import PROVINCE_HANOI, WARD_IN_HANOI

    return {
        "form_token": f"contract-token-{next(_serial):06d}-abcdef",
        "shipper": "" if shipper_id is None else str(shipper_id),
        "reference": f"HĐ-{next(_serial)}",
        "consignee_name": "Lê Văn Cường",
        "consignee_phone": "0987 654 321",
        "delivery_street": "5 Tràng Tiền",
        "delivery_province": str(PROVINCE_HANOI),
        "delivery_ward": str(WARD_IN_HANOI),
        "service_level": "standard",
        "cod_amount_vnd": "150000",
        "weight_g": "800",
        "parcel_count": "1",
    }


def _create_body(world: World, pk: int | None) -> dict[str, Any]:
    from logitrack.logistics.tests.factories import make_shipper

    return _order_form(make_shipper(world.a.tenant).pk)


def _edit_body(world: World, pk: int | None) -> dict[str, Any]:
    """The edit form as a browser sends it: the order's values, with a new reference."""
    from logitrack.logistics.models import Order
    from logitrack.logistics.views.order_form import initial_of

    order = Order.dangerously_unscoped.filter(pk=pk).first()
    if order is None:
        return {**_order_form(None), "reference": "Đã sửa"}
    values = {k: "" if v is None else str(v) for k, v in initial_of(order).items()}
    return {**values, "reference": "Đã sửa"}


def _bulk_body(world: World, pk: int | None) -> dict[str, Any]:
    from logitrack.logistics.tests.factories import (
        make_order_row,
        make_shipment_row,
        make_shipper,
    )

    # Rows written directly: the body is made after the "before" state, which counts members.
    shipment = make_shipment_row(make_order_row(make_shipper(world.a.tenant)))
    waybill = shipment.waybill
    return {"waybills": [waybill], "action": "print", "size": "a6"}


contract(
    Contract("logistics:shipments", "get", P.OPERATIONS_VIEW, _fixed("/operations/shipments/"))
)
contract(
    Contract(
        "logistics:shipments-bulk",
        "post",
        P.OPERATIONS_VIEW,
        _fixed("/operations/shipments/bulk/"),
        body=_bulk_body,
    )
)
contract(
    Contract(
        "logistics:shipment",
        "get",
        P.OPERATIONS_VIEW,
        lambda pk: f"/operations/shipments/{_waybill(pk)}/",
        make=_make_shipment,
        snapshot=_shipment_state,
    )
)
contract(
    Contract(
        "logistics:shipment-status",
        "post",
        P.OPERATIONS_MANAGE,
        lambda pk: f"/operations/shipments/{_waybill(pk)}/status/",
        make=_make_shipment,
        snapshot=_shipment_state,
        body=lambda world, pk: {
            "status": "picked_up",
            "place": "Kho Tân Bình",
            "form_token": f"contract-status-{next(_serial):06d}-abcdef",
        },
        ok=302,
    )
)


def _own_vehicle(world: World) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.tracking.models import Vehicle

    tenant = world.side("a").tenant
    with tenant_context(tenant):
        vehicle = Vehicle.objects.create(tenant_id=tenant.pk, plate=f"30K-{next(_serial):05d}")
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
        "logistics:shipment-carrier",
        "post",
        P.OPERATIONS_MANAGE,
        lambda pk: f"/operations/shipments/{_waybill(pk)}/carrier/",
        make=_make_shipment,
        snapshot=_carrier_state,
        body=lambda world, pk: {"vehicle": str(_own_vehicle(world)), "driver": ""},
        ok=302,
    )
)
contract(Contract("logistics:orders", "get", P.OPERATIONS_VIEW, _fixed("/operations/orders/")))
contract(
    Contract(
        "logistics:order-create", "get", P.OPERATIONS_MANAGE, _fixed("/operations/orders/new/")
    )
)
contract(
    Contract(
        "logistics:order-create",
        "post",
        P.OPERATIONS_MANAGE,
        _fixed("/operations/orders/new/"),
        body=_create_body,
        ok=302,
    )
)
contract(
    Contract(
        "logistics:order",
        "get",
        P.OPERATIONS_VIEW,
        _order_path("/operations/orders/{}/"),
        make=_make_order,
        snapshot=_order_state,
    )
)
contract(
    Contract(
        "logistics:order-edit",
        "get",
        P.OPERATIONS_MANAGE,
        _order_path("/operations/orders/{}/edit/"),
        make=_make_order,
        snapshot=_order_state,
    )
)
contract(
    Contract(
        "logistics:order-edit",
        "post",
        P.OPERATIONS_MANAGE,
        _order_path("/operations/orders/{}/edit/"),
        make=_make_order,
        snapshot=_order_state,
        body=_edit_body,
        ok=302,
    )
)
