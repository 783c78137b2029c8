"""Every route with a contract, for every account level and target (see contract.py)."""

from __future__ import annotations

import pytest

import tests.isolation.contracts  # noqa: F401  (fills REGISTRY)
from logitrack.tenancy.roles import Role
from tests.isolation.contract import REGISTRY, Contract, Target
from tests.isolation.runner import Outcome, run_anonymous, run_case
from tests.isolation.world import World, make_world

pytestmark = pytest.mark.django_db

RESULTS: list[Outcome] = []

CASES = [
    pytest.param(item, role, target, id=f"{item.label()}-{role.value}-{target}")
    for item in REGISTRY
    for role in Role
    for target in (("own", "other", "missing") if item.has_object else ("own",))
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


@pytest.mark.parametrize("item", REGISTRY, ids=[item.label() for item in REGISTRY])
def test_anonymous_request_is_refused(world: World, item: Contract) -> None:
    outcome = run_anonymous(item, world)
    RESULTS.append(outcome)

    assert outcome.ok, outcome
