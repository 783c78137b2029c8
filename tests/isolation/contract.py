"""The tenant isolation contract, declared once per route and run for every account level.

For a route that needs a tenant permission the contract checks, for each of the seven account
levels of tenant A, three targets: an object of tenant A ("own"), the same kind of object of
tenant B ("other") and an id that does not exist ("missing"); and an anonymous request:

- anonymous: 401 with a JSON error on API routes, a redirect to the sign-in page on pages;
- account level without the permission: 403, and nothing changed;
- with the permission: own object 2xx (or a redirect after a form), other tenant's object and
  missing id 404, and nothing changed on tenant B's object.

A *leak* is any request that reaches tenant B's object: a 2xx answer for it, or a change to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from logitrack.tenancy.roles import Permission
from tests.isolation.world import World

Target = Literal["own", "other", "missing"]
MISSING_ID = 987_654_321


@dataclass(frozen=True)
class Contract:
    """How to exercise one route: its URL name, method, and how to make and inspect objects."""

    route: str  # the URL name, e.g. "tenancy:member-detail" or "api-1:member_update"
    method: str
    permission: Permission | None  # None for routes that act on the person, not the tenant
    path: Callable[[int | None], str]  # the URL for an object id (None for collections)
    make: Callable[[World, str], int] | None = None  # creates an object in tenant "a" or "b"
    snapshot: Callable[[int], Any] | None = None  # comparable state of an object, unscoped
    body: Callable[[World, int | None], dict[str, Any]] = field(default=lambda world, pk: {})
    json: bool = False  # send the body as JSON (API) rather than form-encoded
    ok: frozenset[int] = frozenset({200})

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api-1:")

    @property
    def has_object(self) -> bool:
        return self.make is not None

    def label(self) -> str:
        return f"{self.method} {self.route}"


REGISTRY: list[Contract] = []


def contract(item: Contract) -> Contract:
    REGISTRY.append(item)
    return item
