"""Pages shared by the whole site: home and the error pages (sign-in is in logitrack.accounts)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from logitrack.core.errors import error_json, wants_json
from logitrack.tenancy.access import principal_of, public
from logitrack.tenancy.roles import Permission


@public("the site icon")
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("web/favicon.svg"), permanent=True)


@public("visitors see what Logitrack is; a signed-in person sees their own start page")
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    if principal.user is None:
        return render(request, "web/home.html")
    return start_page(request)


def start_page(request: HttpRequest) -> HttpResponse:
    """A signed-in person's start page: their companies and what they can do next.

    With ``operations.view`` in the current company, the operations dashboard comes first
    (``logistics.views.dashboard``). Only the person's own memberships are read.
    """
    from logitrack.logistics.views.dashboard import dashboard_context
    from logitrack.tenancy.selectors import companies_of_user

    principal = principal_of(request)
    user = principal.user
    assert user is not None, "home() sends only signed-in people here"
    context = {
        "memberships": companies_of_user(user=user),
        "current_tenant_id": principal.tenant_id,
        "email_unverified": user.email_verified_at is None,
        "can_invite": principal.has(Permission.MEMBERS_MANAGE),
        "can_manage_api_keys": principal.has(Permission.API_KEYS_MANAGE),
        "can_view_company": principal.has(Permission.TENANT_VIEW),
        "can_view_operations": principal.has(Permission.OPERATIONS_VIEW),
        "can_manage_operations": principal.has(Permission.OPERATIONS_MANAGE),
        "can_drive": principal.has(Permission.DRIVER_TASKS),
        **dashboard_context(request),
    }
    return render(request, "web/start.html", context)


def _error(request: HttpRequest, status: int, code: str, title: str, message: str) -> HttpResponse:
    if wants_json(request):
        return error_json(code, message, status)
    context = {"status": status, "title": title, "message": message}
    return render(request, "web/error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 400, "bad_request", _("Bad request"), _("The request could not be understood.")
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        "permission_denied",
        _("Access denied"),
        _("Your account level does not allow this action."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        404,
        "not_found",
        _("Page not found"),
        _("The page you asked for does not exist or is not yours to see."),
    )


def method_not_allowed(request: HttpRequest) -> HttpResponse:
    """405 for a method the route does not take (``Allow`` is added by the caller)."""
    if wants_json(request):
        return error_json(
            "method_not_allowed",
            _("This method is not allowed here; the Allow header lists those that are."),
            405,
        )
    return _error(
        request,
        405,
        "method_not_allowed",
        _("Not available this way"),
        _("This address cannot be opened like this. Go back and use the page's buttons."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "internal_error",
        _("Something went wrong"),
        _("An error occurred on our side. It has been logged; please try again shortly."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "csrf_failed",
        _("Form expired"),
        _("The form was stale or sent from another site. Reload the page and try again."),
    )
