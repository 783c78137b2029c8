"""Access declarations for pages and API routes, enforced when the view runs.

Every view says what it needs with exactly one of these decorators:

- ``requires(permission)``: a member of the bound tenant whose account level holds the permission
  (or an API key granted it);
- ``signed_in(reason)``: any signed-in person, whatever tenant (own profile, switching tenant);
- ``platform_staff(role)``: Logitrack's privacy or security officer;
- ``public(reason)``: anyone, with the reason a reviewer can judge.

A view with no declaration is refused at run time (``AccessDeclarationMiddleware``) and reported
by the system check ``tenancy.E002``, so forgetting one fails closed.

Request-driven code gets tenancy objects only through the ``access_*`` functions at the end of
this module: "missing" and "another tenant's" raise the same NotFound, so ids cannot be probed.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseBase, RawPostDataException
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from ninja.constants import NOT_SET
from ninja.utils import contribute_operation_callback

from logitrack.core.errors import ErrorResponse, NotFound, error_json, wants_json
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

if TYPE_CHECKING:
    from logitrack.tenancy.models import ApiKey, Invitation, Membership

V = TypeVar("V", bound=Callable[..., Any])
ACCESS_ATTR = "logitrack_access"
ADMITTED_ATTR = "logitrack_admitted"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class AccessRule:
    kind: Literal["permission", "signed_in", "platform", "public"]
    permission: Permission | None = None
    platform_role: str = ""
    reason: str = ""

    def describe(self) -> str:
        # Only a "permission" rule has a permission (``requires``).
        if self.permission is not None:
            return f"requires {self.permission.value}"
        if self.kind == "platform":
            return f"platform staff: {self.platform_role}"
        return f"{self.kind}: {self.reason}"


def access_rule_of(view: object) -> AccessRule | None:
    """The declaration on a view, following decorators that keep ``__wrapped__``."""
    seen = 0
    current: object = view
    while current is not None and seen < 20:
        # A class-based view's ``as_view()`` names its class; a class marked with
        # ``declare_public`` carries the rule there (``getattr(None, …)`` is the default).
        for holder in (current, getattr(current, "view_class", None)):
            rule = getattr(holder, ACCESS_ATTR, None)
            if isinstance(rule, AccessRule):
                return rule
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


def _refusal(principal: Principal, rule: AccessRule) -> tuple[str, str]:
    """(code, message) of a 403: an API key's missing permission is named as the key's, so the
    integrator fixes the key rather than asking for a higher account level."""
    if principal.api_key_id is not None and rule.permission is not None:
        message = _("This API key lacks the permission “%(permission)s”.") % {
            "permission": rule.permission.value
        }
        return "api_key_permission_denied", message
    return "permission_denied", _("Your account level does not allow this action.")


def _forbidden(request: HttpRequest, rule: AccessRule) -> HttpResponseBase:
    from logitrack.tenancy.audit import record_authz_failure

    principal = principal_of(request)
    record_authz_failure(request, principal, rule.describe())
    if wants_json(request):
        code, message = _refusal(principal, rule)
        return error_json(code, message, 403)
    from logitrack.web.views import permission_denied

    return permission_denied(request)


def _csrf_failure(request: HttpRequest) -> HttpResponseBase | None:
    """API calls authenticated by the session cookie need the CSRF token, like forms do.

    Only a session's principal has a person (``PrincipalMiddleware`` sets ``auth_via`` to
    ``"session"`` exactly then); an API key's principal has none, and a bearer key is not
    something a browser sends on its own.
    """
    if request.method in SAFE_METHODS or principal_of(request).user is None:
        return None
    # Django's check reads request.POST, which streams a multipart body away; read the body
    # first (bounded by DATA_UPLOAD_MAX_MEMORY_SIZE) so that the API can still parse it after.
    # On a page, Django's CSRF middleware may have read the form already: nothing left to keep.
    with contextlib.suppress(RawPostDataException):
        request.body  # noqa: B018
    # pragma: process_view reads neither get_response nor the view's args and kwargs, so the
    # mutants passing None for them are the same call (docs/mutation.md).
    result = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, None, (), {})  # type: ignore[arg-type]  # pragma: no mutate
    if result is None:
        return None
    return error_json("csrf_failed", _("The CSRF token is missing or wrong."), 403)


def csrf_refusal(request: HttpRequest) -> HttpResponseBase | None:
    """For public API operations that still act for a signed-in person (accepting an
    invitation): the CSRF refusal to send when the session cookie came without its token."""
    return _csrf_failure(request)


def _allows(principal: Principal, rule: AccessRule) -> bool:
    """Whether an authenticated ``principal`` satisfies a non-public ``rule``."""
    if rule.kind == "signed_in":
        return principal.user is not None
    if rule.kind == "platform":
        user = principal.user
        return user is not None and user.is_active and user.platform_role == rule.platform_role
    return rule.permission is not None and principal.has(rule.permission)


def check_access(request: HttpRequest, rule: AccessRule) -> HttpResponseBase | None:
    """None when ``rule`` lets this request through, otherwise the refusal to send."""
    principal = principal_of(request)
    if rule.kind == "public" or getattr(request, ADMITTED_ATTR, None) is rule:
        return None
    if not principal.is_authenticated:
        return _not_authenticated(request)
    refused = _csrf_failure(request) if wants_json(request) else None
    if refused is not None:
        return refused
    return None if _allows(principal, rule) else _forbidden(request, rule)


def admit(request: HttpRequest, principal: Principal, rule: AccessRule) -> Principal:
    """``principal``, once ``rule`` lets this authenticated API request through.

    Called by the API's authentication (``tenancy.api_auth``), before django-ninja parses the
    request. Raises ErrorResponse with 403 ``csrf_failed`` (a session without its CSRF token on
    an unsafe method) or 403 ``permission_denied`` (audited). A malformed multipart body met by
    the CSRF check raises django's MultiPartParserError, which the API answers 400.
    """
    refused = _csrf_failure(request)
    if refused is None and not _allows(principal, rule):
        refused = _forbidden(request, rule)
    if refused is not None:
        raise ErrorResponse(refused)
    # The view's own wrapper need not decide the same rule a second time.
    setattr(request, ADMITTED_ATTR, rule)
    return principal


def _contribute_auth(rule: AccessRule) -> Callable[[Any], None]:
    """django-ninja calls this with each operation made from a declared view: the operation's
    ``auth=`` becomes the one its rule needs, so authentication runs before parsing."""

    def contribute(operation: Any) -> None:
        from logitrack.tenancy.api_auth import auth_for

        if operation.auth_param is not NOT_SET:
            raise ImproperlyConfigured(
                f"{operation.view_func.__qualname__}: declare access with requires(), "
                "signed_in(), platform_staff() or public(), not with auth="
            )
        auth = auth_for(rule)
        # None (public) is an explicit choice ninja keeps; NOT_SET would inherit the router's.
        operation.auth_param = auth
        operation.auth_callbacks = auth or []

    return contribute


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
        contribute_operation_callback(wrapper, _contribute_auth(rule))
        # ninja reads the signature to build its schemas, resolving string annotations in the
        # wrapper's module; resolve them here, in the view's own module, where they make sense.
        # A NameError means annotations that exist only for type checkers: nothing for ninja.
        with contextlib.suppress(NameError):
            wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
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


# --- access to objects ---------------------------------------------------------------------------


def _in_tenant(principal: Principal, permission: Permission, code: str) -> int:
    """The principal's tenant id when it holds ``permission`` there; NotFound(code) otherwise."""
    from logitrack.core.tenant import bound_tenant_id

    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(permission) or bound_tenant_id() != tenant_id:
        raise NotFound(code)
    return tenant_id


