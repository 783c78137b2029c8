"""Helpers shared by the logistics pages: the section's tabs and rendering with them."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from logitrack.logistics.selectors_pages import Page
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


def page_links(query: QueryDict, page: Page) -> dict[str, str]:
    """The query strings of the previous and next pages, keeping every filter.

    Each link carries the cursor of the row where the page it names starts (``after`` the last
    row shown, ``before`` the first), so the next page is found through the index whatever its
    number; the link back to page 1 carries none.
    """
    links = {}
    for name, present in (("previous", page.has_previous), ("next", page.has_next)):
        if not present:
            continue
        params = query.copy()
        for key in ("page", "after", "before"):
            params.pop(key, None)
        if name == "next" and page.last_cursor:
            params["page"] = str(page.number + 1)
            params["after"] = page.last_cursor
        elif name == "previous" and page.number > 2 and page.first_cursor:
            params["page"] = str(page.number - 1)
            params["before"] = page.first_cursor
        elif name == "next":
            params["page"] = str(page.number + 1)
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
