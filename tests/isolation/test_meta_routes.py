"""Meta-test: every route is covered by an isolation contract or is explicitly public.

A new page or API operation without either fails here, so no route ships without its negative
tests. The contract's permission must also be the one the route declares, so the contract tests
what the code enforces.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

import tests.isolation.contracts  # noqa: F401  (fills REGISTRY)
from logitrack.tenancy.access import AccessRule, access_rule_of
from logitrack.tenancy.middleware import is_ninja_dispatch
from tests.isolation.contract import REGISTRY


def _named_patterns(
    patterns: list[Any] | None = None, namespace: str = ""
) -> Iterator[tuple[str, URLPattern]]:
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(list(entry.url_patterns), inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or '<unnamed>'}", entry


def _page_routes() -> dict[str, AccessRule | None]:
    return {
        name: access_rule_of(pattern.callback)
        for name, pattern in _named_patterns()
        if not is_ninja_dispatch(pattern.callback)
    }


def _api_operations() -> dict[tuple[str, str], AccessRule | None]:
    from logitrack.core.api import api

    operations: dict[tuple[str, str], AccessRule | None] = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                # ninja names an operation's URL after its function unless told otherwise.
                url_name = getattr(operation, "url_name", "") or operation.view_func.__name__
                name = f"api-1:{url_name}"
                for method in operation.methods:
                    operations[(name, method)] = access_rule_of(operation.view_func)
    return operations


def test_every_page_route_has_a_contract_or_a_public_marker() -> None:
    covered = {item.route for item in REGISTRY}

    uncovered = [
        name
        for name, rule in _page_routes().items()
        if name not in covered and (rule is None or rule.kind != "public")
    ]

    assert uncovered == []


def test_every_api_operation_has_a_contract_or_a_public_marker() -> None:
    covered = {(item.route, item.method) for item in REGISTRY}

    uncovered = [
        f"{method} {name}"
        for (name, method), rule in _api_operations().items()
        if (name, method) not in covered and (rule is None or rule.kind != "public")
    ]

    assert uncovered == []


def test_every_public_marker_gives_a_reason() -> None:
    rules = [*_page_routes().values(), *_api_operations().values()]

    assert all(rule is not None for rule in rules)
    assert all(rule.reason.strip() for rule in rules if rule is not None and rule.kind == "public")


def test_each_contract_names_an_existing_route_with_the_permission_it_declares() -> None:
    pages = _page_routes()
    api = _api_operations()

    mismatched = []
    for item in REGISTRY:
        rule = api.get((item.route, item.method)) if item.is_api else pages.get(item.route)
        if rule is None:
            mismatched.append(f"{item.label()}: no such route")
        elif rule.kind == "public":
            mismatched.append(f"{item.label()}: the route is public")
        elif rule.permission != item.permission:
            mismatched.append(
                f"{item.label()}: declares {rule.permission}, contract {item.permission}"
            )

    assert mismatched == []
