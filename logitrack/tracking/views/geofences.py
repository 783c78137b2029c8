"""Geofence pages: the list, drawing one on a map (Leaflet.draw), importing a file, deleting.

Seeing them needs ``operations.view``; drawing, importing and deleting ``operations.manage``.
The map works without tiles (no network): the drawing tools need none.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission
from logitrack.tracking.access import access_geofence_by_id
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.geo.api import collection_of, is_kml
from logitrack.tracking.geo.geofences import (
    GeofenceGeometryError,
    GeofenceImportInvalid,
    GeofenceImportRefused,
)
from logitrack.tracking.geo.selectors import geofences_of_tenant
from logitrack.tracking.services import geofences as services
from logitrack.tracking.views.common import render_page
from logitrack.tracking.views.forms import GeofenceForm, GeofenceImportForm

IMPORT_MAX_BYTES = 5 * 1024 * 1024


def _map_context(request: HttpRequest) -> dict[str, Any]:
    fences = list(geofences_of_tenant(principal=principal_of(request)).filter(active=True))
    return {
        "tile_url": settings.LOGITRACK_MAP_TILE_URL,
        "tile_attribution": settings.LOGITRACK_MAP_ATTRIBUTION,
        "existing": collection_of(fences),
    }


def area_label(area_m2: float) -> str:
    """An area for people: km² with one decimal from 0.1 km², else whole m²."""
    if area_m2 >= 100_000:
        return _("%(area)s km²") % {"area": number_format(area_m2 / 1e6, 1)}
    return _("%(area)s m²") % {"area": number_format(round(area_m2), 0, force_grouping=True)}


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def geofence_list(request: HttpRequest) -> HttpResponse:
    fences = list(geofences_of_tenant(principal=principal_of(request)))
    for fence in fences:
        fence.area_label = area_label(fence.area_m2)  # type: ignore[attr-defined]
    return render_page(request, "geofences.html", {"geofences": fences, **_map_context(request)})


def _message(exc: TrackingError) -> str:
    if isinstance(exc, GeofenceGeometryError) and exc.where:
        return f"{exc.message} ({exc.where})"
    return str(exc.message)


@requires(Permission.OPERATIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def geofence_create(request: HttpRequest) -> HttpResponse:
    form = GeofenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        properties = {
            "name": data["name"],
            "site_kind": data["site_kind"],
            "site_name": data["site_name"] or "",
        }
        if data["radius"] is not None:
            properties["radius"] = data["radius"]
        feature = {"type": "Feature", "geometry": data["geometry"], "properties": properties}
        try:
            services.geofence_create(principal=principal_of(request), feature=feature)
        except TrackingError as exc:
            field = exc.field if exc.field in ("name", "site_kind", "site_name") else None
            form.add_error(field, _message(exc))
        else:
            messages.success(
                request, _("The geofence is saved: vehicles entering and leaving it are recorded.")
            )
            return redirect("devices:geofences")
    context = {"form": form, **_map_context(request)}
    return render_page(request, "geofence_form.html", context, status=422 if form.is_bound else 200)


@requires(Permission.OPERATIONS_MANAGE)
@require_http_methods(["GET", "POST"])
def geofence_import(request: HttpRequest) -> HttpResponse:
    form = GeofenceImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(IMPORT_MAX_BYTES + 1)
        try:
            if len(data) > IMPORT_MAX_BYTES:
                raise GeofenceImportInvalid(_("The file is larger than 5 MB."))
            fences = services.geofence_import(
                principal=principal_of(request), data=data, kml=is_kml(data)
            )
        except GeofenceImportRefused as exc:
            form.add_error("file", str(exc.message))
            problems = exc.problems
        except TrackingError as exc:
            form.add_error("file", _message(exc))
        else:
            messages.success(
                request,
                _("Geofences imported: %(count)d.") % {"count": len(fences)},
            )
            return redirect("devices:geofences")
    return render_page(
        request,
        "geofence_import.html",
        {"form": form, "problems": problems},
        status=422 if form.is_bound else 200,
    )


@requires(Permission.OPERATIONS_MANAGE)
@require_POST
def geofence_delete(request: HttpRequest, geofence_id: int) -> HttpResponse:
    """Delete the geofence, or deactivate it when it has events."""
    principal = principal_of(request)
    fence = access_geofence_by_id(principal, geofence_id, for_write=True)
    if services.geofence_delete(principal=principal, geofence=fence):
        messages.success(request, _("The geofence is deleted."))
    else:
        messages.success(request, _("The geofence has events, so it is kept but deactivated."))
    return redirect("devices:geofences")
