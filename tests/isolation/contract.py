"""The tenant isolation contract, declared once per route and run for every principal.

For a route that needs a tenant permission the contract checks, for each of the seven account
levels of tenant A, three targets: an object of tenant A ("own"), the same kind of object of
tenant B ("other") and an id that does not exist ("missing"); and an anonymous request:

- anonymous: 401 with a JSON error on API routes, a redirect to the sign-in page on pages;
- account level without the permission: 403, and nothing changed (neither the targeted object
  nor any tenancy or account row of either tenant, see ``world.world_state``);
- with the permission: own object answers the contract's one ``ok`` status, other tenant's
  object and missing id 404, and nothing changed anywhere.

API routes are also run by API-key principals of tenant A (``KEY_PRINCIPALS``): a key holding
every permission a key may hold, one lacking only the route's permission, one holding an
unrelated permission, and a revoked and an expired key (401, nothing changed). A route that acts
for a person (``permission=None``) refuses every key with 403.

Routes on a person's own objects (sessions) declare ``make_for``: "own" is then the requester's
own object, "peer" another person's of the same tenant and "other" a person's of tenant B; only
"own" may succeed.

A *leak* is any request that reaches an object it must not: a 2xx answer for it, or a change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from logitrack.tenancy.roles import Permission
from tests.isolation.world import World

if TYPE_CHECKING:
    from logitrack.accounts.models import User

Target = Literal["own", "peer", "other", "missing"]
MISSING_ID = 987_654_321


@dataclass(frozen=True)
class Contract:
    """How to exercise one route: its URL name, method, and how to make and inspect objects."""

    route: str  # the URL name, e.g. "tenancy:member-detail" or "api-1:member_update"
    method: str
    permission: Permission | None  # None for routes that act on the person, not the tenant
    path: Callable[[int | None], str]  # the URL for an object id (None for collections)
    make: Callable[[World, str], int] | None = None  # creates an object in tenant "a" or "b"
    # For objects that belong to a person (a session): creates one for that person.
    make_for: Callable[[World, User], int] | None = None
    snapshot: Callable[[int], Any] | None = None  # comparable state of an object, unscoped
    body: Callable[[World, int | None], dict[str, Any]] = field(default=lambda world, pk: {})
    json: bool = False  # send the body as JSON (API) rather than form-encoded
    ok: int = 200  # the one status a permitted principal gets for its own object

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api-1:")

    @property
    def has_object(self) -> bool:
        return self.make is not None or self.make_for is not None

    @property
    def targets(self) -> tuple[Target, ...]:
        if self.make_for is not None:
            return ("own", "peer", "other", "missing")
        if self.make is not None:
            return ("own", "other", "missing")
        return ("own",)

    def label(self) -> str:
        return f"{self.method} {self.route}"


REGISTRY: list[Contract] = []


def contract(item: Contract) -> Contract:
    if item.make is not None and item.make_for is not None:
        raise ValueError(f"{item.label()}: declare make or make_for, not both")
    REGISTRY.append(item)
    return item
