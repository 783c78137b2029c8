"""The scoped manager fails closed, and rows never link across tenants."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from logitrack.accounts.models import User
from logitrack.core.models import TenantScopedModel
from logitrack.core.tenant import NoTenantBound, tenant_context
from logitrack.tenancy.models import ApiKey, Invitation, Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Membership, Invitation, ApiKey])
def test_the_scoped_manager_raises_when_no_tenant_is_bound(model: type[models.Model]) -> None:
    with pytest.raises(
        NoTenantBound,
        match=r"^no tenant is bound; tenant-scoped data cannot be read or written$",
    ):
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
    with translation.override("en"):
        assert exc.value.messages == ["This record belongs to another tenant."]
    assert Membership.dangerously_unscoped.filter(user=user).count() == 0


def test_a_row_without_a_tenant_is_refused_when_none_is_bound() -> None:
    user = make_user()

    with pytest.raises(ValidationError) as exc:
        Membership(user=user, role=Role.VIEWER).save()

    assert exc.value.code == "tenant_missing"
    with translation.override("en"):
        assert exc.value.messages == ["This record has no tenant."]
    assert Membership.dangerously_unscoped.filter(user=user).count() == 0


def test_a_row_without_a_tenant_gets_the_bound_one() -> None:
    a = make_tenant()
    user = make_user()

    with tenant_context(a):
        Membership(user=user, role=Role.VIEWER).save()

    assert list(
        Membership.dangerously_unscoped.filter(user=user).values_list("tenant_id", flat=True)
    ) == [a.pk]


def test_a_row_with_its_tenant_is_saved_when_none_is_bound() -> None:
    a = make_tenant()
    user = make_user()

    Membership(tenant=a, user=user, role=Role.VIEWER).save()

    assert list(
        Membership.dangerously_unscoped.filter(user=user).values_list("tenant_id", flat=True)
    ) == [a.pk]


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


@pytest.fixture
def many_links_model() -> Iterator[type[Any]]:
    """A throwaway tenant-scoped model whose link to a membership comes after a link to a person
    (a global model) and an optional link left empty; never created in the DB."""
    attrs = {
        "__module__": __name__,
        "person": models.ForeignKey(User, on_delete=models.CASCADE, related_name="+"),
        "spare": models.ForeignKey(
            Membership, on_delete=models.CASCADE, related_name="+", null=True
        ),
        "membership": models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+"),
        "Meta": type("Meta", (), {"app_label": "tenancy", "managed": False}),
    }
    model = type("ManyLinksProbe", (TenantScopedModel,), attrs)
    yield model
    del apps.all_models["tenancy"]["manylinksprobe"]
    apps.clear_cache()


def test_a_link_to_another_tenant_is_refused_after_a_global_link_and_an_empty_one(
    many_links_model: type[Any],
) -> None:
    a, b = make_tenant(), make_tenant()
    ours = make_member(a, Role.OWNER)
    theirs = make_member(b, Role.OWNER)

    with tenant_context(a), pytest.raises(ValidationError) as exc:
        many_links_model(person_id=ours.user_id, membership_id=theirs.pk).save()

    assert [error.code for error in exc.value.error_dict["membership"]] == ["cross_tenant_link"]
    assert list(exc.value.error_dict) == ["membership"]


def test_a_link_to_a_loaded_row_is_checked_without_a_query(
    linking_model: type[Any], django_assert_num_queries: Any
) -> None:
    a = make_tenant()
    ours = make_member(a, Role.OWNER)

    with tenant_context(a):
        row = linking_model(membership=ours)
        with django_assert_num_queries(0):
            row.assert_same_tenant()

    assert row.membership_id == ours.pk


def test_a_link_repointed_after_its_row_was_loaded_is_checked_against_the_new_row(
    linking_model: type[Any],
) -> None:
    a, b = make_tenant(), make_tenant()
    ours = make_member(a, Role.OWNER)
    theirs = make_member(b, Role.OWNER)

    with tenant_context(a):
        row = linking_model(membership=ours)
        row.membership_id = theirs.pk
        with pytest.raises(ValidationError) as exc:
            row.assert_same_tenant()

    assert [error.code for error in exc.value.error_dict["membership"]] == ["cross_tenant_link"]


def test_saving_named_fields_writes_only_those_columns() -> None:
    member = make_member(make_tenant(), Role.VIEWER)
    earlier = member.created_at - timedelta(days=3)
    with tenant_context(member.tenant):
        stale = Membership.objects.get(pk=member.pk)
        Membership.objects.filter(pk=member.pk).update(created_at=earlier)
        stale.role = Role.OWNER
        stale.save(update_fields=["role"])
        stored = Membership.objects.get(pk=member.pk)

    assert (stored.role, stored.created_at) == (Role.OWNER, earlier)
