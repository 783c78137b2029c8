"""Isolation contracts of the privacy officer's pages, for tests/isolation (see contract.py).

These are platform-staff pages (``platform_staff("privacy_officer")``): no member of any tenant
reaches them, whatever their account level (403), and anonymous requests are sent to sign in.
The officer's own access, and a security officer's refusal, are tested in
logitrack/privacy/breaches/tests/test_pages.py. The public partners page is marked public.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.isolation.contract import MISSING_ID, Contract, contract


def _fixed(path: str) -> Callable[[int | None], str]:
    return lambda pk: path


def _body(world: Any, pk: int | None) -> dict[str, Any]:
    return {"decision": "approve", "reported_at": "2026-01-01T10:00", "reference": "A05-1"}


_staff = "/staff/privacy"
_id = MISSING_ID
for _route, _method, _path in (
    ("breaches:partners", "get", f"{_staff}/partners/"),
    ("breaches:partners", "post", f"{_staff}/partners/"),
    ("breaches:partner-edit", "get", f"{_staff}/partners/{_id}/"),
    ("breaches:partner-edit", "post", f"{_staff}/partners/{_id}/"),
    ("breaches:disclosures", "get", f"{_staff}/disclosures/"),
    ("breaches:disclosures", "post", f"{_staff}/disclosures/"),
    ("breaches:disclosure-decide", "post", f"{_staff}/disclosures/{_id}/decide/"),
    ("breaches:breaches", "get", f"{_staff}/breaches/"),
    ("breaches:breaches", "post", f"{_staff}/breaches/"),
    ("breaches:breach", "get", f"{_staff}/breaches/{_id}/"),
    ("breaches:assess", "post", f"{_staff}/breaches/{_id}/assess/"),
    ("breaches:reported", "post", f"{_staff}/breaches/{_id}/reported/"),
    ("breaches:notify", "post", f"{_staff}/breaches/{_id}/notify/"),
    ("breaches:close", "post", f"{_staff}/breaches/{_id}/close/"),
    ("breaches:report", "get", f"{_staff}/breaches/{_id}/report.pdf"),
):
    contract(Contract(_route, _method, None, _fixed(_path), body=_body, ok=403))
