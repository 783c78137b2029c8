"""Who records an order change or a shipment event.

A request acts as its ``Principal`` (a person's membership or an API key). Parts of Logitrack
that act on their own, without a request (geofence rules, RFID gates, partner webhooks, the bulk
import job), act as a ``SystemCaller``: trusted code that names itself for the audit chain and is
bound to one tenant. Neither can reach another tenant's shipments: every service compares the
caller's tenant with the object's and with the bound one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

if TYPE_CHECKING:
    from logitrack.security.actors import Actor


@dataclass(frozen=True)
class SystemCaller:
    """Logitrack code acting for ``tenant_id`` on its own, e.g. ``SystemCaller(7, "geofence")``.

    ``name`` is a short lowercase identifier (``[a-z][a-z0-9_.-]{0,63}``) recorded as the audit
    chain's system actor.
    """

    tenant_id: int
    name: str


Caller: TypeAlias = Principal | SystemCaller


def caller_tenant_id(caller: Caller) -> int | None:
    return caller.tenant_id


def caller_may(caller: Caller, *permissions: Permission) -> bool:
    """True when the caller holds one of ``permissions`` (system callers hold them all)."""
    if isinstance(caller, SystemCaller):
        return True
    return any(caller.has(permission) for permission in permissions)


def audit_actor(caller: Caller) -> Actor:
    from logitrack.security.actors import Actor
    from logitrack.tenancy.audit import actor_of

    if isinstance(caller, SystemCaller):
        return Actor.system(caller.name)
    return actor_of(caller)


def actor_user_id(caller: Caller) -> int | None:
    if isinstance(caller, Principal) and caller.user is not None:
        return int(caller.user.pk)
    return None


def actor_api_key_id(caller: Caller) -> int | None:
    if isinstance(caller, Principal):
        return caller.api_key_id
    return None
