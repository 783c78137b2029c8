"""Authentication to tenant binding, and refusal of views that declare no access rule."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from logitrack.core.errors import error_json
from logitrack.core.tenant import tenant_context
from logitrack.security import throttle
from logitrack.tenancy.access import access_rule_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.selectors import membership_for_session

Handler = Callable[[HttpRequest], HttpResponseBase]
SESSION_TENANT_KEY = "logitrack_tenant_id"
BEARER_SCHEME = "bearer"


def _bearer_token(request: HttpRequest) -> str | None:
    """The credential of an ``Authorization: Bearer`` header, or None without one.

    The scheme is case-insensitive (RFC 6750 section 2.1). "Bearer" alone (servers strip the
    trailing space) gives "", a malformed key, never "no key": the call is refused 401.
    """
    scheme, _space, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != BEARER_SCHEME:
        return None
    return token.strip()


@functools.cache
def _device_bearer_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def _device_bearer_path(path: str) -> bool:
    """True for the paths whose Bearer header is a device token (LOGITRACK_DEVICE_BEARER_PATHS)."""
    configured = tuple(getattr(settings, "LOGITRACK_DEVICE_BEARER_PATHS", ()))
    return any(pattern.match(path) for pattern in _device_bearer_patterns(configured))


class PrincipalMiddleware:
    """Build ``request.principal`` and bind its tenant for the rest of the request.

    An ``Authorization: Bearer`` header is authoritative: a bad key is answered 401 at once, even
    if a session cookie came along, so a partner integration never silently acts as a person.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _device_bearer_path(request.path_info):
            # The view checks the device token itself; no person or API key acts here, and a
            # session cookie that came along is ignored.
            request.auth_via = ""  # type: ignore[attr-defined]
            request.principal = Principal.anonymous()  # type: ignore[attr-defined]
            return self.get_response(request)
        token = _bearer_token(request)
        if token is not None:
            # An address that sent too many bad keys is refused before any key is checked, so
            # keys cannot be guessed at speed (docs/adr/0012).
            address = throttle.ip_key(request)
            spent = throttle.over(request, "api_key_failures.ip", address)
            if spent is not None:
                return throttle.throttled_response(request, spent)
            principal = self._from_api_key(request, token)
            if principal is None:
                throttle.hit(request, "api_key_failures.ip", address)
                return error_json(
                    "invalid_api_key", _("The API key is unknown, expired or revoked."), 401
                )
            request.auth_via = "api_key"  # type: ignore[attr-defined]
        else:
            principal = self._from_session(request)
            request.auth_via = "session" if principal.user is not None else ""  # type: ignore[attr-defined]
        request.principal = principal  # type: ignore[attr-defined]
        if principal.tenant is None:
            return self.get_response(request)
        with tenant_context(principal.tenant):
            return self.get_response(request)

    def _from_api_key(self, request: HttpRequest, token: str) -> Principal | None:
        path = getattr(settings, "LOGITRACK_API_KEY_AUTHENTICATOR", "")
        if not path or not token:
            return None
        authenticate: Callable[[HttpRequest, str], Principal | None] = import_string(path)
        return authenticate(request, token)

    def _from_session(self, request: HttpRequest) -> Principal:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return Principal.anonymous()
        wanted = request.session.get(SESSION_TENANT_KEY)
        membership = membership_for_session(user=user, tenant_id=wanted)
        if membership is None:
            return Principal.for_user_without_tenant(user)
        if wanted != membership.tenant_id:
            request.session[SESSION_TENANT_KEY] = membership.tenant_id
        return Principal.for_membership(user, membership)


class AccessDeclarationMiddleware:
    """Refuse any view that declares no access rule (fail closed); see ``tenancy.access``."""

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
        if access_rule_of(view_func) is not None or is_ninja_dispatch(view_func):
            return None
        return error_json("access_undeclared", _("This address is not available."), 403)


def is_ninja_dispatch(view_func: object) -> bool:
    """ninja's URL views dispatch to operations, each of which carries its own declaration.

    The system check tenancy.E003 proves every operation declares one.
    """
    module = getattr(view_func, "__module__", "")
    qualname = getattr(view_func, "__qualname__", "")
    return module == "ninja.operation" and qualname.startswith("PathView.get_view.")
