"""Run one cell of the isolation matrix and judge it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.middleware import SESSION_TENANT_KEY
from logitrack.tenancy.roles import API_KEY_PERMISSIONS, Permission, Role, has_permission
from tests.isolation.contract import MISSING_ID, Contract, Target
from tests.isolation.world import World, make_key, world_state

NOT_FOUND_CODE = re.compile(r"[a-z]+(?:_[a-z]+)*_not_found")


@dataclass(frozen=True)
class Outcome:
    route: str
    role: str
    target: str
    status: int
    expected: str
    ok: bool
    leaked: bool


@dataclass(frozen=True)
class KeyPrincipal:
    """An API key of tenant A used as the principal of a row of the matrix."""

    name: str
    state: str = "usable"  # "usable", "revoked" or "expired"

    def permissions_for(self, contract: Contract) -> frozenset[Permission]:
        """The key's permissions, chosen relative to the route under test."""
        if self.name == "key-without":
            return API_KEY_PERMISSIONS - {contract.permission} if contract.permission else (
                API_KEY_PERMISSIONS
            )  # fmt: skip
        if self.name == "key-unrelated":
            unrelated = Permission.OPERATIONS_VIEW
            return frozenset({unrelated}) if contract.permission != unrelated else frozenset(
                {Permission.TENANT_VIEW}
            )  # fmt: skip
        return API_KEY_PERMISSIONS

    def label(self) -> str:
        return self.name if self.state == "usable" else f"key-{self.state}"


KEY_PRINCIPALS = (
    KeyPrincipal("key-all"),
    KeyPrincipal("key-without"),
    KeyPrincipal("key-unrelated"),
    KeyPrincipal("key-all", state="revoked"),
    KeyPrincipal("key-all", state="expired"),
)


def _send(
    client: HttpsClient,
    contract: Contract,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> Any:
    method = contract.method.lower()
    extra: dict[str, Any] = {"headers": headers} if headers else {}
    if contract.json and method != "get":
        return getattr(client, method)(
            path, data=json.dumps(body), content_type="application/json", **extra
        )
    if method in {"get", "delete"}:
        return getattr(client, method)(path, **extra)
    return getattr(client, method)(path, data=body, **extra)


def _is_login_redirect(response: HttpResponse) -> bool:
    return response.status_code == 302 and "/login/" in response.get("Location", "")


def _error_code(response: HttpResponse) -> str:
    """The stable code of an API error answer; empty unless it has a code and a message."""
    try:
        error = json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return ""
    if not isinstance(error, dict) or not error.get("message"):
        return ""
    return str(error.get("code") or "")


def _make_target(contract: Contract, world: World, role: Role, target: Target) -> int | None:
    """The object id the request names: the requester's, a peer's, tenant B's, or missing.

    For every target but "own", an object of the requester's own is made too, as a decoy: a
    lookup that ignored the id would find it, answer 2xx or change it, and so be caught.
    """
    if target != "own" and contract.make_for is not None:
        contract.make_for(world, world.a.users[role])
    elif target != "own" and contract.make is not None:
        contract.make(world, "a")
    if target == "missing":
        return MISSING_ID if contract.has_object else None
    if contract.make_for is not None:
        peer_role = Role.VIEWER if role != Role.VIEWER else Role.DRIVER
        person = {
            "own": world.a.users[role],
            "peer": world.a.users[peer_role],
            "other": world.b.users[role],
        }[target]
        return contract.make_for(world, person)
    if contract.make is not None:
        return contract.make(world, "a" if target == "own" else "b")
    return None


def _judge(
    contract: Contract,
    label: str,
    target: Target,
    *,
    response: HttpResponse,
    expected_status: int,
    changes_allowed: bool,
    before: tuple[Any, Any],
    after: tuple[Any, Any],
) -> Outcome:
    status = response.status_code
    unchanged = before == after
    ok = status == expected_status and (changes_allowed or unchanged)
    if ok and expected_status in {401, 403, 404} and contract.is_api:
        code = _error_code(response)
        # A 404 names what was not found ("membership_not_found"), the same for missing and
        # another tenant's, so the code itself cannot be used to probe ids.
        ok = code != "" and (expected_status != 404 or NOT_FOUND_CODE.fullmatch(code) is not None)
    reaches_foreign = target in {"other", "peer"}
    leaked = reaches_foreign and (200 <= status < 300 or before[0] != after[0])
    return Outcome(contract.label(), label, target, status, str(expected_status), ok, leaked)


def _state(contract: Contract, world: World, pk: int | None) -> tuple[Any, Any]:
    item = contract.snapshot(pk) if contract.snapshot and pk is not None else None
    return item, world_state(world)


def run_anonymous(contract: Contract, world: World) -> Outcome:
    client = HttpsClient()
    pk = _make_target(contract, world, Role.OWNER, "own")
    before = _state(contract, world, pk)
    response = _send(client, contract, contract.path(pk), contract.body(world, pk))
    after = _state(contract, world, pk)
    if contract.is_api:
        ok = response.status_code == 401 and _error_code(response) != ""
        expected = "401"
    else:
        ok = _is_login_redirect(response)
        expected = "redirect to sign-in"
    return Outcome(
        contract.label(), "anonymous", "own", response.status_code, expected,
        bool(ok) and before == after, leaked=before != after,
    )  # fmt: skip


def run_case(contract: Contract, world: World, role: Role, target: Target) -> Outcome:
    """One account level of tenant A, signed in with a session, against one target."""
    side = world.a
    client = HttpsClient()
    client.force_login(side.users[role])
    session = client.session
    session[SESSION_TENANT_KEY] = side.tenant.pk
    session.save()

    pk = _make_target(contract, world, role, target)
    before = _state(contract, world, pk)
    response = _send(client, contract, contract.path(pk), contract.body(world, pk))
    after = _state(contract, world, pk)

    allowed = contract.permission is None or has_permission(role, contract.permission)
    if not allowed:
        expected, changes_allowed = 403, False
    elif target == "own":
        expected, changes_allowed = contract.ok, True
    else:
        expected, changes_allowed = 404, False
    return _judge(
        contract, role.value, target, response=response, expected_status=expected,
        changes_allowed=changes_allowed, before=before, after=after,
    )  # fmt: skip


def run_key_case(contract: Contract, world: World, key: KeyPrincipal, target: Target) -> Outcome:
    """An API key of tenant A, sent as a bearer token, against one target."""
    token = make_key(world, key.permissions_for(contract), key.state)
    client = HttpsClient()
    pk = _make_target(contract, world, Role.OWNER, target)
    before = _state(contract, world, pk)
    headers = {"Authorization": f"Bearer {token}"}
    response = _send(client, contract, contract.path(pk), contract.body(world, pk), headers)
    after = _state(contract, world, pk)

    held = key.permissions_for(contract)
    if key.state != "usable":
        expected, changes_allowed = 401, False
    elif contract.permission is None or contract.permission not in held:
        expected, changes_allowed = 403, False
    elif target == "own":
        expected, changes_allowed = contract.ok, True
    else:
        expected, changes_allowed = 404, False
    return _judge(
        contract, key.label(), target, response=response, expected_status=expected,
        changes_allowed=changes_allowed, before=before, after=after,
    )  # fmt: skip
