"""Rendering tracking pages inside the operations section (its tabs, plus Devices and Fleet)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from logitrack.logistics.views.common import operations_nav
from logitrack.tenancy.access import principal_of
from logitrack.tenancy.roles import Permission

_NAV = [
    ("devices:list", _("Devices"), ("devices:detail", "devices:positions", "devices:create")),
    ("devices:map", _("Live map"), ("devices:history",)),
    ("devices:fleet", _("Vehicles and drivers"), ()),
    ("devices:daily-report", _("Daily report"), ()),
    ("devices:dock-doors", _("Dock doors"), ("devices:dock-door-create", "devices:dock-door-edit")),
    ("devices:geofences", _("Geofences"), ("devices:geofence-create", "devices:geofence-import")),
]


def tracking_nav(request: HttpRequest) -> list[dict[str, Any]]:
    """The operations tabs with the tracking ones appended (``operations.view`` holders)."""
    principal = principal_of(request)
    items = operations_nav(request)
    if not principal.has(Permission.OPERATIONS_VIEW):
        return items
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    return [
        *items,
        *(
            {"url": reverse(name), "label": label, "current": current == name or current in pages}
            for name, label, pages in _NAV
        ),
    ]


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    principal = principal_of(request)
    full = {
        "principal": principal,
        "operations_nav": tracking_nav(request),
        "can_manage": principal.has(Permission.OPERATIONS_MANAGE),
        "can_manage_tenant": principal.has(Permission.TENANT_MANAGE),
        **context,
    }
    response = render(request, f"devices/{template}", full, status=status)
    return response
