"""Orders: the searchable list and one order with its parcels."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from logitrack.logistics.selectors_pages import (
    ShipmentFilters,
    order_for_page,
    order_items,
    order_shipments,
    orders_page,
)
from logitrack.logistics.views.common import page_links, render_page
from logitrack.logistics.views.filters import ORDER_SORT_CHOICES, ListFilterForm
from logitrack.logistics.views.shipments import _place
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def order_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None, sorts=ORDER_SORT_CHOICES)
    filters = form.filters() if form.is_bound else ShipmentFilters()
    page = orders_page(actor=principal_of(request), filters=filters)
    rows = [{"order": o, "destination": _place(o.delivery_province_code)} for o in page.rows]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "links": page_links(request.GET, page.number, page.has_next),
        "filtered": form.is_bound,
    }
    return render_page(request, "orders/list.html", context)


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    principal = principal_of(request)
    order = order_for_page(actor=principal, order_id=order_id)
    context = {
        "order": order,
        "shipments": order_shipments(actor=principal, order=order),
        "items": order_items(actor=principal, order=order),
        "delivery_place": _place(order.delivery_province_code, order.delivery_ward_code),
        "pickup_place": _place(order.pickup_province_code, order.pickup_ward_code),
    }
    return render_page(request, "orders/detail.html", context)
