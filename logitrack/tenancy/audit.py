"""Audit entries written by the access layer itself."""

from __future__ import annotations

from django.http import HttpRequest

from logitrack.tenancy.principal import Principal


def record_authz_failure(request: HttpRequest, principal: Principal, rule: str) -> None:
    from logitrack.security.actors import Actor
    from logitrack.security.services import audit_record

    if principal.user is not None:
        actor = Actor.user(principal.user)
    elif principal.api_key_id is not None:
        actor = Actor.api_key(principal.api_key_id)
    else:
        actor = Actor.anonymous()
    match = getattr(request, "resolver_match", None)
    audit_record(
        action="authz_fail",
        actor=actor,
        tenant_id=principal.tenant_id,
        object_type="route",
        object_id=match.view_name if match is not None else "",
        details={"rule": rule},
        request=request,
    )
