"""Read-only queries about tenants and memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from logitrack.tenancy.models import Membership, Tenant

if TYPE_CHECKING:
    from logitrack.accounts.models import User


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    """A person's memberships across tenants (for switching), active tenants only.

    Reads across tenants on purpose: the person is the scope here, not a tenant.
    """
    return (
        Membership.dangerously_unscoped.filter(user=user, tenant__status=Tenant.Status.ACTIVE)
        .select_related("tenant")
        .order_by("tenant__name", "tenant_id")
    )


def membership_for_session(*, user: User, tenant_id: object) -> Membership | None:
    """The membership a signed-in person acts through: the chosen tenant, else their first."""
    memberships = memberships_of_user(user=user)
    if isinstance(tenant_id, int):
        chosen = memberships.filter(tenant_id=tenant_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()
