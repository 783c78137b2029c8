"""The plain-HTTP legacy port (docs/adr/0030): the tenant's switch, and the security officer's
warning page listing every tenant that has it on."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from logitrack.tenancy.access import platform_staff, principal_of, requires
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.selectors import plain_http_tenants
from logitrack.tracking.services.settings import tenant_plain_http_allowed, tenant_plain_http_set
from logitrack.tracking.views.common import render_page


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
    context = {
        "allowed": tenant_plain_http_allowed(principal.tenant_id or 0),
        "port": settings.LOGITRACK_OSMAND_PLAIN_PORT,
    }
    return render_page(request, "plain_http.html", context)


@platform_staff("security_officer")
@require_safe
def plain_http_overview(request: HttpRequest) -> HttpResponse:
    """Logitrack's security officer: every tenant that accepts plain-HTTP reports, and whether
    the listener is open on this installation."""
    context = {"tenants": plain_http_tenants(), "port": settings.LOGITRACK_OSMAND_PLAIN_PORT}
    return render(request, "devices/plain_http_overview.html", context)
