"""Request and response bodies of the orders and shipments API.

Order input bodies are the shared ``OrderInput``/``OrderPatch``/``ShipperInput`` of
``logitrack.logistics.inputs`` (one shape for the API, pages and the bulk import). Money is
integer VND, weights grams, dimensions millimetres, times ISO 8601 with offset (stored in UTC).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from logitrack.core.schemas import Code, HumanText, IsoDateTime, OpaqueText
from logitrack.logistics import limits
from logitrack.logistics.inputs import ProvinceCode, WardCode
from logitrack.logistics.numbers import WAYBILL_MAX_LENGTH
from logitrack.logistics.services.shipments import CANCEL_MAX
from logitrack.logistics.status import EventSource, FailureReason, ShipmentStatus

# A waybill as people type it: the check happens in access_shipment_by_waybill.
WaybillText = Code


class AddressOut(Schema):
    street: str
    ward_code: int
    province_code: int
    legacy_text: str | None
    latitude: Decimal | None
    longitude: Decimal | None


class ConsigneeOut(Schema):
    name: str
    phone: str
    email: str | None  # null when none was given, as create takes it


class ItemOut(Schema):
    description: str
    quantity: int
    declared_value_vnd: int


class ShipperOut(Schema):
    id: int
    name: str
    phone: str | None  # null when none was given, as create takes it
    email: str | None
    address: AddressOut
    created_at: datetime


class ShipmentOut(Schema):
    waybill: str
    order_id: int
    parcel_number: int
    sscc: str | None
    status: ShipmentStatus
    status_changed_at: datetime
    service_level: str
    delivery_province_code: int
    weight_g: int
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    current_place: str
    current_province_code: int | None
    eta: datetime | None
    created_at: datetime
    # The carrier's ids (ADR 0057); ``carrier`` on one shipment names them.
    vehicle_id: int | None = None
    driver_id: int | None = None


class CarrierIn(Schema):
    """Who carries the shipment: a vehicle's id, a driver's id, both, or neither (both null)."""

    vehicle: int | None = Field(default=None, ge=1, le=2**63 - 1)
    driver: int | None = Field(default=None, ge=1, le=2**63 - 1)


class VehicleRefOut(Schema):
    id: int
    plate: str


class DriverRefOut(Schema):
    id: int
    full_name: str


class CarrierOut(Schema):
    vehicle: VehicleRefOut | None
    driver: DriverRefOut | None
    assigned_at: datetime | None
    # Ids of the devices whose open assignment is the vehicle or the driver.
    devices: list[int]


class DeliveryOfferOut(Schema):
    """ "Delivered?" offered to the driver (never a delivery: proof of delivery decides)."""

    offered_at: datetime
    reason: str


class EventOut(Schema):
    id: int
    kind: str
    status: str
    status_before: str
    applied: bool
    occurred_at: datetime
    recorded_at: datetime
    place: str
    ward_code: int | None
    province_code: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    source: str
    reason: str
    reason_text: str


class ShipmentDetailOut(ShipmentOut):
    timeline: list[EventOut]
    carrier: CarrierOut | None = None
    delivery_offer: DeliveryOfferOut | None = None


class OrderOut(Schema):
    id: int
    shipper_id: int
    reference: str
    pickup: AddressOut
    delivery: AddressOut
    consignee: ConsigneeOut
    service_level: str
    cod_amount_vnd: int
    declared_value_vnd: int
    pickup_window_start: datetime | None
    pickup_window_end: datetime | None
    delivery_window_start: datetime | None
    delivery_window_end: datetime | None
    notes: str
    items: list[ItemOut]
    shipments: list[ShipmentOut]
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None


class OrderSummaryOut(Schema):
    """An order in a list: no consignee contact, which only the order's own page shows."""

    id: int
    shipper_id: int
    reference: str
    service_level: str
    delivery_province_code: int
    cod_amount_vnd: int
    created_at: datetime
    cancelled_at: datetime | None


class OrderPageOut(Schema):
    items: list[OrderSummaryOut]
    next_cursor: str | None


class ShipmentPageOut(Schema):
    items: list[ShipmentOut]
    next_cursor: str | None


class EventIn(Schema):
    """One event of a shipment. ``status`` null: a scan that only says where it is.

    ``idempotency_key``: the sender's own id of the event (1-128 printable ASCII, no spaces),
    unique per company; sending it again changes nothing and returns the first outcome.
    ``occurred_at``: when it happened, at most 365 days ago (422 ``event_too_old``); now when
    omitted. ``source`` is the caller's: an API key records ``api``, or ``partner`` when it
    declares so (422 ``event_source_refused`` for any other value); a signed-in person records
    ``user`` and may declare nothing else.
    """

    status: ShipmentStatus | None = None
    occurred_at: IsoDateTime | None = None
    source: EventSource | None = None
    idempotency_key: OpaqueText = Field(min_length=1, max_length=limits.IDEMPOTENCY_KEY_MAX)
    place: HumanText = Field(default="", max_length=limits.PLACE_MAX)
    ward_code: WardCode | None = None
    province_code: ProvinceCode | None = None
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    reason: FailureReason | None = None
    reason_text: HumanText = Field(default="", max_length=limits.REASON_TEXT_MAX)


class DriverEventIn(Schema):
    """What a driver's phone reports about a delivery on its list: ``delivered``, or
    ``failed_attempt`` with a ``reason`` (and ``reason_text`` for ``other``).

    ``idempotency_key`` and ``occurred_at`` as for ``EventIn``; the source is the principal's
    (``user`` for a signed-in driver, ``api`` for an API key), never the body's.
    """

    status: Literal["delivered", "failed_attempt"]
    occurred_at: IsoDateTime | None = None
    idempotency_key: OpaqueText = Field(min_length=1, max_length=limits.IDEMPOTENCY_KEY_MAX)
    place: HumanText = Field(default="", max_length=limits.PLACE_MAX)
    latitude: Decimal | None = Field(default=None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180, decimal_places=6)
    reason: FailureReason | None = None
    reason_text: HumanText = Field(default="", max_length=limits.REASON_TEXT_MAX)


class EventOutcomeOut(Schema):
    applied: bool
    replayed: bool
    status: ShipmentStatus
    event: EventOut


class BulkCancelIn(Schema):
    waybills: list[WaybillText] = Field(min_length=1, max_length=CANCEL_MAX)


class BulkCancelOut(Schema):
    cancelled: list[str]


class CancelRefusedOut(Schema):
    code: str
    message: str
    waybills: list[str]


def waybill_param_max() -> int:
    # Room for separators people type ("SGN-K7M2Q-9XH4P") around the canonical form.
    return WAYBILL_MAX_LENGTH * 2
