"""Shipments: the searchable list, one shipment with its timeline, bulk actions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.views.decorators.http import require_safe

from logitrack.logistics.access import access_shipment_by_waybill
from logitrack.logistics.selectors_pages import shipments_page, timeline_for_page
from logitrack.logistics.views.common import page_links, render_page
from logitrack.logistics.views.filters import SHIPMENT_SORT_CHOICES, ListFilterForm
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.geography import province_name, ward_name
from logitrack.tenancy.roles import Permission

LABEL_SIZES = [("a6", "A6"), ("100x150", "100x150 mm"), ("a5", "A5"), ("80x80", "80x80 mm")]
# The documents app provides this include; the detail page shows it once that app is present.
DOCUMENTS_INCLUDE = "documents/_shipment_documents.html"


def _place(province: int | None, ward: int | None = None) -> str:
    parts = []
    for code, name_of in ((ward, ward_name), (province, province_name)):
        if code:
            try:
                parts.append(name_of(code))
            except (ValueError, KeyError):
                parts.append(str(code))
    return ", ".join(parts)


def _documents_include() -> str:
    try:
        get_template(DOCUMENTS_INCLUDE)
    except TemplateDoesNotExist:
        return ""
    return DOCUMENTS_INCLUDE


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def shipment_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None, sorts=SHIPMENT_SORT_CHOICES)
    page = shipments_page(
        actor=principal_of(request), filters=form.shipment_filters(), number=form.page_number
    )
    rows = [{"shipment": s, "destination": _place(s.delivery_province_code)} for s in page.rows]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "links": page_links(request.GET, page.number, page.has_next),
        "label_sizes": LABEL_SIZES,
        "filtered": form.is_bound,
    }
    return render_page(request, "shipments/list.html", context)


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def shipment_detail(request: HttpRequest, waybill: str) -> HttpResponse:
    principal = principal_of(request)
    shipment = access_shipment_by_waybill(principal, waybill)
    order = shipment.order
    events = [
        {"event": e, "place": _place(e.province_code, e.ward_code)}
        for e in timeline_for_page(actor=principal, shipment=shipment)
    ]
    context = {
        "shipment": shipment,
        "order": order,
        "events": events,
        "delivery_place": _place(order.delivery_province_code, order.delivery_ward_code),
        "pickup_place": _place(order.pickup_province_code, order.pickup_ward_code),
        "label_sizes": LABEL_SIZES,
        "documents_include": _documents_include(),
    }
    return render_page(request, "shipments/detail.html", context)
