"""Shipments: the searchable list, one shipment with its timeline, bulk actions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from logitrack.core.forms import HumanTextField
from logitrack.documents.views import shipment_documents_context
from logitrack.logistics import limits
from logitrack.logistics.access import access_shipment_by_waybill
from logitrack.logistics.errors import LogisticsError
from logitrack.logistics.models import Shipment
from logitrack.logistics.selectors_carriers import vehicle_choices
from logitrack.logistics.selectors_pages import shipments_page, timeline_for_page
from logitrack.logistics.services.transitions import shipment_record_event
from logitrack.logistics.status import (
    TRANSITIONS,
    EventSource,
    FailureReason,
    ServiceLevel,
    ShipmentStatus,
)
from logitrack.logistics.templatetags.logistics_format import waybill_display
from logitrack.logistics.views.carriers import carrier_context
from logitrack.logistics.views.common import form_token, page_links, render_page
from logitrack.logistics.views.filters import SHIPMENT_SORT_CHOICES, ListFilterForm
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.geography import province_name, ward_name
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

LABEL_SIZES = [("a6", "A6"), ("100x150", "100x150 mm"), ("a5", "A5"), ("80x80", "80x80 mm")]


# One row of the list, written out here rather than by ``{% for %}`` with a dozen variable nodes
# per row (ADR 0046); every value goes through ``format_html``'s escaping.
_ROW = (
    '        <tr data-waybill="{waybill}">\n'
    '          <td><label class="visually-hidden" for="pick-{waybill}">{select_label}</label>'
    '<input type="checkbox" id="pick-{waybill}" name="waybills" value="{waybill}"></td>\n'
    '          <td data-label="{l_waybill}"><a class="mono waybill" href="{url}">'
    "{waybill_display}</a></td>\n"
    '          <td data-label="{l_reference}">{reference}</td>\n'
    '          <td data-label="{l_consignee}">{consignee}</td>\n'
    '          <td data-label="{l_destination}">{destination}</td>\n'
    '          <td data-label="{l_service}">{service}</td>\n'
    '          <td data-label="{l_status}"><span class="status-badge status-{status}">'
    "{status_label}</span></td>\n"
    '          <td data-label="{l_created}">{created}</td>\n'
    "        </tr>\n"
)


def _list_rows(shipments: list[Shipment]) -> list[dict[str, str]]:
    """What each row of the list shows, as text made once per row here rather than by template
    filters, ``{% url %}`` and ``{% blocktranslate %}`` per cell: on a page of 50 shipments those
    cost several times the query. Labels and places are looked up once per distinct value."""
    before, after = reverse("logistics:shipment", args=["WAYBILL"]).rsplit("WAYBILL", 1)
    select = _("Select %(waybill)s")
    statuses = {s.value: str(s.label) for s in ShipmentStatus}
    services = {s.value: str(s.label) for s in ServiceLevel}
    places: dict[int, str] = {}
    rows = []
    for s in shipments:
        province = s.delivery_province_code
        if province not in places:
            places[province] = _place(province)
        order = s.order
        shown = waybill_display(s.waybill)
        rows.append(
            {
                "waybill": s.waybill,
                "url": f"{before}{quote(s.waybill)}{after}",
                "select_label": select % {"waybill": shown},
                "waybill_display": shown,
                "reference": order.reference or "—",
                "consignee": order.consignee_name or "—",
                "destination": places[province],
                "service": services.get(s.service_level, s.service_level),
                "status": s.status,
                "status_label": statuses.get(s.status, s.status),
                "created": date_format(localtime(s.created_at), "SHORT_DATETIME_FORMAT"),
            }
        )
    return rows


def _rows_html(rows: list[dict[str, str]]) -> SafeString:
    """The table body's rows (``_ROW``), with the column labels the narrow layout shows."""
    labels = {
        "l_waybill": _("Waybill"),
        "l_reference": _("Customer reference"),
        "l_consignee": _("Consignee"),
        "l_destination": _("Destination"),
        "l_service": _("Service"),
        "l_status": _("Status"),
        "l_created": _("Created"),
    }
    return format_html_join("", _ROW, ({**labels, **row} for row in rows))


