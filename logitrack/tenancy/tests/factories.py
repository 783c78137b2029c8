"""Test data for tenancy: related objects inherit their tenant, so a test cannot mix tenants."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.api_keys import CreatedApiKey, api_key_create
from logitrack.tenancy.middleware import SESSION_TENANT_KEY
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.validators import tax_code_check_digit

_serial = itertools.count(1)
PROVINCE_HCMC = 79
WARD_IN_HCMC = 26506  # Phường Vũng Tàu, Thành phố Hồ Chí Minh
PROVINCE_HANOI = 1
WARD_IN_HANOI = 4  # Phường Ba Đình, Thành phố Hà Nội
GOOD_PASSWORD = "lúa-chín-vàng-trên-đồng-xa"


def valid_tax_code(seed: int) -> str:
    """A ten-digit tax code with a correct check digit, different for every seed."""
    for offset in range(100):
        head = f"{(seed * 104_729 + offset * 7) % 10**9:09d}"
        digit = tax_code_check_digit(head)
        if digit is not None:
            return head + str(digit)
    raise AssertionError("no valid tax code found")


def make_tenant(name: str = "Công ty Vận tải An Phú", **fields: object) -> Tenant:
    n = next(_serial)
    values: dict[str, object] = {
        "name": f"{name} {n}",
        "slug": f"tenant-{n}-{timezone.now().timestamp():.0f}",
        "tax_code": valid_tax_code(n + 500),
        "industry": "transport",
        "street_address": f"{n} Lê Lợi",
        "province_code": PROVINCE_HCMC,
        "ward_code": WARD_IN_HCMC,
    }
    values.update(fields)
    return Tenant.objects.create(**values)


def make_user(*, email: str | None = None, full_name: str = "Nguyễn Văn An") -> User:
    n = next(_serial)
    return User.objects.create_user(
        email=email or f"person{n}@example.vn", password=GOOD_PASSWORD, full_name=full_name
    )


def make_member(
    tenant: Tenant, role: Role = Role.VIEWER, *, user: User | None = None, email: str | None = None
) -> Membership:
    person = user or make_user(email=email, full_name=f"{role.label} {next(_serial)}")
    with tenant_context(tenant):
        membership: Membership = Membership.objects.create(user=person, role=role)
    return membership


def principal_for(membership: Membership) -> Principal:
    return Principal.for_membership(membership.user, membership)


def sign_in(client: Client, membership: Membership) -> None:
    client.force_login(membership.user)
    session = client.session
    session[SESSION_TENANT_KEY] = membership.tenant_id
    session.save()


def make_api_key(
    membership: Membership,
    permissions: set[Permission],
    *,
    days: int = 30,
    name: str = "Shop website",
) -> CreatedApiKey:
    with tenant_context(membership.tenant):
        return api_key_create(
            principal=principal_for(membership),
            name=name,
            permissions=permissions,
            expires_at=timezone.now() + timedelta(days=days),
        )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
