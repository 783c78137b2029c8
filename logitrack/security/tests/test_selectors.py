"""Who may read a tenant's audit trail, and in which order they see it."""

from __future__ import annotations

import pytest

from logitrack.accounts.models import User
from logitrack.security.actors import Actor
from logitrack.security.selectors import audit_entries_for_tenant
from logitrack.security.services import audit_record
from logitrack.security.tests.helpers import create_user, record_entries
from logitrack.tenancy.models import Membership, Tenant

pytestmark = pytest.mark.django_db


def _tenant(slug: str, tax_code: str) -> Tenant:
    return Tenant.objects.create(
        name=slug.title(),
        slug=slug,
        tax_code=tax_code,
        street_address="1 Tràng Tiền",
        ward_code=1,
        province_code=1,
    )


def _member(user: User, tenant: Tenant, role: str) -> Membership:
    membership: Membership = Membership.dangerously_unscoped.create(
        tenant=tenant, user=user, role=role
    )
    return membership


@pytest.fixture
def tenants() -> tuple[Tenant, Tenant]:
    return _tenant("songhong", "0101234567"), _tenant("mekong", "0301234567")


def test_member_with_audit_view_sees_own_tenant_entries_newest_first(
    tenants: tuple[Tenant, Tenant],
) -> None:
    # given entries in two tenants and on the platform
    home, other = tenants
    record_entries(2, tenant_id=home.pk)
    record_entries(1, tenant_id=other.pk)
    audit_record(action="sys_startup", actor=Actor.system("server"))
    record_entries(1, tenant_id=home.pk)
    owner = create_user("owner@example.vn")
    _member(owner, home, "owner")

    # when the owner reads their tenant's trail
    entries = audit_entries_for_tenant(actor_user=owner, tenant_id=home.pk)

    # then they see exactly their tenant's entries, newest first
    assert list(entries.values_list("sequence", flat=True)) == [5, 2, 1]


def test_member_without_audit_view_sees_nothing(tenants: tuple[Tenant, Tenant]) -> None:
    home, _other = tenants
    record_entries(2, tenant_id=home.pk)
    driver = create_user("driver@example.vn")
    _member(driver, home, "driver")

    assert list(audit_entries_for_tenant(actor_user=driver, tenant_id=home.pk)) == []


def test_owner_of_another_tenant_sees_nothing(tenants: tuple[Tenant, Tenant]) -> None:
    home, other = tenants
    record_entries(2, tenant_id=home.pk)
    outsider = create_user("outsider@example.vn")
    _member(outsider, other, "owner")

    assert list(audit_entries_for_tenant(actor_user=outsider, tenant_id=home.pk)) == []


def test_deactivated_owner_sees_nothing(tenants: tuple[Tenant, Tenant]) -> None:
    home, _other = tenants
    record_entries(1, tenant_id=home.pk)
    owner = create_user("owner@example.vn")
    _member(owner, home, "owner")
    owner.is_active = False
    owner.save()

    assert list(audit_entries_for_tenant(actor_user=owner, tenant_id=home.pk)) == []


def test_security_officer_sees_any_tenant(tenants: tuple[Tenant, Tenant]) -> None:
    home, other = tenants
    record_entries(1, tenant_id=home.pk)
    record_entries(2, tenant_id=other.pk)
    officer = create_user("officer@logitrack.vn", platform_role="security_officer")

    entries = audit_entries_for_tenant(actor_user=officer, tenant_id=other.pk)

    assert list(entries.values_list("sequence", flat=True)) == [3, 2]
