"""Ask every signed-in person to accept a material change of the privacy policy at their next
visit, before any other page (docs/adr/0033).

A person is sent to the acceptance page when the newest material version in effect is neither
accepted by them nor followed by a version they accepted. Never interrupted: public pages (the
policy, its archive and diff, sign-in, sign-up, public tracking), the API (a key has no person;
a page's own API calls would break mid-page), signing out, the acceptance page itself and the
privacy officer's policy pages.
Static files are served before this middleware runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

from logitrack.privacy.policies.selectors import has_accepted_since, material_in_effect
from logitrack.tenancy.access import access_rule_of, principal_of
from logitrack.tenancy.middleware import is_ninja_dispatch

Handler = Callable[[HttpRequest], HttpResponseBase]
# The highest material version number this session's person is known to have accepted: saves
# the acceptance query on every page once it is answered (acceptances are never withdrawn).
SESSION_KEY = "logitrack_policy_accepted"
# The privacy officer's own pages stay usable, so that a mistaken version can be followed by a
# correction at once; the officer is asked like everyone else on every other page.
EXEMPT_VIEWS = frozenset(
    {
        "web:logout",
        "policies:accept",
        "policies:staff-list",
        "policies:staff-create",
        "policies:staff-version",
        "policies:staff-publish",
    }
)


class PolicyAcceptanceMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        user = principal_of(request).user
        if user is None or not _may_interrupt(request, view_func):
            return None
        material = material_in_effect()
        if material is None:
            return None
        if int(request.session.get(SESSION_KEY, 0) or 0) >= material.number:
            return None
        if has_accepted_since(user, material.number):
            request.session[SESSION_KEY] = material.number
            return None
        return _to_acceptance(request)


def _may_interrupt(request: HttpRequest, view_func: Callable[..., Any]) -> bool:
    """A page of a signed-in session that is neither public, nor the API, nor exempt."""
    if getattr(request, "auth_via", "") != "session":
        return False
    rule = access_rule_of(view_func)
    if rule is None or rule.kind == "public" or is_ninja_dispatch(view_func):
        return False
    match = getattr(request, "resolver_match", None)
    return match is None or match.view_name not in EXEMPT_VIEWS


def _to_acceptance(request: HttpRequest) -> HttpResponseBase:
    url = reverse("policies:accept")
    if request.method in ("GET", "HEAD"):
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        # htmx would swap the page into a fragment; it follows HX-Redirect with a full load.
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)