def access_membership_by_id(
    principal: Principal, membership_id: int, *, for_write: bool = False
) -> Membership:
    """A membership of the principal's tenant: ``members.view`` to read, ``members.manage`` to
    change. Missing, another tenant's and not permitted all raise NotFound("membership_not_found").
    """
    from logitrack.tenancy.models import Membership

    code = "membership_not_found"
    needed = Permission.MEMBERS_MANAGE if for_write else Permission.MEMBERS_VIEW
    tenant_id = _in_tenant(principal, needed, code)
    membership: Membership | None = (
        Membership.objects.select_related("user", "tenant")
        .filter(pk=membership_id, tenant_id=tenant_id)
        .first()
    )
    if membership is None:
        raise NotFound(code)
    return membership


def access_api_key_by_id(
    principal: Principal, api_key_id: int, *, for_write: bool = False
) -> ApiKey:
    """An API key of the principal's tenant (``api_keys.manage`` to read or revoke).

    Missing, another tenant's and not permitted all raise NotFound("api_key_not_found").
    """
    from logitrack.tenancy.models import ApiKey

    code = "api_key_not_found"
    tenant_id = _in_tenant(principal, Permission.API_KEYS_MANAGE, code)
    api_key: ApiKey | None = ApiKey.objects.filter(pk=api_key_id, tenant_id=tenant_id).first()
    if api_key is None:
        raise NotFound(code)
    return api_key


def access_invitation_by_id(
    principal: Principal, invitation_id: int, *, for_write: bool = False
) -> Invitation:
    """A pending invitation of the principal's tenant (``members.manage``).

    Missing, used, withdrawn, another tenant's and not permitted all raise
    NotFound("invitation_not_found").
    """
    from logitrack.tenancy.models import Invitation

    code = "invitation_not_found"
    tenant_id = _in_tenant(principal, Permission.MEMBERS_MANAGE, code)
    invitation: Invitation | None = Invitation.objects.filter(
        pk=invitation_id, tenant_id=tenant_id, accepted_at__isnull=True, revoked_at__isnull=True
    ).first()
    if invitation is None:
        raise NotFound(code)
    return invitation


def access_invitation_by_token(
    principal: Principal, token: str, *, request: HttpRequest | None = None
) -> Invitation:
    """The pending, unexpired invitation of an active tenant that ``token`` was made for.

    The token is the capability: whoever holds the link may see the invitation, whatever tenant
    they act in. A forged, used, withdrawn or expired link, or one of a terminated company, raises
    InvitationInvalid (a NotFound) and is audited as ``authz_fail``, without the token.
    """
    from django.utils import timezone

    from logitrack.tenancy.audit import actor_of
    from logitrack.tenancy.errors import InvitationInvalid
    from logitrack.tenancy.models import Invitation
    from logitrack.tenancy.services import invitation_token_hash

    invitation: Invitation | None = None
    if 20 <= len(token) <= 100:
        invitation = (
            Invitation.dangerously_unscoped.select_related("tenant")
            .filter(token_hash=invitation_token_hash(token))
            .first()
        )
    if (
        invitation is None
        or not invitation.is_pending(timezone.now())
        or not (invitation.tenant.is_active)
    ):
        from logitrack.security.services import audit_record

        audit_record(
            action="authz_fail",
            actor=actor_of(principal),
            tenant_id=invitation.tenant_id if invitation is not None else None,
            object_type="invitation",
            object_id=str(invitation.pk) if invitation is not None else "",
            details={"reason": "invitation_link_invalid"},
            request=request,
        )
        raise InvitationInvalid()
    return invitation
