"""Bulk actions on the shipments list: print the labels of the selected shipments as one PDF,
or cancel them (only before pickup; all or none, with the refused waybills named).

Cancelling takes two steps that work without JavaScript: ``action=cancel`` shows a page that
lists the shipments and asks for confirmation; its button posts ``action=cancel_confirmed`` with
the same waybills, and only that cancels."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from logitrack.logistics.errors import LogisticsError
from logitrack.logistics.models import Shipment
from logitrack.logistics.selectors import shipments_by_waybills
from logitrack.logistics.services.shipments import CancelRefused, shipments_cancel
from logitrack.logistics.status import EventSource
from logitrack.logistics.views.common import render_page
from logitrack.logistics.views.labels import labels_response
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

BULK_MAX = 200


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("logistics:shipments")


@requires(Permission.OPERATIONS_VIEW)
@require_POST
def shipments_bulk(request: HttpRequest) -> HttpResponse:
    """``action=print`` (``operations.view``), ``action=cancel`` (the confirmation page) or
    ``action=cancel_confirmed`` (``operations.manage`` for both) on the checked ``waybills``;
    unknown and other tenants' waybills are left out, as if not checked."""
    principal = principal_of(request)
    asked = request.POST.getlist("waybills")[:BULK_MAX]
    found = shipments_by_waybills(principal=principal, waybills=asked)
    shipments = list(found.values())
    order = {waybill: n for n, waybill in enumerate(asked)}
    shipments.sort(key=lambda s: order.get(s.waybill, len(order)))
    if not shipments:
        messages.error(request, _("Select at least one shipment first."))
        return _back(request)
    action = request.POST.get("action", "")
    if action == "print":
        return labels_response(request, shipments, request.POST.get("size", "a6"))
    if action == "cancel":
        if not principal.has(Permission.OPERATIONS_MANAGE):
            messages.error(request, _("Your account level does not allow this action."))
            return _back(request)
        return render_page(request, "shipments/cancel_confirm.html", {"shipments": shipments})
    if action == "cancel_confirmed":
        _cancel(request, principal, shipments)
    else:
        messages.error(request, _("Choose what to do with the selected shipments."))
    return _back(request)


def _cancel(request: HttpRequest, principal: Principal, shipments: list[Shipment]) -> None:
    """Cancel all of ``shipments`` or none; the outcome goes to the messages of the list."""
    if not principal.has(Permission.OPERATIONS_MANAGE):
        messages.error(request, _("Your account level does not allow this action."))
        return
    try:
        shipments_cancel(
            actor=principal, shipments=shipments, source=EventSource.USER, request=request
        )
    except CancelRefused as exc:
        messages.error(
            request,
            _(
                "Nothing was cancelled: these shipments have already been picked up "
                "or closed: %(waybills)s."
            )
            % {"waybills": ", ".join(exc.waybills)},
        )
        return
    except LogisticsError as exc:
        messages.error(request, str(exc.message))
        return
    messages.success(
        request,
        ngettext("%(count)d shipment cancelled.", "%(count)d shipments cancelled.", len(shipments))
        % {"count": len(shipments)},
    )
