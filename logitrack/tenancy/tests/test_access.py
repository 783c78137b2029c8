"""access_* functions: missing, another tenant's and not permitted look the same."""

from __future__ import annotations

import pytest

from logitrack.core.errors import NotFound
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.access import (
    access_api_key_by_id,
    access_invitation_by_id,
    access_membership_by_id,
)
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import (
    make_api_key,
    make_member,
    make_tenant,
    principal_for,
)

pytestmark = pytest.mark.django_db


def test_a_membership_of_the_principals_tenant_is_returned() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    other = make_member(owner.tenant, Role.VIEWER)

    with tenant_context(owner.tenant):
        found = access_membership_by_id(principal_for(owner), other.pk, for_write=True)

    assert found.pk == other.pk


def test_missing_and_another_tenants_membership_raise_the_same_not_found() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    theirs = make_member(make_tenant(), Role.OWNER)

    with tenant_context(owner.tenant):
        with pytest.raises(NotFound) as missing:
            access_membership_by_id(principal_for(owner), 987_654_321)
        with pytest.raises(NotFound) as foreign:
            access_membership_by_id(principal_for(owner), theirs.pk)

    assert missing.value.code == foreign.value.code == "membership_not_found"


def test_without_the_permission_an_existing_object_is_not_found_either() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    driver = make_member(owner.tenant, Role.DRIVER)
    key = make_api_key(owner, {Permission.TENANT_VIEW}).api_key

    with tenant_context(owner.tenant):
        with pytest.raises(NotFound):
            access_membership_by_id(principal_for(driver), owner.pk)
        with pytest.raises(NotFound):
            access_api_key_by_id(principal_for(driver), key.pk)
        with pytest.raises(NotFound):
            access_invitation_by_id(principal_for(driver), 1)


def test_access_fails_closed_when_the_bound_tenant_is_not_the_principals() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    elsewhere = make_tenant()

    with tenant_context(elsewhere), pytest.raises(NotFound):
        access_membership_by_id(principal_for(owner), owner.pk)
