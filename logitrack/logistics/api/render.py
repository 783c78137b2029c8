"""Model rows to response schemas."""

from __future__ import annotations

from typing import Any

from logitrack.logistics.models import Order, OrderItem, Shipment, ShipmentEvent, Shipper
from logitrack.logistics.schemas import (
    AddressOut,
    CarrierOut,
    ConsigneeOut,
    DeliveryOfferOut,
    DriverRefOut,
    EventOut,
    ItemOut,
    OrderOut,
    OrderSummaryOut,
    ShipmentDetailOut,
    ShipmentOut,
    ShipperOut,
    VehicleRefOut,
)
from logitrack.logistics.selectors_carriers import CarrierView, delivery_offer


def _text(value: object) -> str:
    # An encrypted value whose key was destroyed reads as None.
    return "" if value is None else str(value)


def _optional(value: object) -> str | None:
    # An optional contact field that was left out: null, which create reads back as "none".
    return None if value is None or value == "" else str(value)


def shipper_out(shipper: Shipper) -> ShipperOut:
    return ShipperOut(
        id=shipper.pk,
        name=shipper.name,
        phone=_optional(shipper.phone),
        email=_optional(shipper.email),
        address=AddressOut(
            street=shipper.street,
            ward_code=shipper.ward_code,
            province_code=shipper.province_code,
            legacy_text=None,
            latitude=None,
            longitude=None,
        ),
        created_at=shipper.created_at,
    )


def shipment_fields(shipment: Shipment) -> dict[str, Any]:
    """The fields of ``ShipmentOut`` as a plain dict: lists validate each row once, not twice."""
    return {
        "waybill": shipment.waybill,
        "order_id": shipment.order_id,
        "parcel_number": shipment.parcel_number,
        "sscc": shipment.sscc,
        "status": shipment.status,
        "status_changed_at": shipment.status_changed_at,
        "service_level": shipment.service_level,
        "delivery_province_code": shipment.delivery_province_code,
        "weight_g": shipment.weight_g,
        "length_mm": shipment.length_mm,
        "width_mm": shipment.width_mm,
        "height_mm": shipment.height_mm,
        "current_place": shipment.current_place,
        "current_province_code": shipment.current_province_code,
        "eta": shipment.eta,
        "created_at": shipment.created_at,
        "vehicle_id": shipment.carrier_vehicle_id,
        "driver_id": shipment.carrier_driver_id,
    }


def shipment_out(shipment: Shipment) -> ShipmentOut:
    return ShipmentOut.model_validate(shipment_fields(shipment))


def event_out(event: ShipmentEvent) -> EventOut:
    return EventOut(
        id=event.pk,
        kind=event.kind,
        status=event.status,
        status_before=event.status_before,
        applied=event.applied,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        place=event.place,
        ward_code=event.ward_code,
        province_code=event.province_code,
        latitude=event.latitude,
        longitude=event.longitude,
        source=event.source,
        reason=event.failure_reason,
        reason_text=event.reason_text,
    )


def carrier_out(carrier: CarrierView) -> CarrierOut:
    return CarrierOut(
        vehicle=VehicleRefOut(id=carrier.vehicle.pk, plate=carrier.vehicle.plate)
        if carrier.vehicle is not None
        else None,
        driver=DriverRefOut(id=carrier.driver.pk, full_name=carrier.driver.full_name)
        if carrier.driver is not None
        else None,
        assigned_at=carrier.assigned_at,
        devices=carrier.devices,
    )


def shipment_detail_out(
    shipment: Shipment, timeline: list[ShipmentEvent], carrier: CarrierView | None = None
) -> ShipmentDetailOut:
    offer = delivery_offer(shipment)
    return ShipmentDetailOut(
        **shipment_out(shipment).model_dump(),
        timeline=[event_out(e) for e in timeline],
        carrier=carrier_out(carrier) if carrier is not None else None,
        delivery_offer=DeliveryOfferOut(offered_at=offer.offered_at, reason=offer.reason)
        if offer is not None
        else None,
    )


def order_out(order: Order, items: list[OrderItem], shipments: list[Shipment]) -> OrderOut:
    return OrderOut(
        id=order.pk,
        shipper_id=order.shipper_id,
        reference=order.reference,
        pickup=AddressOut(
            street=order.pickup_street,
            ward_code=order.pickup_ward_code,
            province_code=order.pickup_province_code,
            legacy_text=order.pickup_legacy_text,
            latitude=order.pickup_latitude,
            longitude=order.pickup_longitude,
        ),
        delivery=AddressOut(
            street=_text(order.delivery_street),
            ward_code=order.delivery_ward_code,
            province_code=order.delivery_province_code,
            legacy_text=order.delivery_legacy_text or None,
            latitude=order.delivery_latitude,
            longitude=order.delivery_longitude,
        ),
        consignee=ConsigneeOut(
            name=_text(order.consignee_name),
            phone=_text(order.consignee_phone),
            email=_optional(order.consignee_email),
        ),
        service_level=order.service_level,
        cod_amount_vnd=order.cod_amount_vnd,
        declared_value_vnd=order.declared_value_vnd,
        pickup_window_start=order.pickup_window_start,
        pickup_window_end=order.pickup_window_end,
        delivery_window_start=order.delivery_window_start,
        delivery_window_end=order.delivery_window_end,
        notes=order.notes,
        items=[
            ItemOut(
                description=item.description,
                quantity=item.quantity,
                declared_value_vnd=item.declared_value_vnd,
            )
            for item in items
        ],
        shipments=[shipment_out(s) for s in shipments],
        created_at=order.created_at,
        updated_at=order.updated_at,
        cancelled_at=order.cancelled_at,
    )


def order_summary_out(order: Order) -> OrderSummaryOut:
    return OrderSummaryOut(
        id=order.pk,
        shipper_id=order.shipper_id,
        reference=order.reference,
        service_level=order.service_level,
        delivery_province_code=order.delivery_province_code,
        cod_amount_vnd=order.cod_amount_vnd,
        created_at=order.created_at,
        cancelled_at=order.cancelled_at,
    )
