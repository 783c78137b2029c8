"""Creating, changing and cancelling orders (and the shipments they produce).

Each service is keyword-only and atomic: it checks the caller's permission and every field before
writing, writes its audit entry in the same transaction, and leaves nothing half-saved when it
refuses. ``OrderInput`` (``logitrack.logistics.inputs``) has already bounded the shapes; what
needs the database or settings is checked here: the shipper belongs to the tenant, each commune
lies in its province, the COD amount is within ``LOGITRACK_COD_CAP_VND``, windows end after they
start, pallets have a GS1 company prefix to number them with.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from logitrack.logistics import limits
from logitrack.logistics.actors import Caller, actor_api_key_id, actor_user_id, audit_actor
from logitrack.logistics.errors import (
    AddressInvalid,
    CodAboveCap,
    IdempotencyKeyReused,
    OrderInvalid,
    OrderNotEditable,
    PalletNeedsGs1Prefix,
    WindowInvalid,
)
from logitrack.logistics.inputs import AddressInput, OrderInput, OrderPatch
from logitrack.logistics.models import Order, OrderItem, Shipment, ShipmentEvent, Shipper
from logitrack.logistics.services._common import (
    clean_optional_idempotency_key,
    clean_units,
    require,
)
from logitrack.logistics.services.numbering import (
    logistics_settings_for_update,
    logistics_settings_of,
    next_sscc,
    with_new_waybill,
)
from logitrack.logistics.status import EventKind, EventSource, ShipmentStatus
from logitrack.tenancy.roles import Permission


class ShipperUnknown(OrderInvalid):
    code = "shipper_not_found"
    field = "shipper_id"

    def __init__(self) -> None:
        from django.utils.translation import gettext_lazy as _

        super().__init__(_("This shipper does not exist."))


@dataclass(frozen=True)
class OrderCreated:
    """The order, its shipments in parcel order, and whether an earlier request made them."""

    order: Order
    shipments: list[Shipment]
    replayed: bool


def fingerprint(data: OrderInput) -> str:
    """SHA-256 (hex) of the order's canonical JSON: equal inputs, equal fingerprints."""
    return hashlib.sha256(data.model_dump_json().encode("utf-8")).hexdigest()


def _clean_address(address: AddressInput, field: str) -> None:
    clean_units(address.province_code, address.ward_code, field=field, error=AddressInvalid)
    if (address.latitude is None) != (address.longitude is None):
        raise OrderInvalid(field=f"{field}.latitude")


def _check_windows(values: dict[str, Any]) -> None:
    for kind in ("pickup", "delivery"):
        start, end = values.get(f"{kind}_window_start"), values.get(f"{kind}_window_end")
        if start is not None and end is not None and end <= start:
            raise WindowInvalid(field=f"{kind}_window_end")


def _check_cod(amount: int) -> None:
    if amount > limits.cod_cap_vnd():
        raise CodAboveCap()


def _address_fields(prefix: str, address: AddressInput) -> dict[str, Any]:
    return {
        f"{prefix}_street": address.street,
        f"{prefix}_ward_code": address.ward_code,
        f"{prefix}_province_code": address.province_code,
        f"{prefix}_legacy_text": address.legacy_text or None,
        f"{prefix}_latitude": address.latitude,
        f"{prefix}_longitude": address.longitude,
    }


def shipper_address(shipper: Shipper) -> AddressInput:
    """The pickup address an order takes when none is given: the shipper's own."""
    return AddressInput(
        street=shipper.street, ward_code=shipper.ward_code, province_code=shipper.province_code
    )


def _declared_value(data: OrderInput) -> int:
    if data.declared_value_vnd is not None:
        return data.declared_value_vnd
    total = sum(item.quantity * item.declared_value_vnd for item in data.items)
    if total > limits.MONEY_MAX_VND:
        raise OrderInvalid(field="declared_value_vnd")
    return total


