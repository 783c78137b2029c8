"""Dock door pages: the list, create, change, deactivate and reactivate.

Seeing the doors needs ``operations.view``; changing them ``warehouse.manage`` (warehouse
operators and admins). Every door comes through ``access_dock_door_by_id`` (another tenant's is a
404 like a missing one); the reader choices are the tenant's RFID readers only.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission
from logitrack.tracking.access import access_dock_door_by_id
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.models import DockDoor
from logitrack.tracking.rfid.selectors import dock_doors_of_tenant, rfid_readers_of_tenant
from logitrack.tracking.services import docks as services
from logitrack.tracking.views.common import render_page
from logitrack.tracking.views.forms import DockDoorForm


def _can_manage(request: HttpRequest) -> bool:
    return principal_of(request).has(Permission.WAREHOUSE_MANAGE)


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def dock_door_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    context = {
        "doors": dock_doors_of_tenant(principal=principal),
        "can_manage_doors": _can_manage(request),
    }
    return render_page(request, "dock_doors.html", context)


def _form_page(
    request: HttpRequest, form: DockDoorForm, door: DockDoor | None, status: int = 200
) -> HttpResponse:
    return render_page(request, "dock_door_form.html", {"form": form, "door": door}, status=status)


def _add_error(form: DockDoorForm, exc: TrackingError) -> None:
    field = {"device_id": "device"}.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, str(exc.message))


@requires(Permission.WAREHOUSE_MANAGE)
@require_http_methods(["GET", "POST"])
def dock_door_create(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    readers = rfid_readers_of_tenant(principal=principal)
    form = DockDoorForm(request.POST or None, readers=readers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.dock_door_create(
                principal=principal,
                device=data["device"],
                antenna=data["antenna"],
                name=data["name"],
                place=data["place"],
                direction=data["direction"],
                location_id=data["location_id"] or "",
            )
        except TrackingError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The dock door is saved: its reads now move shipments."))
            return redirect("devices:dock-doors")
    return _form_page(request, form, None, status=422 if form.is_bound else 200)


@requires(Permission.WAREHOUSE_MANAGE)
@require_http_methods(["GET", "POST"])
def dock_door_edit(request: HttpRequest, door_id: int) -> HttpResponse:
    principal = principal_of(request)
    door = access_dock_door_by_id(principal, door_id, for_write=True)
    readers = rfid_readers_of_tenant(principal=principal)
    initial = {
        "name": door.name,
        "place": door.place,
        "device": door.device_id,
        "antenna": door.antenna,
        "direction": door.direction,
        "location_id": door.location_id,
    }
    form = DockDoorForm(request.POST or None, readers=readers, initial=initial)
    # The reader of a door does not change: a door on another reader is another door.
    form.fields["device"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = services.DockDoorChanges(
            name=data["name"],
            place=data["place"],
            direction=data["direction"],
            antenna=data["antenna"],
            antenna_all=data["antenna"] is None,
            location_id=data["location_id"] or "",
        )
        try:
            services.dock_door_update(principal=principal, door=door, changes=changes)
        except TrackingError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("The dock door is saved."))
            return redirect("devices:dock-doors")
    return _form_page(request, form, door, status=422 if form.is_bound else 200)


@requires(Permission.WAREHOUSE_MANAGE)
@require_POST
def dock_door_active(request: HttpRequest, door_id: int) -> HttpResponse:
    """``active=0`` deactivates (its reads stop moving shipments), ``active=1`` reactivates."""
    principal = principal_of(request)
    door = access_dock_door_by_id(principal, door_id, for_write=True)
    choice = request.POST.get("active")
    if choice in ("0", "1"):
        active = choice == "1"
        services.dock_door_update(
            principal=principal, door=door, changes=services.DockDoorChanges(active=active)
        )
        if active:
            messages.success(request, _("The dock door is active: its reads move shipments."))
        else:
            messages.success(
                request, _("The dock door is deactivated: its reads no longer move shipments.")
            )
    return redirect("devices:dock-doors")
