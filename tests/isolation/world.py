"""Two tenants, each with one person per account level: the world every contract runs in."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.validators import tax_code_check_digit

_serial = itertools.count(1)


def valid_tax_code(seed: int) -> str:
    """A tax code with a correct check digit, different for every seed."""
    for offset in range(100):
        head = f"{(seed * 7919 + offset) % 10**9:09d}"
        digit = tax_code_check_digit(head)
        if digit is not None:
            return head + str(digit)
    raise AssertionError("no valid tax code found")


@dataclass
class TenantSide:
    tenant: Tenant
    users: dict[Role, User] = field(default_factory=dict)
    memberships: dict[Role, Membership] = field(default_factory=dict)


@dataclass
class World:
    a: TenantSide
    b: TenantSide

    def side(self, which: str) -> TenantSide:
        return self.a if which == "a" else self.b


def make_tenant(label: str) -> TenantSide:
    n = next(_serial)
    tenant = Tenant.objects.create(
        name=f"Công ty {label} {n}",
        slug=f"tenant-{label.lower()}-{n}",
        tax_code=valid_tax_code(n),
        street_address=f"{n} Lê Lợi",
        province_code=79,
        ward_code=26506,
    )
    side = TenantSide(tenant=tenant)
    with tenant_context(tenant):
        for role in Role:
            user = User.objects.create_user(
                email=f"{role.value}.{label.lower()}{n}@example.vn",
                password=None,
                full_name=f"{role.label} {label}",
            )
            side.users[role] = user
            side.memberships[role] = Membership.objects.create(user=user, role=role)
    return side


def make_world() -> World:
    return World(a=make_tenant("A"), b=make_tenant("B"))