def order_fields(
    *,
    tenant_id: int,
    shipper_id: int,
    data: OrderInput,
    pickup: AddressInput,
    declared_value_vnd: int,
    created_by_id: int | None,
    created_by_api_key_id: int | None,
    idempotency_key: str | None,
    idempotency_fingerprint: str,
    now: Any,
) -> dict[str, Any]:
    """The columns (attnames) of the new Order row of ``data``: the one builder of
    ``order_create`` (through :func:`new_order`) and of the bulk import (``imports.orders``,
    which writes these values without a model instance), so both store the same columns."""
    return {
        "tenant_id": tenant_id,
        "shipper_id": shipper_id,
        "reference": data.reference,
        **_address_fields("pickup", pickup),
        **_address_fields("delivery", data.delivery),
        "consignee_name": data.consignee.name,
        "consignee_phone": data.consignee.phone,
        "consignee_email": data.consignee.email or "",
        "service_level": data.service_level.value,
        "cod_amount_vnd": data.cod_amount_vnd,
        "declared_value_vnd": declared_value_vnd,
        "notes": data.notes,
        "created_by_id": created_by_id,
        "created_by_api_key_id": created_by_api_key_id,
        "idempotency_key": idempotency_key,
        "idempotency_fingerprint": idempotency_fingerprint,
        "created_at": now,
        "updated_at": now,
        "pickup_window_start": data.pickup_window_start,
        "pickup_window_end": data.pickup_window_end,
        "delivery_window_start": data.delivery_window_start,
        "delivery_window_end": data.delivery_window_end,
    }


def new_order(
    *,
    tenant_id: int,
    shipper: Shipper,
    data: OrderInput,
    pickup: AddressInput,
    declared_value_vnd: int,
    created_by_id: int | None,
    created_by_api_key_id: int | None,
    idempotency_key: str | None,
    idempotency_fingerprint: str,
    now: Any,
) -> Order:
    """The unsaved Order row of ``data`` (columns from :func:`order_fields`)."""
    fields = order_fields(
        tenant_id=tenant_id,
        shipper_id=shipper.pk,
        data=data,
        pickup=pickup,
        declared_value_vnd=declared_value_vnd,
        created_by_id=created_by_id,
        created_by_api_key_id=created_by_api_key_id,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=idempotency_fingerprint,
        now=now,
    )
    del fields["shipper_id"]
    return Order(shipper=shipper, **fields)


def item_fields(tenant_id: int, data: OrderInput) -> list[dict[str, Any]]:
    """The columns of the OrderItem rows of ``data`` (positions from 1), without ``order_id``."""
    return [
        {
            "tenant_id": tenant_id,
            "position": position,
            "description": item.description,
            "quantity": item.quantity,
            "declared_value_vnd": item.declared_value_vnd,
        }
        for position, item in enumerate(data.items, start=1)
    ]


def new_items(tenant_id: int, order: Order, data: OrderInput) -> list[OrderItem]:
    """The unsaved OrderItem rows of ``data`` (columns from :func:`item_fields`), on ``order``."""
    return [OrderItem(order=order, **fields) for fields in item_fields(tenant_id, data)]


def shipment_fields(
    tenant_id: int,
    number: int,
    parcel: Any,
    *,
    service_level: str,
    delivery_province_code: int,
    sscc: str | None,
    now: Any,
) -> dict[str, Any]:
    """The columns of parcel ``number`` of an order (status ``created``), without ``order_id``
    and with the waybill not yet drawn; service and province are the order's."""
    return {
        "tenant_id": tenant_id,
        "parcel_number": number,
        "sscc": sscc,
        "weight_g": parcel.weight_g,
        "length_mm": parcel.length_mm,
        "width_mm": parcel.width_mm,
        "height_mm": parcel.height_mm,
        "service_level": service_level,
        "delivery_province_code": delivery_province_code,
        "status": ShipmentStatus.CREATED,
        "status_changed_at": now,
        "created_at": now,
    }


def new_shipment_fields(
    tenant_id: int, order: Order, number: int, parcel: Any, *, sscc: str | None, now: Any
) -> dict[str, Any]:
    """The fields of parcel ``number`` of ``order`` (:func:`shipment_fields` and the order)."""
    return {
        **shipment_fields(
            tenant_id,
            number,
            parcel,
            service_level=order.service_level,
            delivery_province_code=order.delivery_province_code,
            sscc=sscc,
            now=now,
        ),
        "order": order,
    }


def created_event_fields(
    tenant_id: int,
    waybill: str,
    *,
    source: str,
    actor_user_id: int | None,
    actor_api_key_id: int | None,
    now: Any,
) -> dict[str, Any]:
    """The columns of the first timeline event (``created``, applied) of the new shipment
    ``waybill``, without ``shipment_id``."""
    return {
        "tenant_id": tenant_id,
        "kind": EventKind.STATUS,
        "status": ShipmentStatus.CREATED,
        "status_before": ShipmentStatus.CREATED,
        "applied": True,
        "occurred_at": now,
        "recorded_at": now,
        "source": source,
        "idempotency_key": f"created:{waybill}",
        "actor_user_id": actor_user_id,
        "actor_api_key_id": actor_api_key_id,
    }


