"""Read-only queries about tenants, memberships, invitations and API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from logitrack.core.collation import sorted_vietnamese
from logitrack.tenancy.models import ApiKey, Invitation, Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

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


# The selectors below read the principal's own tenant, and return nothing (never everything) when
# the principal lacks the permission to see it: the NetBox habit of failing closed.


def _scoped(principal: Principal, permission: Permission) -> bool:
    return principal.tenant is not None and principal.has(permission)


def members_of_tenant(*, principal: Principal) -> list[Membership]:
    """The members of the principal's company, in Vietnamese name order (core/collation.py):
    the database's own collation differs between SQLite and PostgreSQL and knows no Vietnamese."""
    if not _scoped(principal, Permission.MEMBERS_VIEW):
        return []
    members = (
        Membership.objects.filter(tenant_id=principal.tenant_id)
        .select_related("user")
        .order_by("pk")
    )
    return sorted_vietnamese(members, key=lambda membership: membership.user.full_name)


def companies_of_user(*, user: User) -> list[Membership]:
    """``memberships_of_user`` for display: in Vietnamese order of the company names."""
    return sorted_vietnamese(memberships_of_user(user=user), key=lambda m: m.tenant.name)


def invitations_pending(*, principal: Principal) -> QuerySet[Invitation]:
    """Invitations of the principal's company that can still be accepted, newest first."""
    if not _scoped(principal, Permission.MEMBERS_MANAGE):
        return Invitation.dangerously_unscoped.none()
    return Invitation.objects.filter(
        tenant_id=principal.tenant_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at", "-pk")


def api_keys_of_tenant(*, principal: Principal) -> QuerySet[ApiKey]:
    """Every API key of the principal's company, revoked and expired ones too, newest first."""
    if not _scoped(principal, Permission.API_KEYS_MANAGE):
        return ApiKey.dangerously_unscoped.none()
    return (
        ApiKey.objects.filter(tenant_id=principal.tenant_id)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def invitation_has_account(*, invitation: Invitation) -> bool:
    """Whether the invited address already has an account (then only its owner may accept)."""
    from logitrack.accounts.models import User

    return User.objects.filter(email=invitation.email).exists()


def api_keys_awaiting_review(*, principal: Principal) -> QuerySet[ApiKey]:
    """Suspended, unrevoked keys of the principal's company (their creator was removed or lost
    the permissions), oldest suspension first: the list an owner confirms or revokes from."""
    if not _scoped(principal, Permission.API_KEYS_MANAGE):
        return ApiKey.dangerously_unscoped.none()
    return (
        ApiKey.objects.filter(
            tenant_id=principal.tenant_id, suspended_at__isnull=False, revoked_at__isnull=True
        )
        .select_related("created_by")
        .order_by("suspended_at", "pk")
    )


def removal_preview(*, principal: Principal, membership: Membership) -> tuple[int, list[ApiKey]]:
    """What removing ``membership`` would take with it, for the confirmation: the number of
    pending invitations the member sent (to be withdrawn) and the usable API keys answering for
    them (to be suspended for review). Empty without ``members.manage``."""
    from logitrack.tenancy.api_keys import keys_answering_for

    if not _scoped(principal, Permission.MEMBERS_MANAGE):
        return 0, []
    invitations = Invitation.objects.filter(
        tenant_id=principal.tenant_id,
        invited_by_id=membership.user_id,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).count()
    return invitations, list(keys_answering_for(membership.user_id, timezone.now()))
