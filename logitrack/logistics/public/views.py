"""The public tracking pages: ``/t/`` (a lookup form) and ``/t/<waybill>``.

Both work without JavaScript and without a session: the language is the visitor's choice (the
language cookie; without one the browser's Accept-Language, else Vietnamese) unless
``?lang=vi|en`` asks for one, which is how the
page's own language switch works (plain links, no form, no CSRF token). Pages are rendered
without the request, so that nothing of one visitor (session, CSRF token, CSP nonce) can enter a
cached copy served to another; an unknown and a malformed waybill get the same bytes.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from logitrack.logistics.public import limit
from logitrack.logistics.public.cache import Entry, cached_response
from logitrack.logistics.public.selectors import (
    Version,
    lookup_text,
    public_tracking,
    public_tracking_version,
)
from logitrack.logistics.status import ShipmentStatus
from logitrack.tenancy.access import public

HTML = "text/html; charset=utf-8"
# The main line of the status machine, drawn as steps on the page.
STEPS = (
    ShipmentStatus.CREATED,
    ShipmentStatus.PICKED_UP,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.AT_HUB,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED,
)
_URL_SAFE = re.compile(r"[0-9A-Z]{1,32}")


def visitor_language(request: HttpRequest) -> str:
    """``?lang=`` when it names a language of the site, else the language cookie, else the
    browser's Accept-Language (RFC 9110 section 12.5.4): a consignee opening the link has made
    no choice on this site, so their browser's preference is the best one known."""
    asked = request.GET.get("lang", "")
    languages = {code for code, _name in settings.LANGUAGES}
    if asked in languages:
        return asked
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "") not in languages:
        browser = translation.get_language_from_request(request)
        return browser if browser in languages else settings.LANGUAGE_CODE
    current = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    return current if current in languages else settings.LANGUAGE_CODE


def _page(template: str, language: str, context: dict[str, Any], status: int) -> Entry:
    with translation.override(language):
        body = render_to_string(
            f"logistics/public/{template}",
            {"LANGUAGE_CODE": language, "languages": settings.LANGUAGES, **context},
        )
    return status, HTML, body.encode()


def _steps(status: str) -> list[dict[str, Any]]:
    reached = STEPS.index(ShipmentStatus(status)) if status in STEPS else -1
    return [
        {"label": step.label, "done": index <= reached, "current": index == reached}
        for index, step in enumerate(STEPS)
    ]


def _found(version: Version, language: str) -> Entry:
    tracking = public_tracking(version)
    context = {"tracking": tracking, "steps": _steps(tracking.status)}
    return _page("track.html", language, context, 200)


def _missing(language: str) -> Entry:
    return _page("missing.html", language, {}, 404)


@public("anyone holding a waybill number may see where its parcel is; limited per address")
@require_safe
def track(request: HttpRequest, waybill: str) -> HttpResponse:
    """The public view of one shipment; 404 with one body for every unknown or malformed code."""
    refused = limit.check(request)
    if refused is not None:
        return refused
    language = visitor_language(request)
    version = public_tracking_version(waybill)
    if version is None:
        return cached_response(f"missing.html.{language}", lambda: _missing(language))
    return cached_response(f"{version.key}.html.{language}", lambda: _found(version, language))


@public("the form that asks for a waybill number")
@require_safe
def track_form(request: HttpRequest) -> HttpResponse:
    """Without a number, the form; with ``?waybill=``, a redirect to its page."""
    language = visitor_language(request)
    raw = request.GET.get("waybill", "")
    if raw.strip():
        canonical = lookup_text(raw)
        # Whatever cannot be a path segment is looked up as a code that matches nothing.
        target = canonical if _URL_SAFE.fullmatch(canonical) else "0"
        url = reverse("tracking:track", kwargs={"waybill": target})
        if "lang" in request.GET:
            url += "?" + urlencode({"lang": language})
        return redirect(url)
    return cached_response(f"form.html.{language}", lambda: _page("form.html", language, {}, 200))
