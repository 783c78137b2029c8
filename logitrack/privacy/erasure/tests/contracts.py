"""Isolation contracts of the under-16 report routes, for tests/isolation (see contract.py).

Reporting acts for a signed-in person (``permission=None``): every account level may report a
member of its own company ("own" is a new member of tenant A, 201/302); a member of tenant B and
a missing id answer 404 and nothing changes; API keys are refused (403). The privacy officer's
pages refuse every tenant member (403). The visitors' page is public.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from tests.isolation.contract import MISSING_ID, Contract, contract
from tests.isolation.world import World

_serial = itertools.count(1)


def _member_of(world: World, side: str) -> int:
    """A new viewer of tenant ``side``: the person reported."""
    from logitrack.accounts.models import User
    from logitrack.core.tenant import tenant_context
    from logitrack.tenancy.models import Membership
    from logitrack.tenancy.roles import Role

    tenant = world.side(side).tenant
    user = User.objects.create_user(
        email=f"reported{next(_serial)}.{side}@example.vn", password=None, full_name="Lê Văn Tí"
    )
    with tenant_context(tenant):
        Membership.objects.create(user=user, role=Role.VIEWER)
    return int(user.pk)


def _active(pk: int) -> Any:
    from logitrack.accounts.models import User

    return User.objects.filter(pk=pk).values_list("is_active", flat=True).first()


def _fixed(path: str) -> Callable[[int | None], str]:
    return lambda pk: path


def _member_path(pk: int | None) -> str:
    return f"/privacy/children/report/{pk if pk is not None else MISSING_ID}/"


contract(
    Contract(
        route="api-1:underage_report_create",
        method="POST",
        permission=None,
        path=_fixed("/api/v1/privacy/underage-reports"),
        make=_member_of,
        snapshot=_active,
        body=lambda world, pk: {"user_id": pk if pk is not None else MISSING_ID},
        json=True,
        ok=201,
    )
)
contract(
    Contract(
        route="erasure:children-report-member",
        method="GET",
        permission=None,
        path=_member_path,
        make=_member_of,
        snapshot=_active,
    )
)
contract(
    Contract(
        route="erasure:children-report-member",
        method="POST",
        permission=None,
        path=_member_path,
        make=_member_of,
        snapshot=_active,
        body=lambda world, pk: {"confirm": "on"},
        ok=302,
    )
)
contract(
    Contract(
        route="erasure:children-report",
        method="GET",
        permission=None,
        path=_fixed("/privacy/children/report/"),
    )
)
# An address of no member of the company: the form answers with its error, nothing changes.
contract(
    Contract(
        route="erasure:children-report",
        method="POST",
        permission=None,
        path=_fixed("/privacy/children/report/"),
        body=lambda world, pk: {"email": "nobody@example.vn"},
    )
)

_staff = "/staff/privacy/children"
for _route, _method, _path in (
    ("erasure:children-staff", "get", f"{_staff}/"),
    ("erasure:children-staff", "post", f"{_staff}/"),
    ("erasure:children-staff-decide", "post", f"{_staff}/{MISSING_ID}/decide/"),
):
    contract(
        Contract(
            _route,
            _method,
            None,
            _fixed(_path),
            body=lambda world, pk: {"decision": "cancel", "email": "nobody@example.vn"},
            ok=403,
        )
    )
