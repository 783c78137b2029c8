"""Reading the audit chain."""

from __future__ import annotations

from django.db.models import QuerySet

from logitrack.accounts.models import User
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Permission, has_permission
from logitrack.tenancy.selectors import memberships_of_user


def audit_entries_for_tenant(*, actor_user: User, tenant_id: int) -> QuerySet[AuditEntry]:
    """One tenant's audit entries, newest first; empty when ``actor_user`` may not read them.

    Readers: Logitrack's security officer (any tenant), and members of an active tenant whose
    account level holds ``audit.view`` in that tenant. Anyone else gets an empty queryset, never
    an unfiltered one (fail closed). Platform events without a tenant are never included.
    """
    if not _may_read_tenant_audit(actor_user, tenant_id):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(tenant_id=tenant_id).order_by("-sequence")


def _may_read_tenant_audit(user: User, tenant_id: int) -> bool:
    if not user.is_active or isinstance(tenant_id, bool) or not isinstance(tenant_id, int):
        return False
    if user.platform_role == User.PlatformRole.SECURITY_OFFICER:
        return True
    membership = memberships_of_user(user=user).filter(tenant_id=tenant_id).first()
    return membership is not None and has_permission(membership.role, Permission.AUDIT_VIEW)
