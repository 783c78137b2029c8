"""The scoped manager fails closed, and rows never link across tenants."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from logitrack.core.models import TenantScopedModel
from logitrack.core.tenant import NoTenantBound, tenant_context
from logitrack.tenancy.models import ApiKey, Invitation, Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Membership, Invitation, ApiKey])
def test_the_scoped_manager_raises_when_no_tenant_is_bound(model: type[models.Model]) -> None:
    with pytest.raises(NoTenantBound):
        list(model.objects.all())  # type: ignore[attr-defined]


def test_the_scoped_manager_returns_only_the_bound_tenants_rows() -> None:
    a, b = make_tenant(), make_tenant()
    mine = make_member(a, Role.OWNER)
    make_member(b, Role.OWNER)

    with tenant_context(a):
        rows = list(Membership.objects.values_list("pk", flat=True))

    assert rows == [mine.pk]


def test_a_row_cannot_be_saved_into_another_tenant_than_the_bound_one() -> None:
    a, b = make_tenant(), make_tenant()
    user = make_user()

    with tenant_context(a), pytest.raises(ValidationError) as exc:
        Membership(tenant=b, user=user, role=Role.VIEWER).save()

    assert exc.value.code == "tenant_mismatch"
    assert Membership.dangerously_unscoped.filter(user=user).count() == 0


@pytest.fixture
def linking_model() -> Iterator[type[Any]]:
    """A throwaway tenant-scoped model with a link to a membership; never created in the DB."""
    attrs = {
        "__module__": __name__,
        "membership": models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+"),
        "Meta": type("Meta", (), {"app_label": "tenancy", "managed": False}),
    }
    model = type("MembershipLinkProbe", (TenantScopedModel,), attrs)
    yield model
    del apps.all_models["tenancy"]["membershiplinkprobe"]
    apps.clear_cache()


def test_a_link_to_another_tenants_row_is_refused_on_save(linking_model: type[Any]) -> None:
    a, b = make_tenant(), make_tenant()
    theirs = make_member(b, Role.OWNER)

    with tenant_context(a), pytest.raises(ValidationError) as exc:
        linking_model(membership_id=theirs.pk).save()

    with translation.override("en"):
        assert exc.value.message_dict == {
            "membership": ["This links to a record of another tenant."]
        }
    assert [error.code for error in exc.value.error_dict["membership"]] == ["cross_tenant_link"]


def test_a_link_to_a_row_of_the_same_tenant_passes_the_guard(linking_model: type[Any]) -> None:
    a = make_tenant()
    ours = make_member(a, Role.OWNER)

    with tenant_context(a):
        row = linking_model(membership_id=ours.pk)
        row.assert_same_tenant()

    assert row.tenant_id == a.pk
