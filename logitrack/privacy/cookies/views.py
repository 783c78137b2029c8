"""The cookie page (the table generated from the registry, and the choices) and the endpoint
that saves a choice, without JavaScript: plain forms that POST with a CSRF token and redirect."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from logitrack.privacy.cookies.choice import (
    ACCEPT_ALL,
    REJECT_ALL,
    CookieChoice,
    consent_of,
    cookie_choice_recorded,
)
from logitrack.privacy.cookies.registry import OPTIONAL_CATEGORIES, Category, cookies_in
from logitrack.tenancy.access import public

_CHECKED = {"on", "1", "true"}


@public("everyone may read which cookies Logitrack sets and change their choice")
@require_safe
def cookie_page(request: HttpRequest) -> HttpResponse:
    categories = [
        {"category": category, "cookies": cookies_in(category)}
        for category in (Category.NECESSARY, *OPTIONAL_CATEGORIES)
    ]
    return render(
        request,
        "privacy/cookies.html",
        {"categories": categories, "optional": OPTIONAL_CATEGORIES, "consent": consent_of(request)},
    )


def safe_next(request: HttpRequest, target: str) -> str:
    """``target`` if it is a path on this site (no scheme, no host, no ``//``), else "/"."""
    target = target.strip()
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(target, allowed_hosts=set(), require_https=True)
    ):
        return target
    return "/"


def _parsed_choice(request: HttpRequest) -> CookieChoice | None:
    action = request.POST.get("choice", "")
    if action == "accept":
        return ACCEPT_ALL
    if action == "reject":
        return REJECT_ALL
    if action == "save":
        return CookieChoice(
            analytics=request.POST.get("analytics", "").lower() in _CHECKED,
            marketing=request.POST.get("marketing", "").lower() in _CHECKED,
            made=True,
        )
    return None


@public("visitors without an account choose cookies too; the form carries a CSRF token")
@require_POST
def cookie_choose(request: HttpRequest) -> HttpResponseBase:
    """Save the posted choice (``choice`` = accept, reject or save with ``analytics`` and
    ``marketing`` boxes) and go back to ``next``, a path on this site. Anything else: 400,
    nothing changed."""
    choice = _parsed_choice(request)
    if choice is None:
        context = {
            "status": 400,
            "title": _("Bad request"),
            "message": _("Choose Accept all, Reject all or save your settings."),
        }
        return render(request, "web/error.html", context, status=400)
    target = safe_next(request, request.POST.get("next", "")) or reverse("privacy:cookies")
    response = HttpResponseRedirect(target)
    cookie_choice_recorded(request, response, choice)
    return response
