"""Isolation contracts of the address routes, for tests/isolation (see contract.py there).

The routes read reference data only and need ``operations.view``: account levels and API keys
holding it get the answer, those without it 403, anonymous callers 401, and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable

from logitrack.tenancy.roles import Permission
from tests.isolation.contract import Contract, contract

_v1 = "/api/v1/addresses"


def _fixed(path: str) -> Callable[[int | None], str]:
    return lambda pk: path


contract(
    Contract(
        "api-1:addresses_provinces", "GET", Permission.OPERATIONS_VIEW, _fixed(f"{_v1}/provinces")
    )
)
contract(
    Contract(
        "api-1:addresses_communes",
        "GET",
        Permission.OPERATIONS_VIEW,
        _fixed(f"{_v1}/provinces/79/communes"),
    )
)
contract(
    Contract(
        "api-1:addresses_resolve",
        "POST",
        Permission.OPERATIONS_VIEW,
        _fixed(f"{_v1}/resolve"),
        body=lambda world, pk: {"text": "12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM"},
        json=True,
    )
)
