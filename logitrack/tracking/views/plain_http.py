"""The tenant's device settings page: the plain-HTTP legacy port (docs/adr/0030), the
blurring of faces and plates in camera snapshots and the RFID de-duplication window; and the
security officer's warning page listing every tenant that has plain HTTP on."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from logitrack.tenancy.access import platform_staff, principal_of, requires
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.selectors import plain_http_tenants
from logitrack.tracking.services.geo_settings import tenant_geo_settings, tenant_geo_settings_set
from logitrack.tracking.services.settings import (
    tenant_camera_blur_set,
    tenant_camera_blur_state,
    tenant_plain_http_allowed,
    tenant_plain_http_set,
    tenant_rfid_window_ms,
    tenant_rfid_window_set,
)
from logitrack.tracking.views.common import render_page
from logitrack.tracking.views.forms import CameraBlurForm, GeoSettingsForm, RfidWindowForm


def _settings_page(
    request: HttpRequest,
    blur_form: CameraBlurForm | None = None,
    status: int = 200,
    window_form: RfidWindowForm | None = None,
    geo_form: GeoSettingsForm | None = None,
) -> HttpResponse:
    principal = principal_of(request)
    tenant_id = principal.tenant_id or 0
    blur = tenant_camera_blur_state(tenant_id)
    blur_enabled = blur is None or blur.camera_blur_enabled
    context = {
        "allowed": tenant_plain_http_allowed(tenant_id),
        "port": settings.LOGITRACK_OSMAND_PLAIN_PORT,
        "blur_enabled": blur_enabled,
        "blur_reason": "" if blur is None else blur.camera_blur_off_reason,
        "blur_changed_at": None if blur is None else blur.camera_blur_changed_at,
        "blur_form": blur_form or CameraBlurForm(initial={"enabled": "0" if blur_enabled else "1"}),
        "window_form": window_form
        or RfidWindowForm(
            initial={"window_seconds": Decimal(tenant_rfid_window_ms(tenant_id)) / 1000}
        ),
        "geo_form": geo_form or GeoSettingsForm(initial=tenant_geo_settings(tenant_id)),
    }
    response = render_page(request, "plain_http.html", context)
    response.status_code = status
    return response


@requires(Permission.TENANT_MANAGE)
@require_http_methods(["GET", "POST"])
def plain_http_setting(request: HttpRequest) -> HttpResponse:
    """``allowed=1`` turns plain HTTP on for the tenant, ``allowed=0`` off."""
    principal = principal_of(request)
    if request.method == "POST":
        choice = request.POST.get("allowed")
        if choice in ("0", "1"):
            try:
                tenant_plain_http_set(principal=principal, allowed=choice == "1")
            except TrackingError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("The setting is saved."))
        return redirect("devices:plain-http")
    return _settings_page(request)


@requires(Permission.TENANT_MANAGE)
@require_POST
def camera_blur_setting(request: HttpRequest) -> HttpResponse:
    """``enabled=0`` with ``reason`` turns blurring off, ``enabled=1`` on; a missing reason
    shows the page again with the error (422) and changes nothing."""
    form = CameraBlurForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, form, status=422)
    try:
        tenant_camera_blur_set(
            principal=principal_of(request),
            enabled=form.cleaned_data["enabled"] == "1",
            reason=form.cleaned_data["reason"] or "",
            request=request,
        )
    except TrackingError as exc:
        form.add_error(exc.field or None, str(exc.message))
        return _settings_page(request, form, status=exc.status)
    messages.success(request, _("The setting is saved."))
    return redirect("devices:plain-http")


@requires(Permission.TENANT_MANAGE)
@require_POST
def rfid_window_setting(request: HttpRequest) -> HttpResponse:
    """``window_seconds`` (0.1-60): the tenant's RFID de-duplication window; a bad value shows
    the page again with the error (422) and changes nothing."""
    form = RfidWindowForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, status=422, window_form=form)
    try:
        tenant_rfid_window_set(
            principal=principal_of(request),
            window_ms=int(form.cleaned_data["window_seconds"] * 1000),
            request=request,
        )
    except TrackingError as exc:
        form.add_error("window_seconds", str(exc.message))
        return _settings_page(request, status=exc.status, window_form=form)
    messages.success(request, _("The setting is saved."))
    return redirect("devices:plain-http")


@requires(Permission.TENANT_MANAGE)
@require_POST
def geo_settings(request: HttpRequest) -> HttpResponse:
    """The tenant's geofence, trip and alert thresholds; a bad value shows the page again with
    the error (422) and changes nothing."""
    form = GeoSettingsForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, status=422, geo_form=form)
    try:
        tenant_geo_settings_set(
            principal=principal_of(request), values=dict(form.cleaned_data), request=request
        )
    except TrackingError as exc:
        form.add_error(exc.field or None, str(exc.message))
        return _settings_page(request, status=exc.status, geo_form=form)
    messages.success(request, _("The setting is saved."))
    return redirect("devices:plain-http")


@platform_staff("security_officer")
@require_safe
def plain_http_overview(request: HttpRequest) -> HttpResponse:
    """Logitrack's security officer: every tenant that accepts plain-HTTP reports, and whether
    the listener is open on this installation."""
    context = {"tenants": plain_http_tenants(), "port": settings.LOGITRACK_OSMAND_PLAIN_PORT}
    return render(request, "devices/plain_http_overview.html", context)