def created_event(
    shipment: Shipment,
    *,
    source: str,
    actor_user_id: int | None,
    actor_api_key_id: int | None,
    now: Any,
) -> ShipmentEvent:
    """The unsaved first timeline event of a new shipment (:func:`created_event_fields`)."""
    return ShipmentEvent(
        shipment=shipment,
        **created_event_fields(
            shipment.tenant_id,
            shipment.waybill,
            source=source,
            actor_user_id=actor_user_id,
            actor_api_key_id=actor_api_key_id,
            now=now,
        ),
    )


def _insert_shipment(fields: dict[str, Any], waybill: str) -> Shipment:
    shipment = Shipment(waybill=waybill, **fields)
    shipment.save(force_insert=True)
    return shipment


def _replay(tenant_id: int, key: str, print_: str) -> OrderCreated | None:
    order: Order | None = Order.objects.filter(tenant_id=tenant_id, idempotency_key=key).first()
    if order is None:
        return None
    if order.idempotency_fingerprint != print_:
        raise IdempotencyKeyReused()
    shipments = list(order.shipments.order_by("parcel_number"))
    return OrderCreated(order=order, shipments=shipments, replayed=True)


def order_create(
    *,
    actor: Caller,
    data: OrderInput,
    idempotency_key: str | None = None,
    source: str = EventSource.API,
    request: HttpRequest | None = None,
) -> OrderCreated:
    """Create an order, its items and one shipment per parcel, each with a new waybill.

    Invariants:
    - needs ``operations.manage`` in the bound tenant (or a ``SystemCaller``), else NotAllowed;
    - a shipper of another tenant is answered like a missing one (``shipper_not_found``);
    - ``idempotency_key`` (1-128 printable ASCII): a retry with the same key and the same input
      returns the first result with ``replayed=True`` and writes nothing; the same key with a
      different input raises IdempotencyKeyReused (409);
    - each shipment starts ``created``, with a first timeline event (``source``), so its
      timeline begins where its life does; pallets get the tenant's next SSCC;
    - refused input raises an OrderInvalid subclass with a stable code and field; nothing saved.
    """
    from logitrack.security.services import audit_record

    tenant_id = require(actor, Permission.OPERATIONS_MANAGE)
    key = clean_optional_idempotency_key(idempotency_key)
    print_ = fingerprint(data)
    if key is not None:
        replayed = _replay(tenant_id, key, print_)
        if replayed is not None:
            return replayed
    event_source = EventSource(source)
    shipper: Shipper | None = Shipper.objects.filter(pk=data.shipper_id).first()
    if shipper is None:
        raise ShipperUnknown()
    pickup = data.pickup or shipper_address(shipper)
    _clean_address(pickup, "pickup.ward_code")
    _clean_address(data.delivery, "delivery.ward_code")
    _check_cod(data.cod_amount_vnd)
    declared = _declared_value(data)
    windows = {
        "pickup_window_start": data.pickup_window_start,
        "pickup_window_end": data.pickup_window_end,
        "delivery_window_start": data.delivery_window_start,
        "delivery_window_end": data.delivery_window_end,
    }
    _check_windows(windows)
    pallets = [parcel for parcel in data.parcels if parcel.pallet]
    now = timezone.now()

    try:
        with transaction.atomic():
            numbering = (
                logistics_settings_for_update(tenant_id)
                if pallets
                else logistics_settings_of(tenant_id)
            )
            if pallets and not numbering.gs1_company_prefix:
                raise PalletNeedsGs1Prefix()
            order = new_order(
                tenant_id=tenant_id,
                shipper=shipper,
                data=data,
                pickup=pickup,
                declared_value_vnd=declared,
                created_by_id=actor_user_id(actor),
                created_by_api_key_id=actor_api_key_id(actor),
                idempotency_key=key,
                idempotency_fingerprint=print_ if key is not None else "",
                now=now,
            )
            order.save(force_insert=True)
            OrderItem.objects.bulk_create(new_items(tenant_id, order, data))
            shipments: list[Shipment] = []
            for number, parcel in enumerate(data.parcels, start=1):
                sscc = next_sscc(numbering) if parcel.pallet else None
                fields = new_shipment_fields(tenant_id, order, number, parcel, sscc=sscc, now=now)
                shipments.append(
                    with_new_waybill(numbering.waybill_prefix, partial(_insert_shipment, fields))
                )
            ShipmentEvent.objects.bulk_create(
                [
                    created_event(
                        shipment,
                        source=event_source.value,
                        actor_user_id=actor_user_id(actor),
                        actor_api_key_id=actor_api_key_id(actor),
                        now=now,
                    )
                    for shipment in shipments
                ]
            )
            audit_record(
                action="order_created",
                actor=audit_actor(actor),
                tenant_id=tenant_id,
                object_type="order",
                object_id=str(order.pk),
                details={"shipments": len(shipments), "source": event_source.value},
                request=request,
            )
    except IntegrityError:
        # Two requests with one idempotency key: the other one committed first.
        if key is not None:
            replayed = _replay(tenant_id, key, print_)
            if replayed is not None:
                return replayed
        raise
    return OrderCreated(order=order, shipments=shipments, replayed=False)


