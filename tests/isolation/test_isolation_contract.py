"""Every route with a contract, for every principal and target (see contract.py)."""

from __future__ import annotations

import pytest

import tests.isolation.contracts  # noqa: F401  (fills REGISTRY)
from logitrack.tenancy.roles import Role
from tests.isolation.contract import REGISTRY, Contract, Target
from tests.isolation.runner import (
    KEY_PRINCIPALS,
    KeyPrincipal,
    Outcome,
    run_anonymous,
    run_case,
    run_key_case,
)
from tests.isolation.world import World, make_world

pytestmark = pytest.mark.django_db

RESULTS: list[Outcome] = []

CASES = [
    pytest.param(item, role, target, id=f"{item.label()}-{role.value}-{target}")
    for item in REGISTRY
    for role in Role
    for target in item.targets
]

KEY_CASES = [
    pytest.param(item, key, target, id=f"{item.label()}-{key.label()}-{target}")
    for item in REGISTRY
    if item.is_api
    for key in KEY_PRINCIPALS
    # An unusable key is refused before any object is looked up: one target says it.
    for target in (item.targets if key.state == "usable" else ("own",))
]


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.mark.parametrize(("item", "role", "target"), CASES)
def test_route_honours_the_isolation_contract(
    world: World, item: Contract, role: Role, target: Target
) -> None:
    outcome = run_case(item, world, role, target)
    RESULTS.append(outcome)

    assert not outcome.leaked, outcome
    assert outcome.ok, outcome


@pytest.mark.parametrize(("item", "key", "target"), KEY_CASES)
def test_api_route_honours_the_isolation_contract_for_api_keys(
    world: World, item: Contract, key: KeyPrincipal, target: Target
) -> None:
    outcome = run_key_case(item, world, key, target)
    RESULTS.append(outcome)

    assert not outcome.leaked, outcome
    assert outcome.ok, outcome


@pytest.mark.parametrize("item", REGISTRY, ids=[item.label() for item in REGISTRY])
def test_anonymous_request_is_refused(world: World, item: Contract) -> None:
    outcome = run_anonymous(item, world)
    RESULTS.append(outcome)

    assert outcome.ok, outcome
