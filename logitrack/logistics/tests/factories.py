"""Test data for logistics: every object inherits its tenant from its parent.

Rows are written directly (not through services) only where a test is about the database's own
constraints; everything else goes through ``order_create``.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.logistics.inputs import OrderInput
from logitrack.logistics.models import LogisticsSettings, Order, Shipment, Shipper
from logitrack.logistics.numbers import new_waybill
from logitrack.logistics.services.orders import OrderCreated, order_create
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import (
    PROVINCE_HANOI,
    PROVINCE_HCMC,
    WARD_IN_HANOI,
    WARD_IN_HCMC,
    make_member,
    principal_for,
)

__all__ = [
    "PROVINCE_HANOI",
    "PROVINCE_HCMC",
    "WARD_IN_HANOI",
    "WARD_IN_HCMC",
    "make_order",
    "make_order_row",
    "make_settings",
    "make_shipment_row",
    "make_shipper",
    "operations_principal",
    "order_input",
]

_serial = itertools.count(1)
_prefixes = itertools.product("ABCDEFGHJKMNPQRSTVWXYZ", repeat=4)


def make_settings(tenant: Tenant, **fields: Any) -> LogisticsSettings:
    with tenant_context(tenant):
        found: LogisticsSettings | None = LogisticsSettings.objects.filter(tenant=tenant).first()
        if found is not None:
            return found
        values: dict[str, Any] = {"waybill_prefix": "".join(next(_prefixes))}
        values.update(fields)
        settings: LogisticsSettings = LogisticsSettings.objects.create(tenant=tenant, **values)
        return settings


def make_shipper(tenant: Tenant, **fields: Any) -> Shipper:
    n = next(_serial)
    values: dict[str, Any] = {
        "name": f"Shop Hoa Mai {n}",
        "phone": "0901234567",
        "email": f"shop{n}@example.vn",
        "street": f"{n} Nguyễn Huệ",
        "ward_code": WARD_IN_HCMC,
        "province_code": PROVINCE_HCMC,
    }
    values.update(fields)
    with tenant_context(tenant):
        shipper: Shipper = Shipper.objects.create(tenant=tenant, **values)
    return shipper


def make_order_row(shipper: Shipper, **fields: Any) -> Order:
    values: dict[str, Any] = {
        "shipper": shipper,
        "pickup_street": shipper.street,
        "pickup_ward_code": shipper.ward_code,
        "pickup_province_code": shipper.province_code,
        "delivery_street": "12 Lê Lợi",
        "delivery_ward_code": WARD_IN_HANOI,
        "delivery_province_code": PROVINCE_HANOI,
        "consignee_name": "Trần Thị Bích",
        "consignee_phone": "+84912345678",
        "service_level": "standard",
    }
    values.update(fields)
    with tenant_context(shipper.tenant):
        order: Order = Order.objects.create(tenant_id=shipper.tenant_id, **values)
    return order


def make_shipment_row(order: Order, *, at: datetime | None = None, **fields: Any) -> Shipment:
    settings = make_settings(order.tenant)
    values: dict[str, Any] = {
        "order": order,
        "waybill": new_waybill(settings.waybill_prefix),
        "weight_g": 1200,
        "service_level": order.service_level,
        "delivery_province_code": order.delivery_province_code,
        "status_changed_at": at or timezone.now(),
        "parcel_number": Shipment.dangerously_unscoped.filter(order=order).count() + 1,
    }
    values.update(fields)
    with tenant_context(order.tenant):
        shipment: Shipment = Shipment.objects.create(tenant_id=order.tenant_id, **values)
    return shipment


def order_input(shipper: Shipper, **fields: Any) -> OrderInput:
    """A valid order of ``shipper`` to a consignee in Hà Nội, with one 1.2 kg parcel."""
    values: dict[str, Any] = {
        "shipper_id": shipper.pk,
        "reference": f"DH-{next(_serial)}",
        "delivery": {
            "street": "12 Lê Lợi",
            "ward_code": WARD_IN_HANOI,
            "province_code": PROVINCE_HANOI,
        },
        "consignee": {"name": "Trần Thị Bích", "phone": "0912 345 678"},
        "service_level": "express",
        "cod_amount_vnd": 250_000,
        "items": [{"description": "Áo dài lụa", "quantity": 2, "declared_value_vnd": 400_000}],
        "parcels": [{"weight_g": 1200}],
    }
    values.update(fields)
    return OrderInput.model_validate(values)


def operations_principal(tenant: Tenant, role: Role = Role.DISPATCHER) -> Principal:
    return principal_for(make_member(tenant, role))


def make_order(tenant: Tenant, *, parcels: int = 1, **fields: Any) -> OrderCreated:
    """An order made by ``order_create`` as a dispatcher of ``tenant``."""
    shipper = make_shipper(tenant)
    data = order_input(shipper, parcels=[{"weight_g": 1000 + n} for n in range(parcels)], **fields)
    with tenant_context(tenant):
        return order_create(actor=operations_principal(tenant), data=data)
