"""Run one cell of the isolation matrix and judge it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.middleware import SESSION_TENANT_KEY
from logitrack.tenancy.roles import Role, has_permission
from tests.isolation.contract import MISSING_ID, Contract, Target
from tests.isolation.world import World


@dataclass(frozen=True)
class Outcome:
    route: str
    role: str
    target: str
    status: int
    expected: str
    ok: bool
    leaked: bool


def _send(client: HttpsClient, contract: Contract, path: str, body: dict[str, Any]) -> Any:
    method = contract.method.lower()
    if contract.json and method != "get":
        return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")
    if method in {"get", "delete"}:
        return getattr(client, method)(path)
    return getattr(client, method)(path, data=body)


def _is_login_redirect(response: HttpResponse) -> bool:
    return response.status_code == 302 and "/login/" in response.get("Location", "")


def run_anonymous(contract: Contract, world: World) -> Outcome:
    client = HttpsClient()
    pk = contract.make(world, "a") if contract.make else None
    before = contract.snapshot(pk) if contract.snapshot and pk is not None else None
    response = _send(client, contract, contract.path(pk), contract.body(world, pk))
    after = contract.snapshot(pk) if contract.snapshot and pk is not None else None
    if contract.is_api:
        ok = response.status_code == 401 and json.loads(response.content)["error"]["code"]
        expected = "401"
    else:
        ok = _is_login_redirect(response)
        expected = "redirect to sign-in"
    return Outcome(
        contract.label(), "anonymous", "own", response.status_code, expected,
        bool(ok) and before == after, leaked=before != after,
    )  # fmt: skip


def run_case(contract: Contract, world: World, role: Role, target: Target) -> Outcome:
    side = world.a
    client = HttpsClient()
    client.force_login(side.users[role])
    session = client.session
    session[SESSION_TENANT_KEY] = side.tenant.pk
    session.save()

    pk: int | None = None
    if target == "own" and contract.make:
        pk = contract.make(world, "a")
    elif target == "other" and contract.make:
        pk = contract.make(world, "b")
    elif target == "missing":
        pk = MISSING_ID
    before = contract.snapshot(pk) if contract.snapshot and target == "other" and pk else None

    response = _send(client, contract, contract.path(pk), contract.body(world, pk))
    status = response.status_code

    after = contract.snapshot(pk) if contract.snapshot and target == "other" and pk else None
    allowed = contract.permission is None or has_permission(role, contract.permission)
    if not allowed:
        expected, ok = "403", status == 403
    elif target == "own":
        expected = "/".join(str(code) for code in sorted(contract.ok))
        ok = status in contract.ok
    else:
        expected, ok = "404", status == 404
    leaked = target == "other" and (200 <= status < 300 or before != after)
    return Outcome(
        contract.label(), role.value, target, status, expected, ok and not leaked, leaked
    )
