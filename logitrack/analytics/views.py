"""``POST /a/collect``: the first-party endpoint the analytics script reports a page view to.

It takes three form fields and nothing else: ``path`` and ``referrer`` (paths on this site;
query strings and fragments are dropped, and only the route's name is stored), and ``screen``
(s, m or l). Without analytics consent (no choice, refused, or Global Privacy Control) it answers
204 and stores nothing. Django's CSRF check applies (the script sends the page's token in
``X-CSRFToken``), so another site cannot post views in a visitor's name; each address is
rate-limited (``analytics.ip``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from logitrack.analytics.models import ScreenClass
from logitrack.analytics.services import page_view_record
from logitrack.analytics.useragent import browser_family
from logitrack.analytics.visitor import is_visitor_id, new_visitor_id
from logitrack.core.errors import error_json
from logitrack.privacy.cookies.choice import consent_of
from logitrack.privacy.cookies.registry import ANALYTICS_ID_COOKIE, ANALYTICS_ID_COOKIE_AGE
from logitrack.security import throttle
from logitrack.tenancy.access import principal_of, public

MAX_PATH = 2048
# Routes never counted: the collector itself.
_IGNORED_ROUTES = frozenset({"analytics:collect"})


def route_name(path: str) -> str | None:
    """The name of the route that serves ``path`` ("logistics:shipment-detail"), or None for a
    path that is not on this site or not served by a route. Ids and query strings never leave."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or path.startswith("//") or len(path) > MAX_PATH:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.view_name
    if not name or name in _IGNORED_ROUTES:
        return None
    return name[:120]


def _no_content() -> HttpResponse:
    return HttpResponse(status=204)


@public("the analytics script of any page reports here; consent is checked on every request")
@require_POST
@throttle.throttle(throttle.per_ip("analytics.ip"))
def collect(request: HttpRequest) -> HttpResponse:
    if not consent_of(request).analytics:
        return _no_content()
    screen = request.POST.get("screen", "")
    if screen not in ScreenClass.values:
        return error_json("invalid_screen", _("The screen class must be s, m or l."), 400)
    route = route_name(request.POST.get("path", ""))
    if route is None:
        return _no_content()
    referrer = request.POST.get("referrer", "")
    referrer_route = (route_name(referrer) or "") if referrer else ""
    visitor_id = request.COOKIES.get(ANALYTICS_ID_COOKIE)
    response = _no_content()
    if not is_visitor_id(visitor_id):
        visitor_id = new_visitor_id()
        response.set_cookie(
            ANALYTICS_ID_COOKIE,
            visitor_id,
            max_age=ANALYTICS_ID_COOKIE_AGE,
            path="/",
            secure=True,
            httponly=True,
            samesite="Lax",
        )
    assert visitor_id is not None
    page_view_record(
        route=route,
        referrer_route=referrer_route,
        screen=ScreenClass(screen),
        user_agent_family=browser_family(request.headers.get("User-Agent", "")),
        visitor_id=visitor_id,
        tenant_id=principal_of(request).tenant_id,
    )
    return response
