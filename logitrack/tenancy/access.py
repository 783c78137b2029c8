"""Access declarations for pages and API routes, enforced when the view runs.

Every view says what it needs with exactly one of these decorators:

- ``requires(permission)``: a member of the bound tenant whose account level holds the permission
  (or an API key granted it);
- ``signed_in(reason)``: any signed-in person, whatever tenant (own profile, switching tenant);
- ``platform_staff(role)``: Logitrack's privacy or security officer;
- ``public(reason)``: anyone, with the reason a reviewer can judge.

A view with no declaration is refused at run time (``AccessDeclarationMiddleware``) and reported
by the system check ``tenancy.E002``, so forgetting one fails closed.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _

from logitrack.core.errors import error_json, wants_json
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

V = TypeVar("V", bound=Callable[..., Any])
ACCESS_ATTR = "logitrack_access"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class AccessRule:
    kind: Literal["permission", "signed_in", "platform", "public"]
    permission: Permission | None = None
    platform_role: str = ""
    reason: str = ""

    def describe(self) -> str:
        if self.kind == "permission" and self.permission is not None:
            return f"requires {self.permission.value}"
        if self.kind == "platform":
            return f"platform staff: {self.platform_role}"
        return f"{self.kind}: {self.reason}"


def access_rule_of(view: object) -> AccessRule | None:
    """The declaration on a view, following decorators that keep ``__wrapped__``."""
    seen = 0
    current: object = view
    while current is not None and seen < 20:
        rule = getattr(current, ACCESS_ATTR, None)
        if isinstance(rule, AccessRule):
            return rule
        view_class = getattr(current, "view_class", None)
        if view_class is not None and isinstance(getattr(view_class, ACCESS_ATTR, None), AccessRule):
            return cast(AccessRule, getattr(view_class, ACCESS_ATTR))
        current = getattr(current, "__wrapped__", None)
        seen += 1
    return None


def principal_of(request: HttpRequest) -> Principal:
    principal = getattr(request, "principal", None)
    return principal if isinstance(principal, Principal) else Principal.anonymous()


def _not_authenticated(request: HttpRequest) -> HttpResponseBase:
    if wants_json(request):
        return error_json("not_authenticated", _("Sign in or send a valid API key."), 401)
    return redirect_to_login(request.get_full_path())


def _forbidden(request: HttpRequest, rule: AccessRule) -> HttpResponseBase:
    from logitrack.tenancy.audit import record_authz_failure

    record_authz_failure(request, principal_of(request), rule.describe())
    message = _("Your account level does not allow this action.")
    if wants_json(request):
        return error_json("permission_denied", message, 403)
    from logitrack.web.views import permission_denied

    return permission_denied(request)


def _csrf_failure(request: HttpRequest) -> HttpResponseBase | None:
    """API calls authenticated by the session cookie need the CSRF token, like forms do."""
    if request.method in SAFE_METHODS or getattr(request, "auth_via", "") != "session":
        return None
    result = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, None, (), {})  # type: ignore[arg-type]
    if result is None:
        return None
    return error_json("csrf_failed", _("The CSRF token is missing or wrong."), 403)


def check_access(request: HttpRequest, rule: AccessRule) -> HttpResponseBase | None:
    """None when ``rule`` lets this request through, otherwise the refusal to send."""
    principal = principal_of(request)
    if rule.kind == "public":
        return None
    if not principal.is_authenticated:
        return _not_authenticated(request)
    if wants_json(request):
        refused = _csrf_failure(request)
        if refused is not None:
            return refused
    if rule.kind == "signed_in":
        return None if principal.user is not None else _forbidden(request, rule)
    if rule.kind == "platform":
        user = principal.user
        allowed = user is not None and user.is_active and user.platform_role == rule.platform_role
        return None if allowed else _forbidden(request, rule)
    if rule.permission is not None and principal.has(rule.permission):
        return None
    return _forbidden(request, rule)


def _declare(rule: AccessRule) -> Callable[[V], V]:
    def decorate(view: V) -> V:
        if access_rule_of(view) is not None:
            raise TypeError(f"{view!r} already declares its access")

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            refused = check_access(request, rule)
            if refused is not None:
                return refused
            return view(request, *args, **kwargs)

        setattr(wrapper, ACCESS_ATTR, rule)
        # ninja reads the signature to build its schemas, resolving string annotations in the
        # wrapper's module; resolve them here, in the view's own module, where they make sense.
        try:
            wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        except NameError:
            pass  # annotations that exist only for type checkers: nothing for ninja to build
        return cast(V, wrapper)

    return decorate


def requires(permission: Permission) -> Callable[[V], V]:
    return _declare(AccessRule(kind="permission", permission=permission))


def signed_in(reason: str) -> Callable[[V], V]:
    return _declare(AccessRule(kind="signed_in", reason=reason))


def platform_staff(role: str) -> Callable[[V], V]:
    return _declare(AccessRule(kind="platform", platform_role=role))


def public(reason: str) -> Callable[[V], V]:
    if not reason.strip():
        raise ValueError("a public view needs a reason")
    return _declare(AccessRule(kind="public", reason=reason))


def declare_public(view: V, reason: str) -> V:
    """Mark a third-party view (Django's or ninja's) public without wrapping its behaviour."""
    if not reason.strip():
        raise ValueError("a public view needs a reason")
    setattr(view, ACCESS_ATTR, AccessRule(kind="public", reason=reason))
    return view
