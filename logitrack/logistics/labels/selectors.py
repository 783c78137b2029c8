"""What a shipment's label shows, read from the shipment, its order and the order's shipper.

The shipments come from ``access_shipment_by_waybill`` (so they are the caller's tenant's and the
caller may see them); this module only reads what the label prints. Sender = the shipper (name,
phone, address); recipient = the consignee with the delivery address in the 2025 units and, when
it was converted, the old three-level form as given. Phones print in the national form
(``0912 345 678``), the way drivers dial them; dates in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone

from logitrack.logistics.labels.data import LabelData, LabelParty
from logitrack.logistics.models import Shipment
from logitrack.logistics.status import ServiceLevel
from logitrack.tenancy.geography import province_name, ward_name

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
# Words in front of a province's name that sorters do not read ("Thành phố Hà Nội" -> "Hà Nội").
_PROVINCE_KINDS = ("Thành phố ", "Tỉnh ")


def tracking_url(waybill: str) -> str:
    """The public tracking page of ``waybill`` under LOGITRACK_PUBLIC_URL (never the request's
    Host header, which a caller controls)."""
    return f"{str(settings.LOGITRACK_PUBLIC_URL).rstrip('/')}/t/{waybill}"


def _text(value: object) -> str:
    # An encrypted value whose tenant key was destroyed reads as None: print nothing for it.
    return "" if value is None else str(value)


def _phone(value: object) -> str:
    text = _text(value)
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return text
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 84
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(number, style))


def _units(ward_code: int, province_code: int) -> str:
    return f"{ward_name(ward_code)}, {province_name(province_code)}"


def _destination(province_code: int) -> str:
    name = province_name(province_code)
    for kind in _PROVINCE_KINDS:
        if name.startswith(kind):
            return name[len(kind) :]
    return name


def shipment_labels(*, shipments: Sequence[Shipment]) -> list[LabelData]:
    """One :class:`LabelData` per shipment, in the order given (a shipment given twice prints
    twice). Three queries whatever the count: shippers, and the parcels of every order."""
    prefetch_related_objects(list(shipments), "order__shipper")
    order_ids = {shipment.order_id for shipment in shipments}
    parcels = Counter(
        Shipment.objects.filter(order_id__in=order_ids).values_list("order_id", flat=True)
    )
    labels: list[LabelData] = []
    for shipment in shipments:
        order = shipment.order
        shipper = order.shipper
        legacy = _text(order.delivery_legacy_text) or None
        labels.append(
            LabelData(
                waybill=shipment.waybill,
                tracking_url=tracking_url(shipment.waybill),
                sender=LabelParty(
                    name=shipper.name,
                    phone=_phone(shipper.phone),
                    address_lines=(
                        shipper.street,
                        _units(shipper.ward_code, shipper.province_code),
                    ),
                ),
                recipient=LabelParty(
                    name=_text(order.consignee_name),
                    phone=_phone(order.consignee_phone),
                    address_lines=(
                        _text(order.delivery_street),
                        _units(order.delivery_ward_code, order.delivery_province_code),
                    ),
                    legacy_address=legacy,
                ),
                cod_vnd=order.cod_amount_vnd,
                service=str(ServiceLevel(shipment.service_level).label),
                weight_g=shipment.weight_g,
                reference=order.reference,
                parcel_index=shipment.parcel_number,
                parcel_count=max(parcels[order.pk], shipment.parcel_number),
                created_on=timezone.localtime(shipment.created_at, LOCAL_TIME).date(),
                destination=_destination(shipment.delivery_province_code),
            )
        )
    return labels
