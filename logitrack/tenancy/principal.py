"""Who is making the request, in which tenant, with which permissions.

The authentication layer builds one ``Principal`` per request (``request.principal``) from the
signed-in membership or from an API key; access checks read nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from logitrack.tenancy.roles import Permission, permissions_of

if TYPE_CHECKING:
    from logitrack.accounts.models import User
    from logitrack.tenancy.models import Membership, Tenant


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    tenant: Tenant | None = None
    membership: Membership | None = None
    api_key_id: int | None = None
    permissions: frozenset[Permission] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None or self.api_key_id is not None

    @property
    def tenant_id(self) -> int | None:
        return self.tenant.pk if self.tenant is not None else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership is not None else None

    def has(self, permission: Permission) -> bool:
        return self.tenant is not None and permission in self.permissions

    @classmethod
    def anonymous(cls) -> Principal:
        return cls()

    @classmethod
    def for_membership(cls, user: User, membership: Membership) -> Principal:
        tenant = membership.tenant
        allowed = permissions_of(membership.role) if tenant.is_active else frozenset()
        return cls(user=user, tenant=tenant, membership=membership, permissions=allowed)

    @classmethod
    def for_user_without_tenant(cls, user: User) -> Principal:
        return cls(user=user)

    @classmethod
    def for_api_key(
        cls, *, api_key_id: int, tenant: Tenant, permissions: frozenset[Permission]
    ) -> Principal:
        allowed = permissions if tenant.is_active else frozenset()
        return cls(tenant=tenant, api_key_id=api_key_id, permissions=allowed)
