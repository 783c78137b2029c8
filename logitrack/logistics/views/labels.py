"""Labels printed from the pages: the selected shipments' labels as one PDF, in the list's order.

Label content is built here from the shipment, its order and shipper (names and addresses in the
2025 units, the old form under the new one when the address was converted); drawing is the
labels package's (``logitrack.logistics.labels``). The tracking URL in the QR code is built from
``LOGITRACK_PUBLIC_URL``, never from the request's Host header.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from logitrack.logistics.labels import (
    LABEL_SIZES,
    LabelData,
    LabelDataError,
    LabelParty,
    render_pdf,
)
from logitrack.logistics.models import Shipment
from logitrack.logistics.selectors_pages import parcel_counts
from logitrack.logistics.status import ServiceLevel
from logitrack.tenancy.access import principal_of
from logitrack.tenancy.geography import province_name, ward_name

VIETNAM = timezone.get_fixed_timezone(7 * 60)


def _unit(name_of: object, code: int | None) -> str:
    if not code:
        return ""
    try:
        return str(name_of(code))  # type: ignore[operator]
    except (ValueError, KeyError):
        return str(code)


def tracking_url(waybill: str) -> str:
    base = str(settings.LOGITRACK_PUBLIC_URL).rstrip("/")
    return base + reverse("tracking:track", kwargs={"waybill": waybill})


def label_of(shipment: Shipment, parcel_count: int) -> LabelData:
    """What the label of ``shipment`` shows; ``parcel_count``: parcels of its order."""
    order = shipment.order
    shipper = order.shipper
    return LabelData(
        waybill=shipment.waybill,
        tracking_url=tracking_url(shipment.waybill),
        sender=LabelParty(
            name=shipper.name,
            phone=shipper.phone or "",
            address_lines=(
                order.pickup_street,
                _unit(ward_name, order.pickup_ward_code),
                _unit(province_name, order.pickup_province_code),
            ),
            legacy_address=order.pickup_legacy_text or None,
        ),
        recipient=LabelParty(
            name=order.consignee_name or "",
            phone=order.consignee_phone or "",
            address_lines=(
                order.delivery_street or "",
                _unit(ward_name, order.delivery_ward_code),
                _unit(province_name, order.delivery_province_code),
            ),
            legacy_address=order.delivery_legacy_text or None,
        ),
        cod_vnd=order.cod_amount_vnd,
        service=str(ServiceLevel(shipment.service_level).label),
        weight_g=shipment.weight_g,
        reference=order.reference,
        parcel_index=shipment.parcel_number,
        parcel_count=max(parcel_count, shipment.parcel_number),
        created_on=timezone.localtime(shipment.created_at, VIETNAM).date(),
        destination=_unit(province_name, shipment.delivery_province_code),
    )


def labels_response(request: HttpRequest, shipments: list[Shipment], size: str) -> HttpResponse:
    """One PDF with a page per shipment, as an attachment; back to the list on bad input."""
    if size not in LABEL_SIZES:
        messages.error(request, _("Choose a label size."))
        return redirect("logistics:shipments")
    try:
        counts = parcel_counts(
            actor=principal_of(request), order_ids=[s.order_id for s in shipments]
        )
        labels = [label_of(s, counts.get(s.order_id, 1)) for s in shipments]
        pdf = render_pdf(labels, size)  # type: ignore[arg-type]
    except LabelDataError:
        messages.error(request, _("These labels cannot be printed."))
        return redirect("logistics:shipments")
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localtime(timezone.now(), VIETNAM).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="labels-{size}-{stamp}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