_ALWAYS_EDITABLE = frozenset({"reference", "notes"})
_WINDOWS = (
    "pickup_window_start",
    "pickup_window_end",
    "delivery_window_start",
    "delivery_window_end",
)


def _patch_values(patch: OrderPatch) -> dict[str, Any]:
    """The model fields ``patch`` sets, checked; a field sent as null clears only a window."""
    given = patch.model_dump(exclude_unset=True)
    values: dict[str, Any] = {
        name: getattr(patch, name)
        for name in ("reference", "cod_amount_vnd", "declared_value_vnd", "notes")
        if given.get(name) is not None
    }
    if patch.service_level is not None:
        values["service_level"] = patch.service_level.value
    values.update({name: getattr(patch, name) for name in _WINDOWS if name in given})
    if patch.pickup is not None:
        _clean_address(patch.pickup, "pickup.ward_code")
        values.update(_address_fields("pickup", patch.pickup))
    if patch.delivery is not None:
        _clean_address(patch.delivery, "delivery.ward_code")
        values.update(_address_fields("delivery", patch.delivery))
    if patch.consignee is not None:
        values["consignee_name"] = patch.consignee.name
        values["consignee_phone"] = patch.consignee.phone
        values["consignee_email"] = patch.consignee.email or ""
    if "cod_amount_vnd" in values:
        _check_cod(values["cod_amount_vnd"])
    return values


def order_update(
    *,
    actor: Caller,
    order: Order,
    patch: OrderPatch,
    request: HttpRequest | None = None,
) -> Order:
    """Change the fields present in ``patch``; returns the order as stored.

    Invariants: needs ``operations.manage``; ``reference`` and ``notes`` may change while the
    order is not cancelled; every other field only while all its shipments are ``created``
    (OrderNotEditable otherwise). The shipments' copies of service level and delivery province
    change in the same transaction. The audit entry names the fields, not their values.
    """
    from logitrack.security.services import audit_record

    tenant_id = require(actor, Permission.OPERATIONS_MANAGE)
    values = _patch_values(patch)

    with transaction.atomic():
        locked: Order = Order.objects.select_for_update().get(pk=order.pk, tenant_id=tenant_id)
        if locked.cancelled_at is not None:
            raise OrderNotEditable()
        merged = {name: values.get(name, getattr(locked, name)) for name in _WINDOWS}
        _check_windows(merged)
        changed = [name for name, value in values.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        if set(changed) - _ALWAYS_EDITABLE:
            moved = (
                Shipment.objects.select_for_update()
                .filter(order=locked)
                .exclude(status=ShipmentStatus.CREATED)
                .exists()
            )
            if moved:
                raise OrderNotEditable()
        for name in changed:
            setattr(locked, name, values[name])
        locked.updated_at = timezone.now()
        # The blind index is computed on save from the phone; it must be written with it.
        derived = ["consignee_phone_index"] if "consignee_phone" in changed else []
        locked.save(update_fields=[*changed, *derived, "updated_at"])
        copies: dict[str, Any] = {}
        if "service_level" in changed:
            copies["service_level"] = locked.service_level
        if "delivery_province_code" in changed:
            copies["delivery_province_code"] = locked.delivery_province_code
        if copies:
            Shipment.objects.filter(order=locked).update(**copies)
        audit_record(
            action="order_updated",
            actor=audit_actor(actor),
            tenant_id=tenant_id,
            object_type="order",
            object_id=str(locked.pk),
            details={"fields": sorted(changed)},
            request=request,
        )
    return locked
