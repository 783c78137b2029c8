"""The typed input of an order, shared by the API, the pages and the bulk import.

``OrderInput`` is a pydantic model whose text fields pass through the normalisation layer
(``logitrack.core.schemas``; ADR 0017), whose numbers are bounded (``limits``) and whose
datetimes must carry a time zone. What depends on the database or on settings (the shipper
exists in the tenant, the commune lies in the province, the COD cap) is checked by
``order_create``/``order_update``, which raise ``OrderInvalid`` with a stable code and the field.

Shapes: money in integer VND, weight in grams, dimensions in millimetres, coordinates in decimal
degrees (WGS 84, 6 decimals), province and commune/ward codes of the 2025 units
(``vietnam-provinces``). Phone numbers become E.164 (national numbers read as Vietnamese).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from logitrack.core.crypto.canonical import e164
from logitrack.core.ids import Id
from logitrack.core.schemas import Code, EmailText, HumanText, IsoDateTime, MultilineText
from logitrack.logistics import limits
from logitrack.logistics.status import ServiceLevel

WARD_CODE_MAX = 2**31 - 1
PROVINCE_CODE_MAX = 32767


def _phone(value: str) -> str:
    try:
        return e164(value)
    except ValidationError as exc:
        raise PydanticCustomError("invalid_phone", str(exc.messages[0])) from exc


PhoneText = Annotated[Code, Field(max_length=limits.PHONE_INPUT_MAX), AfterValidator(_phone)]
Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6)]
WardCode = Annotated[int, Field(ge=1, le=WARD_CODE_MAX)]
ProvinceCode = Annotated[int, Field(ge=1, le=PROVINCE_CODE_MAX)]
MoneyVnd = Annotated[int, Field(ge=0, le=limits.MONEY_MAX_VND)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class AddressInput(_Input):
    """An address in the 2025 units; ``legacy_text`` is the old three-level form it came from."""

    street: HumanText = Field(min_length=1, max_length=limits.STREET_MAX)
    ward_code: WardCode
    province_code: ProvinceCode
    legacy_text: HumanText | None = Field(default=None, max_length=limits.LEGACY_ADDRESS_MAX)
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class ConsigneeInput(_Input):
    name: HumanText = Field(min_length=1, max_length=limits.NAME_MAX)
    phone: PhoneText
    email: EmailText | None = Field(default=None, max_length=limits.EMAIL_MAX)


class ItemInput(_Input):
    description: HumanText = Field(min_length=1, max_length=limits.DESCRIPTION_MAX)
    quantity: int = Field(default=1, ge=1, le=limits.QUANTITY_MAX)
    declared_value_vnd: MoneyVnd = 0


class ParcelInput(_Input):
    """One shipment of the order. ``pallet``: give it an SSCC-18 (needs a GS1 company prefix)."""

    weight_g: int = Field(gt=0, le=limits.WEIGHT_MAX_G)
    length_mm: int | None = Field(default=None, gt=0, le=limits.DIMENSION_MAX_MM)
    width_mm: int | None = Field(default=None, gt=0, le=limits.DIMENSION_MAX_MM)
    height_mm: int | None = Field(default=None, gt=0, le=limits.DIMENSION_MAX_MM)
    pallet: bool = False


class OrderInput(_Input):
    """Everything an order is created from. ``pickup`` defaults to the shipper's address."""

    shipper_id: Id
    reference: HumanText = Field(default="", max_length=limits.REFERENCE_MAX)
    pickup: AddressInput | None = None
    delivery: AddressInput
    consignee: ConsigneeInput
    service_level: ServiceLevel = ServiceLevel.STANDARD
    cod_amount_vnd: MoneyVnd = 0
    declared_value_vnd: MoneyVnd | None = None
    pickup_window_start: IsoDateTime | None = None
    pickup_window_end: IsoDateTime | None = None
    delivery_window_start: IsoDateTime | None = None
    delivery_window_end: IsoDateTime | None = None
    notes: MultilineText = Field(default="", max_length=limits.NOTES_MAX)
    items: list[ItemInput] = Field(default_factory=list, max_length=limits.ITEMS_MAX)
    parcels: list[ParcelInput] = Field(min_length=1, max_length=limits.PARCELS_MAX)


class OrderPatch(_Input):
    """Fields that may change on an order; absent fields stay as they are.

    Addresses, consignee and service may change only while no shipment was picked up.
    """

    reference: HumanText | None = Field(default=None, max_length=limits.REFERENCE_MAX)
    pickup: AddressInput | None = None
    delivery: AddressInput | None = None
    consignee: ConsigneeInput | None = None
    service_level: ServiceLevel | None = None
    cod_amount_vnd: MoneyVnd | None = None
    declared_value_vnd: MoneyVnd | None = None
    pickup_window_start: IsoDateTime | None = None
    pickup_window_end: IsoDateTime | None = None
    delivery_window_start: IsoDateTime | None = None
    delivery_window_end: IsoDateTime | None = None
    notes: MultilineText | None = Field(default=None, max_length=limits.NOTES_MAX)


class ShipperInput(_Input):
    name: HumanText = Field(min_length=1, max_length=limits.NAME_MAX)
    phone: PhoneText | None = None
    email: EmailText | None = Field(default=None, max_length=limits.EMAIL_MAX)
    address: AddressInput