def _place(province: int | None, ward: int | None = None) -> str:
    parts = []
    for code, name_of in ((ward, ward_name), (province, province_name)):
        if code:
            try:
                parts.append(name_of(code))
            except (ValueError, KeyError):
                parts.append(str(code))
    return ", ".join(parts)


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def shipment_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(
        request.GET or None,
        sorts=SHIPMENT_SORT_CHOICES,
        vehicles=vehicle_choices(principal=principal_of(request)),
    )
    page = shipments_page(
        actor=principal_of(request),
        filters=form.shipment_filters(),
        number=form.page_number,
        **form.page_cursors,
    )
    rows = _list_rows(page.rows)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "rows_html": _rows_html(rows),
        "links": page_links(request.GET, page),
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
    events = timeline_rows(principal, shipment)
    context = {
        "shipment": shipment,
        "order": order,
        "events": events,
        "delivery_place": _place(order.delivery_province_code, order.delivery_ward_code),
        "pickup_place": _place(order.pickup_province_code, order.pickup_ward_code),
        "label_sizes": LABEL_SIZES,
        "status_form": status_form_for(request, shipment),
        **carrier_context(request, shipment),
        **shipment_documents_context(request, shipment),
    }
    return render_page(request, "shipments/detail.html", context)


def timeline_rows(principal: Principal, shipment: Shipment) -> list[dict[str, Any]]:
    """The timeline's entries in time order: the shipment's events (``event``, ``place``) and
    the camera snapshots linked to it (``snapshot``), each with its time ``at``."""
    from logitrack.tracking.cameras.selectors import camera_events_of_shipment

    rows: list[dict[str, Any]] = [
        {"event": e, "place": _place(e.province_code, e.ward_code), "at": e.occurred_at}
        for e in timeline_for_page(actor=principal, shipment=shipment)
    ]
    rows += [
        {"snapshot": c, "at": c.captured_at}
        for c in camera_events_of_shipment(actor=principal, shipment=shipment)
    ]
    # Stable: events keep their own order among themselves (same-time events included).
    rows.sort(key=lambda row: row["at"])
    return rows


class StatusForm(forms.Form):
    """A status change recorded by a dispatcher: the targets the machine allows from now."""

    status = forms.ChoiceField(label=gettext_lazy("New status"))
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason (failed attempt)"),
        required=False,
        choices=[("", "—"), *FailureReason.choices],
    )
    reason_text = HumanTextField(
        label=gettext_lazy("Reason details"), required=False, max_length=limits.REASON_TEXT_MAX
    )
    place = HumanTextField(
        label=gettext_lazy("Place"),
        required=False,
        max_length=limits.PLACE_MAX,
        help_text=gettext_lazy("A hub, a warehouse or a town; never the consignee's street."),
    )

    def __init__(self, *args: Any, current: str = ShipmentStatus.CREATED, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = TRANSITIONS.get(ShipmentStatus(current), frozenset())
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (s.value, s.label) for s in ShipmentStatus if s in targets
        ]


def status_form_for(request: HttpRequest, shipment: Shipment) -> StatusForm | None:
    """The status form, for a principal who may record events and a shipment not yet final."""
    principal = principal_of(request)
    if not principal.has(Permission.OPERATIONS_MANAGE):
        return None
    if not TRANSITIONS.get(ShipmentStatus(shipment.status)):
        return None
    return StatusForm(current=shipment.status)


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def shipment_status(request: HttpRequest, waybill: str) -> HttpResponse:
    """Record the chosen status through the transition service; a retried submit (same form
    token) records nothing twice; a refused change shows its reason and changes nothing."""
    principal = principal_of(request)
    shipment = access_shipment_by_waybill(principal, waybill, for_write=True)
    form = StatusForm(request.POST, current=shipment.status)
    key = form_token(request)
    if not form.is_valid() or key is None:
        messages.error(request, _("Choose a status the shipment can move to."))
        return redirect("logistics:shipment", waybill=shipment.waybill)
    data = form.cleaned_data
    try:
        shipment_record_event(
            actor=principal,
            shipment=shipment,
            status=data["status"],
            occurred_at=timezone.now(),
            source=EventSource.USER,
            idempotency_key=key,
            place=data.get("place") or "",
            reason=data.get("reason") or None,
            reason_text=data.get("reason_text") or "",
            request=request,
        )
    except LogisticsError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The status change was recorded."))
    return redirect("logistics:shipment", waybill=shipment.waybill)
