"""Demo orders and shipments: every status, with timelines, for each demo tenant.

Runs after ``logitrack.tenancy.demo.load`` (``DEMO_LOADERS``) and goes through the same services
as everyone else: ``shipper_create``, ``order_create`` and, for every step of every timeline,
``shipment_record_event``. Timelines lie in the past (orders are dated back first), so the
dashboard and the public tracking page show days of history. Each demo tenant in ``demo.json``
gains ``"waybills"`` and ``"api_key"``: a bearer token with every permission a key may hold of
the owner's, made only here and only while ``LOGITRACK_DEMO_ALLOWED`` (never under the
production settings, which refuse the whole demo and, in the system check ``logistics.E001``,
any usable demo key found in their database).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from logitrack.core.demo import DemoFile, DemoRefused, demo_allowed
from logitrack.core.tenant import tenant_context
from logitrack.logistics.inputs import OrderInput, ShipperInput
from logitrack.logistics.models import LogisticsSettings, Order, Shipment, ShipmentEvent
from logitrack.logistics.services.numbering import logistics_settings_of
from logitrack.logistics.services.orders import order_create
from logitrack.logistics.services.shippers import shipper_create
from logitrack.logistics.services.transitions import shipment_record_event
from logitrack.logistics.status import EventSource, ShipmentStatus
from logitrack.tenancy.geography import ward_choices
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import API_KEY_PERMISSIONS, Role

DEMO_KEY_NAME = "Demo key (demo.json)"
DEMO_KEY_DAYS = 364
S = ShipmentStatus

# Each status's path from "created", as the carrier would report it.
_DELIVERY = [S.PICKED_UP, S.IN_TRANSIT, S.AT_HUB, S.OUT_FOR_DELIVERY]
PATHS: dict[str, list[ShipmentStatus]] = {
    "created": [],
    "picked_up": [S.PICKED_UP],
    "in_transit": [S.PICKED_UP, S.IN_TRANSIT],
    "at_hub": [S.PICKED_UP, S.IN_TRANSIT, S.AT_HUB],
    "out_for_delivery": _DELIVERY,
    "delivered": [*_DELIVERY, S.DELIVERED],
    "delivered_second_try": [*_DELIVERY, S.FAILED_ATTEMPT, S.OUT_FOR_DELIVERY, S.DELIVERED],
    "failed_attempt": [*_DELIVERY, S.FAILED_ATTEMPT],
    "returning": [*_DELIVERY, S.FAILED_ATTEMPT, S.RETURNING],
    "returned": [*_DELIVERY, S.FAILED_ATTEMPT, S.RETURNING, S.RETURNED],
    "cancelled": [S.CANCELLED],
}
PER_PATH = 2

# (place, province code) where each step happens; the hub is on the way to the consignee.
_PLACES: dict[ShipmentStatus, tuple[str, int]] = {
    S.PICKED_UP: ("Kho người gửi", 0),
    S.IN_TRANSIT: ("Xe tải tuyến Bắc - Nam", 48),
    S.AT_HUB: ("Trung tâm khai thác", -1),
    S.OUT_FOR_DELIVERY: ("Bưu cục phát", -1),
    S.DELIVERED: ("Địa chỉ người nhận", -1),
    S.FAILED_ATTEMPT: ("Địa chỉ người nhận", -1),
    S.RETURNING: ("Trung tâm khai thác", -1),
    S.RETURNED: ("Kho người gửi", 0),
    S.CANCELLED: ("", 0),
}

CONSIGNEES = (
    ("Nguyễn Thị Lan", "0912345601"),
    ("Trần Văn Hùng", "0987654302"),
    ("Lê Thị Mai", "0903123403"),
    ("Phạm Minh Tuấn", "0938765404"),
    ("Hoàng Thu Trang", "0977001105"),
    ("Đỗ Quang Huy", "0868123406"),
)
DESTINATIONS = (1, 79, 48, 92, 31)
SHIPPERS = (
    ("Shop Thời trang Hoa Mai", "0901111222"),
    ("Cửa hàng Điện máy Bình An", "0902333444"),
    ("Nông sản Sạch Đà Lạt", "0903555666"),
)


@dataclass
class _Tenant:
    tenant: Tenant
    owner: Principal


def _owner_of(entry: dict[str, Any]) -> _Tenant:
    tenant = Tenant.objects.get(slug=entry["slug"])
    with tenant_context(tenant):
        membership = Membership.objects.select_related("user", "tenant").get(role=Role.OWNER)
    return _Tenant(tenant, Principal.for_membership(membership.user, membership))


def demo_api_key(owner: Principal) -> str:
    """A bearer token with the owner's permissions (those a key may hold). Demo only."""
    from logitrack.tenancy.api_keys import api_key_create

    if not demo_allowed():
        raise DemoRefused("demo API keys are never made with the production settings")
    created = api_key_create(
        principal=owner,
        name=DEMO_KEY_NAME,
        permissions=owner.permissions & API_KEY_PERMISSIONS,
        expires_at=timezone.now() + timedelta(days=DEMO_KEY_DAYS),
    )
    return created.token


