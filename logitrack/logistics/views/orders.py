"""Orders: the searchable list and one order with its parcels."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe
from pydantic import ValidationError as PydanticValidationError

from logitrack.core.errors import NotFound
from logitrack.logistics.access import access_order_by_id
from logitrack.logistics.errors import LogisticsError
from logitrack.logistics.models import Shipper
from logitrack.logistics.selectors import shipments_of_order, shippers_list
from logitrack.logistics.selectors_pages import order_items, orders_page
from logitrack.logistics.services.orders import order_create, order_update
from logitrack.logistics.services.shippers import shipper_create
from logitrack.logistics.status import EventSource
from logitrack.logistics.views.common import form_token, page_links, render_page
from logitrack.logistics.views.filters import ORDER_SORT_CHOICES, ListFilterForm
from logitrack.logistics.views.order_form import OrderForm, initial_of
from logitrack.logistics.views.shipments import _place
from logitrack.tenancy.access import principal_of, public, requires
from logitrack.tenancy.geography import ward_choices
from logitrack.tenancy.roles import Permission


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def order_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET or None, sorts=ORDER_SORT_CHOICES)
    page = orders_page(
        actor=principal_of(request),
        filters=form.order_filters(),
        number=form.page_number,
        **form.page_cursors,
    )
    rows = [{"order": o, "destination": _place(o.delivery_province_code)} for o in page.rows]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "links": page_links(request.GET, page),
        "filtered": form.is_bound,
    }
    return render_page(request, "orders/list.html", context)


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    principal = principal_of(request)
    order = access_order_by_id(principal, order_id)
    context = {
        "order": order,
        "shipments": list(shipments_of_order(principal=principal, order=order)),
        "items": order_items(actor=principal, order=order),
        "delivery_place": _place(order.delivery_province_code, order.delivery_ward_code),
        "pickup_place": _place(order.pickup_province_code, order.pickup_ward_code),
    }
    return render_page(request, "orders/detail.html", context)


def _shippers(request: HttpRequest) -> list[Shipper]:
    return list(shippers_list(principal=principal_of(request)))


def _refresh_only(request: HttpRequest) -> bool:
    """The no-JavaScript "Show the communes" button: re-display, do not save."""
    return request.POST.get("action") == "communes"


def _unbound_errors(form: OrderForm) -> OrderForm:
    form.errors.clear()
    return form


@requires(Permission.OPERATIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest) -> HttpResponse:
    """A new order and its parcels; on success, its first shipment's page (or the order's)."""
    principal = principal_of(request)
    shippers = _shippers(request)
    if request.method != "POST" or _refresh_only(request):
        data = request.POST if request.method == "POST" else None
        form = OrderForm(data, shippers=shippers)
        if data is not None:
            form.is_valid()
            form = _unbound_errors(form)
        return render_page(request, "orders/form.html", {"form": form, "creating": True})
    form = OrderForm(request.POST, shippers=shippers)
    if form.is_valid():
        try:
            with transaction.atomic():
                new_shipper = form.new_shipper()
                shipper_id: int = form.cleaned_data.get("shipper") or 0
                if new_shipper is not None:
                    shipper_id = shipper_create(
                        actor=principal, data=new_shipper, request=request
                    ).pk
                created = order_create(
                    actor=principal,
                    data=form.order_input(shipper_id),
                    idempotency_key=form_token(request),
                    source=EventSource.USER,
                    request=request,
                )
        except PydanticValidationError as exc:
            form.add_input_errors(exc)
        except LogisticsError as exc:
            form.add_service_error(exc.field, str(exc.message))
        except NotFound:
            form.add_error("shipper", _("This shipper no longer exists."))
        else:
            messages.success(
                request,
                ngettext(
                    "Order created with %(count)d waybill.",
                    "Order created with %(count)d waybills.",
                    len(created.shipments),
                )
                % {"count": len(created.shipments)},
            )
            return redirect("logistics:order", order_id=created.order.pk)
    return render_page(request, "orders/form.html", {"form": form, "creating": True}, status=400)


@requires(Permission.OPERATIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def order_change(request: HttpRequest, order_id: int) -> HttpResponse:
    """Change an order; addresses, consignee and service only while no parcel left."""
    principal = principal_of(request)
    order = access_order_by_id(principal, order_id, for_write=True)
    context: dict[str, Any] = {"order": order, "creating": False}
    if request.method != "POST" or _refresh_only(request):
        if request.method == "POST":
            form = OrderForm(request.POST, shippers=[], editing=order)
            form.is_valid()
            form = _unbound_errors(form)
        else:
            form = OrderForm(shippers=[], editing=order, initial=initial_of(order))
        return render_page(request, "orders/form.html", {**context, "form": form})
    form = OrderForm(request.POST, shippers=[], editing=order, initial=initial_of(order))
    if form.is_valid():
        try:
            order_update(
                actor=principal, order=order, patch=form.order_patch(order), request=request
            )
        except PydanticValidationError as exc:
            form.add_input_errors(exc)
        except LogisticsError as exc:
            form.add_service_error(exc.field, str(exc.message))
        else:
            messages.success(request, _("The order was saved."))
            return redirect("logistics:order", order_id=order.pk)
    return render_page(request, "orders/form.html", {**context, "form": form}, status=400)


@public("the communes of a province for the order form's pickers; reference data only")
@require_safe
def commune_options(request: HttpRequest) -> HttpResponse:
    """``<option>`` elements of the communes of ``?pickup_province=`` or ``?delivery_province=``."""
    raw = request.GET.get("delivery_province") or request.GET.get("pickup_province") or ""
    try:
        province = int(raw)
    except ValueError:
        province = 0
    return render(request, "tenancy/_ward_options.html", {"wards": ward_choices(province)})
