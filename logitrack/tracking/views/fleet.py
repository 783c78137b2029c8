"""Vehicles and drivers: a list of each and a form to add one, so devices can be assigned."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.models import Driver, Vehicle
from logitrack.tracking.services.fleet import driver_create, vehicle_create
from logitrack.tracking.views.common import render_page
from logitrack.tracking.views.forms import DriverForm, VehicleForm


def _page(
    request: HttpRequest, vehicle_form: VehicleForm, driver_form: DriverForm, status: int = 200
) -> HttpResponse:
    context = {
        "vehicles": Vehicle.objects.order_by("plate")[:500],
        "drivers": Driver.objects.order_by("full_name", "pk")[:500],
        "vehicle_form": vehicle_form,
        "driver_form": driver_form,
    }
    return render_page(request, "fleet.html", context, status=status)


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def fleet(request: HttpRequest) -> HttpResponse:
    return _page(request, VehicleForm(), DriverForm())


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def vehicle_new(request: HttpRequest) -> HttpResponse:
    form = VehicleForm(request.POST)
    if form.is_valid():
        try:
            vehicle_create(
                principal=principal_of(request),
                plate=form.cleaned_data["plate"],
                label=form.cleaned_data["label"] or "",
            )
        except TrackingError as exc:
            form.add_error("plate", str(exc.message))
        else:
            messages.success(request, _("The vehicle is added."))
            return redirect("devices:fleet")
    return _page(request, form, DriverForm(), status=422)


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def driver_new(request: HttpRequest) -> HttpResponse:
    form = DriverForm(request.POST)
    if form.is_valid():
        try:
            driver_create(principal=principal_of(request), full_name=form.cleaned_data["full_name"])
        except TrackingError as exc:
            form.add_error("full_name", str(exc.message))
        else:
            messages.success(request, _("The driver is added."))
            return redirect("devices:fleet")
    return _page(request, VehicleForm(), form, status=422)