def _shippers(side: _Tenant) -> list[int]:
    province = side.tenant.province_code
    ward = side.tenant.ward_code
    made = []
    for n, (name, phone) in enumerate(SHIPPERS, start=1):
        data = ShipperInput.model_validate(
            {
                "name": name,
                "phone": phone,
                "email": f"shop{n}@{side.tenant.slug}.demo.logitrack.vn",
                "address": {
                    "street": f"{10 * n} Đường Lê Duẩn",
                    "ward_code": ward,
                    "province_code": province,
                },
            }
        )
        made.append(shipper_create(actor=side.owner, data=data).pk)
    return made


def _order_data(shipper_id: int, n: int, *, pallet: bool = False) -> OrderInput:
    name, phone = CONSIGNEES[n % len(CONSIGNEES)]
    province = DESTINATIONS[n % len(DESTINATIONS)]
    ward = ward_choices(province)[n % 7][0]
    delivery: dict[str, Any] = {
        "street": f"{n + 3} Ngõ {n % 9 + 1} Phố Huế",
        "ward_code": ward,
        "province_code": province,
    }
    if province == 79 and n % 2 == 0:
        # A seller's old three-level address, converted: both forms are kept for the label.
        delivery["street"] = "12 Lê Lợi"
        delivery["legacy_text"] = "12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM"
    parcels: list[dict[str, Any]] = [{"weight_g": 300 + 170 * (n % 11)}]
    if n % 5 == 0:
        parcels.append({"weight_g": 2500, "length_mm": 400, "width_mm": 300, "height_mm": 200})
    if pallet:
        parcels = [{"weight_g": 350_000, "pallet": True}]
    return OrderInput.model_validate(
        {
            "shipper_id": shipper_id,
            "reference": f"DH{2026_0000 + n}",
            "delivery": delivery,
            "consignee": {"name": name, "phone": phone},
            "service_level": ("standard", "express", "same_day")[n % 3],
            "cod_amount_vnd": (n % 4) * 150_000,
            "items": [
                {
                    "description": "Áo sơ mi lụa",
                    "quantity": 1 + n % 3,
                    "declared_value_vnd": 180_000,
                }
            ],
            "parcels": parcels,
            "notes": "Gọi trước khi giao" if n % 3 == 0 else "",
        }
    )


def _date_back(order_id: int, shipments: list[Shipment], start: datetime) -> None:
    Order.objects.filter(pk=order_id).update(created_at=start, updated_at=start)
    Shipment.objects.filter(pk__in=[s.pk for s in shipments]).update(
        created_at=start, status_changed_at=start
    )
    ShipmentEvent.objects.filter(shipment__in=shipments).update(occurred_at=start)


def _walk(side: _Tenant, shipment: Shipment, path: list[ShipmentStatus], start: datetime) -> None:
    sender = side.tenant.province_code
    destination = shipment.delivery_province_code
    for step, status in enumerate(path, start=1):
        place, code = _PLACES[status]
        province = {0: sender, -1: destination}.get(code, code)
        shipment_record_event(
            actor=side.owner,
            shipment=shipment,
            status=status,
            occurred_at=start + timedelta(hours=5 * step),
            source=EventSource.DEVICE if status != S.CANCELLED else EventSource.USER,
            idempotency_key=f"demo:{shipment.waybill}:{step}",
            place=place,
            province_code=province if place else None,
            reason="recipient_absent" if status == S.FAILED_ATTEMPT else None,
        )


def load_tenant(side: _Tenant, now: datetime) -> list[str]:
    """Shippers, orders and shipments of one tenant in every status; returns the waybills."""
    LogisticsSettings.objects.filter(tenant=side.tenant).update(gs1_company_prefix="8930000")
    shippers = _shippers(side)
    serial = itertools.count(1)
    waybills: list[str] = []
    for label, path in PATHS.items():
        for copy in range(PER_PATH):
            n = next(serial)
            # Two pallets with an SSCC: one delivered, one in transit that the RFID demo
            # (logitrack.tracking.demo) moves through a hub's dock door.
            pallet = label in ("delivered", "in_transit") and copy == 0
            data = _order_data(shippers[n % len(shippers)], n, pallet=pallet)
            created = order_create(actor=side.owner, data=data, source=EventSource.IMPORT)
            start = now - timedelta(hours=5 * len(path) + 6 + n)
            _date_back(created.order.pk, created.shipments, start)
            for shipment in created.shipments:
                shipment.refresh_from_db()
                _walk(side, shipment, path, start)
                waybills.append(shipment.waybill)
    return waybills


def load(demo: DemoFile) -> None:
    if not demo_allowed():
        raise DemoRefused("the demo is never loaded with the production settings")
    now = timezone.now()
    for entry in demo.tenants:
        side = _owner_of(entry)
        with tenant_context(side.tenant):
            # The settings row exists before the first order, so the GS1 prefix applies.
            logistics_settings_of(side.tenant.pk)
            entry["waybills"] = load_tenant(side, now)
            entry["api_key"] = demo_api_key(side.owner)
