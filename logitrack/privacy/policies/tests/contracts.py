"""Isolation contracts of the policy-version routes, for tests/isolation (see contract.py there).

The acceptance page acts for the signed-in person (``permission=None``): every account level
reaches it; with no material version waiting it sends them on (302) and records nothing. The
privacy officer's pages are platform staff pages: no member of any account level reaches them
(403), whatever they hold; the officer's own use is tested in test_pages.py. The archive,
version and diff pages are public (marked on the views).
"""

from __future__ import annotations

from typing import Any

from tests.isolation.contract import Contract, contract


def _page(route: str, method: str, path: str, **extra: Any) -> None:
    contract(Contract(route=route, method=method, permission=None, path=lambda pk: path, **extra))


_page("policies:accept", "GET", "/privacy/policy/accept/", ok=302)
_page(
    "policies:accept",
    "POST",
    "/privacy/policy/accept/",
    body=lambda world, pk: {"number": "1", "language": "vi"},
    ok=302,
)
_staff = "/staff/privacy/policies"
_page("policies:staff-list", "GET", f"{_staff}/", ok=403)
_page("policies:staff-create", "POST", f"{_staff}/new/", ok=403)
_page("policies:staff-version", "GET", f"{_staff}/1/", ok=403)
_page(
    "policies:staff-version",
    "POST",
    f"{_staff}/1/",
    body=lambda world, pk: {"summary": "x", "body_vi": "x", "body_en": "x"},
    ok=403,
)
_page(
    "policies:staff-publish",
    "POST",
    f"{_staff}/1/publish/",
    body=lambda world, pk: {"effective_at": ""},
    ok=403,
)
