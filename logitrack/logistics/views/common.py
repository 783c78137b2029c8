"""Helpers shared by the logistics pages: the section's tabs and rendering with them."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from logitrack.tenancy.access import principal_of
from logitrack.tenancy.roles import Permission

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

_NAV = [
    ("logistics:shipments", Permission.OPERATIONS_VIEW, _("Shipments"), ("logistics:shipment",)),
    ("logistics:orders", Permission.OPERATIONS_VIEW, _("Orders"), ("logistics:order",)),
    (
        "logistics:order-create",
        Permission.OPERATIONS_MANAGE,
        _("New order"),
        (),
    ),
]


def operations_nav(request: HttpRequest) -> list[dict[str, Any]]:
    principal = principal_of(request)
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    return [
        {"url": reverse(name), "label": label, "current": current == name or current in pages}
        for name, permission, label, pages in _NAV
        if principal.has(permission)
    ]


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    principal = principal_of(request)
    full = {
        "principal": principal,
        "operations_nav": operations_nav(request),
        "can_manage": principal.has(Permission.OPERATIONS_MANAGE),
        "form_token": new_form_token(),
        **context,
    }
    return render(request, f"logistics/{template}", full, status=status)


def page_links(query: QueryDict, number: int, has_next: bool) -> dict[str, str]:
    """The query strings of the previous and next pages, keeping every filter."""
    links = {}
    for name, target, present in (
        ("previous", number - 1, number > 1),
        ("next", number + 1, has_next),
    ):
        if present:
            params = query.copy()
            params["page"] = str(target)
            links[name] = "?" + params.urlencode()
    return links


def form_token(request: HttpRequest) -> str | None:
    """The idempotency key of a submitted form, from its hidden ``form_token`` (made when the
    form was shown), so that a double click or a retried submit creates nothing twice."""
    raw = request.POST.get("form_token", "")
    if not _TOKEN.fullmatch(raw):
        return None
    return f"form:{raw}"


def new_form_token() -> str:
    return secrets.token_urlsafe(18)
