"""The carrier of a shipment on its page: who carries it, the form to change that, and the
"Delivered?" offer a device near the destination made (ADR 0057)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from logitrack.core.errors import NotFound
from logitrack.logistics.access import access_shipment_by_waybill
from logitrack.logistics.errors import LogisticsError
from logitrack.logistics.models import Shipment
from logitrack.logistics.selectors_carriers import carrier_choices, delivery_offer, shipment_carrier
from logitrack.logistics.services.carriers import shipment_assign_carrier
from logitrack.logistics.status import FINAL_STATUSES, ShipmentStatus
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission
from logitrack.tracking.access import access_driver_by_id, access_vehicle_by_id


class CarrierForm(forms.Form):
    vehicle = forms.TypedChoiceField(
        label=gettext_lazy("Vehicle"), required=False, coerce=int, empty_value=None
    )
    driver = forms.TypedChoiceField(
        label=gettext_lazy("Driver"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, vehicles: list[Any], drivers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        none = [("", _("None"))]
        self.fields["vehicle"].choices = none + [(v.pk, v.plate) for v in vehicles]  # type: ignore[attr-defined]
        self.fields["driver"].choices = none + [(d.pk, d.full_name) for d in drivers]  # type: ignore[attr-defined]


def carrier_context(request: HttpRequest, shipment: Shipment) -> dict[str, Any]:
    """What the shipment page shows of its carrier: ``carrier``, ``carrier_form`` (for a
    dispatcher, while the shipment is not final) and ``delivery_offer``."""
    principal = principal_of(request)
    form = None
    if principal.has(Permission.OPERATIONS_MANAGE) and (
        ShipmentStatus(shipment.status) not in FINAL_STATUSES
    ):
        vehicles, drivers = carrier_choices(principal=principal)
        form = CarrierForm(
            initial={"vehicle": shipment.carrier_vehicle_id, "driver": shipment.carrier_driver_id},
            vehicles=vehicles,
            drivers=drivers,
        )
    return {
        "carrier": shipment_carrier(principal=principal, shipment=shipment),
        "carrier_form": form,
        "delivery_offer": delivery_offer(shipment),
    }


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def shipment_carrier_change(request: HttpRequest, waybill: str) -> HttpResponse:
    """Give the shipment to the chosen vehicle and driver; a refused change says why and changes
    nothing."""
    principal = principal_of(request)
    shipment = access_shipment_by_waybill(principal, waybill, for_write=True)
    vehicles, drivers = carrier_choices(principal=principal)
    form = CarrierForm(request.POST, vehicles=vehicles, drivers=drivers)
    if not form.is_valid():
        messages.error(request, _("Choose a vehicle or a driver of your company."))
        return redirect("logistics:shipment", waybill=shipment.waybill)
    data = form.cleaned_data
    try:
        vehicle = (
            access_vehicle_by_id(principal, data["vehicle"], for_write=True)
            if data.get("vehicle")
            else None
        )
        driver = (
            access_driver_by_id(principal, data["driver"], for_write=True)
            if data.get("driver")
            else None
        )
        shipment_assign_carrier(
            actor=principal, shipment=shipment, vehicle=vehicle, driver=driver, request=request
        )
    except NotFound:
        messages.error(request, _("Choose a vehicle or a driver of your company."))
    except LogisticsError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The carrier was saved."))
    return redirect("logistics:shipment", waybill=shipment.waybill)
