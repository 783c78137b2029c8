"""Audit entries written by the access layer, and the actor a principal is recorded as."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from logitrack.tenancy.principal import Principal

if TYPE_CHECKING:
    from logitrack.security.actors import Actor


def actor_of(principal: Principal) -> Actor:
    """The audit chain's pseudonymous actor for ``principal`` (a person, an API key or nobody)."""
    from logitrack.security.actors import Actor

    if principal.user is not None:
        return Actor.user(principal.user)
    if principal.api_key_id is not None:
        return Actor.api_key(principal.api_key_id)
    return Actor.anonymous()


def record_authz_failure(request: HttpRequest, principal: Principal, rule: str) -> None:
    from logitrack.security.services import audit_record

    match = getattr(request, "resolver_match", None)
    audit_record(
        action="authz_fail",
        actor=actor_of(principal),
        tenant_id=principal.tenant_id,
        object_type="route",
        object_id=match.view_name if match is not None else "",
        details={"rule": rule},
        request=request,
    )
