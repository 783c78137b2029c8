"""Two tenants, each with one person per account level: the world every contract runs in."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.roles import Permission, Role
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


def world_state(world: World) -> Any:
    """Every tenancy and account row of both tenants that a route could change, comparable.

    Taken before and after a request that must change nothing (refused, 404, 401). Timestamps
    that reading touches (``last_used_at``, ``last_seen_at``) and the audit chain, which records
    refusals, are left out on purpose.
    """
    from logitrack.accounts.models import UserSession
    from logitrack.tenancy.models import ApiKey, Invitation

    tenant_ids = [world.a.tenant.pk, world.b.tenant.pk]
    tenants = list(
        Tenant.objects.filter(pk__in=tenant_ids)
        .order_by("pk")
        .values_list("pk", "name", "industry", "province_code", "ward_code", "data_region")
    )
    streets = [
        str(tenant.street_address)
        for tenant in Tenant.objects.filter(pk__in=tenant_ids).order_by("pk")
    ]
    memberships = list(
        Membership.dangerously_unscoped.filter(tenant_id__in=tenant_ids)
        .order_by("pk")
        .values_list("pk", "tenant_id", "user_id", "role")
    )
    invitations = list(
        Invitation.dangerously_unscoped.filter(tenant_id__in=tenant_ids)
        .order_by("pk")
        .values_list("pk", "email", "role", "accepted_at", "revoked_at")
    )
    keys = list(
        ApiKey.dangerously_unscoped.filter(tenant_id__in=tenant_ids)
        .order_by("pk")
        .values_list("pk", "name", "permissions", "revoked_at", "expires_at")
    )
    user_ids = [user.pk for side in (world.a, world.b) for user in side.users.values()]
    users = list(
        User.objects.filter(pk__in=user_ids)
        .order_by("pk")
        .values_list("pk", "email", "full_name", "phone_index", "language", "time_zone", "password")
    )
    sessions = list(
        UserSession.objects.filter(user_id__in=user_ids).order_by("pk").values_list("pk", "user")
    )
    return {
        "tenants": tenants,
        "streets": streets,
        "memberships": memberships,
        "invitations": invitations,
        "api_keys": keys,
        "users": users,
        "sessions": sessions,
    }


def make_key(world: World, permissions: frozenset[Permission], state: str = "usable") -> str:
    """A token of tenant A, created by its owner with ``permissions``; ``state`` "revoked" or
    "expired" makes it unusable the way time or a person would."""
    from datetime import timedelta

    from django.utils import timezone

    from logitrack.tenancy.api_keys import api_key_create
    from logitrack.tenancy.models import ApiKey
    from logitrack.tenancy.principal import Principal

    owner = world.a.memberships[Role.OWNER]
    with tenant_context(world.a.tenant):
        created = api_key_create(
            principal=Principal.for_membership(owner.user, owner),
            name=f"Matrix key {next(_serial)}",
            permissions=permissions,
            expires_at=timezone.now() + timedelta(days=30),
        )
    past = timezone.now() - timedelta(days=1)
    rows = ApiKey.dangerously_unscoped.filter(pk=created.api_key.pk)
    if state == "revoked":
        rows.update(revoked_at=past)
    elif state == "expired":
        rows.update(created_at=past - timedelta(days=30), expires_at=past)
    return created.token
