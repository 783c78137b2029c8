"""Isolation contracts of the tenancy routes, for tests/isolation (see contract.py there).

Registered by importing this module from ``tests/isolation/contracts.py``. Object routes take an
integer id; ``make`` creates the object in tenant "a" or "b" of the contract's world, so that
another tenant's object must answer 404 and stay unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from logitrack.tenancy.roles import Permission
from tests.isolation.contract import MISSING_ID, Contract, contract
from tests.isolation.world import World

P = Permission
_serial = itertools.count(1)


def _owner_principal(world: World, side: str) -> Any:
    from logitrack.tenancy.principal import Principal
    from logitrack.tenancy.roles import Role

    membership = world.side(side).memberships[Role.OWNER]
    return Principal.for_membership(membership.user, membership)


def _make_member(world: World, side: str) -> int:
    from logitrack.accounts.models import User
    from logitrack.core.tenant import tenant_context
    from logitrack.tenancy.models import Membership

    person = User.objects.create_user(
        email=f"contract.member{next(_serial)}.{side}@example.vn", password=None, full_name="Thử"
    )
    with tenant_context(world.side(side).tenant):
        return int(Membership.objects.create(user=person, role="viewer").pk)


def _member_state(pk: int) -> Any:
    from logitrack.tenancy.models import Membership

    return list(Membership.dangerously_unscoped.filter(pk=pk).values_list("role", flat=True))


def _make_invitation(world: World, side: str) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.tenancy.services import membership_invite

    with tenant_context(world.side(side).tenant):
        created = membership_invite(
            principal=_owner_principal(world, side),
            email=f"contract.invitee{next(_serial)}@example.vn",
            role="viewer",
        )
    return int(created.invitation.pk)


def _invitation_state(pk: int) -> Any:
    from logitrack.tenancy.models import Invitation

    return list(Invitation.dangerously_unscoped.filter(pk=pk).values_list("revoked_at", "email"))


def _make_api_key(world: World, side: str) -> int:
    from django.utils import timezone

    from logitrack.core.tenant import tenant_context
    from logitrack.tenancy.api_keys import api_key_create

    with tenant_context(world.side(side).tenant):
        created = api_key_create(
            principal=_owner_principal(world, side),
            name="Contract key",
            permissions={P.TENANT_VIEW},
            expires_at=timezone.now() + timedelta(days=30),
        )
    return int(created.api_key.pk)


def _api_key_state(pk: int) -> Any:
    from logitrack.tenancy.models import ApiKey

    return list(
        ApiKey.dangerously_unscoped.filter(pk=pk).values_list(
            "revoked_at", "name", "suspended_at", "confirmed_by"
        )
    )


def _make_suspended_key(world: World, side: str) -> int:
    """A key waiting for review: its creator was removed (set directly, as the service would)."""
    from django.utils import timezone

    from logitrack.tenancy.models import ApiKey

    pk = _make_api_key(world, side)
    ApiKey.dangerously_unscoped.filter(pk=pk).update(
        suspended_at=timezone.now(), suspension_reason="creator_removed"
    )
    return pk


def _fixed(path: str) -> Callable[[int | None], str]:
    return lambda pk: path


def _object(pattern: str) -> Callable[[int | None], str]:
    return lambda pk: pattern.format(pk if pk is not None else MISSING_ID)


def _invite_body(world: World, pk: int | None) -> dict[str, Any]:
    return {"email": f"contract.new{next(_serial)}@example.vn", "role": "viewer"}


def _company_form(world: World, pk: int | None) -> dict[str, Any]:
    return {
        "name": "Công ty Hợp Đồng",
        "industry": "transport",
        "street_address": "1 Lê Lợi",
        "province_code": "79",
        "ward_code": "26506",
        "data_region": "vietnam",
    }


def _switch_body(world: World, pk: int | None) -> dict[str, Any]:
    return {"tenant_id": world.a.tenant.pk}


def _key_form(world: World, pk: int | None) -> dict[str, Any]:
    return {"name": "Contract key", "permissions": ["tenant.view"], "lifetime_days": "30"}


def _key_json(world: World, pk: int | None) -> dict[str, Any]:
    from django.utils import timezone

    expires = (timezone.now() + timedelta(days=30)).isoformat()
    return {"name": "Contract key", "permissions": ["tenant.view"], "expires_at": expires}


def _role_body(world: World, pk: int | None) -> dict[str, Any]:
    return {"role": "dispatcher"}


OK_REDIRECT = 302
member: dict[str, Any] = {"make": _make_member, "snapshot": _member_state}
invitation: dict[str, Any] = {"make": _make_invitation, "snapshot": _invitation_state}
api_key: dict[str, Any] = {"make": _make_api_key, "snapshot": _api_key_state}
suspended_key: dict[str, Any] = {"make": _make_suspended_key, "snapshot": _api_key_state}

# --- pages -------------------------------------------------------------------------------------
_switch_extras: tuple[tuple[str, dict[str, Any]], ...] = (
    ("GET", {}),
    ("POST", {"body": _switch_body, "ok": OK_REDIRECT}),
)
for method, extra in _switch_extras:
    contract(Contract("tenancy:switch", method, None, _fixed("/company/switch/"), **extra))
contract(Contract("tenancy:company", "GET", P.TENANT_VIEW, _fixed("/company/")))
contract(Contract("tenancy:company-edit", "GET", P.TENANT_MANAGE, _fixed("/company/edit/")))
contract(
    Contract(
        "tenancy:company-edit",
        "POST",
        P.TENANT_MANAGE,
        _fixed("/company/edit/"),
        body=_company_form,
        ok=OK_REDIRECT,
    )
)
contract(Contract("tenancy:members", "GET", P.MEMBERS_VIEW, _fixed("/company/members/")))
contract(
    Contract("tenancy:member-invite", "GET", P.MEMBERS_MANAGE, _fixed("/company/members/invite/"))
)
contract(
    Contract(
        "tenancy:member-invite",
        "POST",
        P.MEMBERS_MANAGE,
        _fixed("/company/members/invite/"),
        body=_invite_body,
        ok=OK_REDIRECT,
    )
)
for route, pattern in (
    ("tenancy:member-role", "/company/members/{}/role/"),
    ("tenancy:member-remove", "/company/members/{}/remove/"),
):
    contract(Contract(route, "GET", P.MEMBERS_MANAGE, _object(pattern), **member))
    contract(
        Contract(
            route,
            "POST",
            P.MEMBERS_MANAGE,
            _object(pattern),
            body=_role_body,
            ok=OK_REDIRECT,
            **member,
        )
    )
contract(
    Contract(
        "tenancy:invitation-revoke",
        "POST",
        P.MEMBERS_MANAGE,
        _object("/company/invitations/{}/revoke/"),
        ok=OK_REDIRECT,
        **invitation,
    )
)
contract(Contract("tenancy:api-keys", "GET", P.API_KEYS_MANAGE, _fixed("/company/api-keys/")))
contract(
    Contract(
        "tenancy:api-key-create",
        "POST",
        P.API_KEYS_MANAGE,
        _fixed("/company/api-keys/new/"),
        body=_key_form,
        ok=201,
    )
)
contract(
    Contract(
        "tenancy:api-key-revoke",
        "GET",
        P.API_KEYS_MANAGE,
        _object("/company/api-keys/{}/revoke/"),
        **api_key,
    )
)
contract(
    Contract(
        "tenancy:api-key-revoke",
        "POST",
        P.API_KEYS_MANAGE,
        _object("/company/api-keys/{}/revoke/"),
        ok=OK_REDIRECT,
        **api_key,
    )
)
contract(
    Contract(
        "tenancy:api-key-confirm",
        "POST",
        P.API_KEYS_CONFIRM,
        _object("/company/api-keys/{}/confirm/"),
        ok=OK_REDIRECT,
        **suspended_key,
    )
)
contract(
    Contract("tenancy:permissions", "GET", P.PERMISSIONS_VIEW, _fixed("/company/permissions/"))
)

# --- API ---------------------------------------------------------------------------------------
_v1 = "/api/v1"
contract(Contract("api-1:tenants_mine", "GET", None, _fixed(f"{_v1}/tenants/mine")))
contract(
    Contract(
        "api-1:tenants_current",
        "POST",
        None,
        _fixed(f"{_v1}/tenants/current"),
        body=_switch_body,
        json=True,
    )
)
contract(Contract("api-1:tenant_get", "GET", P.TENANT_VIEW, _fixed(f"{_v1}/tenant")))
contract(
    Contract(
        "api-1:tenant_update",
        "PATCH",
        P.TENANT_MANAGE,
        _fixed(f"{_v1}/tenant"),
        body=lambda world, pk: {"name": "Công ty Hợp Đồng"},
        json=True,
    )
)
contract(Contract("api-1:members_list", "GET", P.MEMBERS_VIEW, _fixed(f"{_v1}/members")))
contract(
    Contract("api-1:member_get", "GET", P.MEMBERS_VIEW, _object(f"{_v1}/members/{{}}"), **member)
)
contract(
    Contract(
        "api-1:member_update",
        "PATCH",
        P.MEMBERS_MANAGE,
        _object(f"{_v1}/members/{{}}"),
        body=_role_body,
        json=True,
        **member,
    )
)
contract(
    Contract(
        "api-1:member_delete",
        "DELETE",
        P.MEMBERS_MANAGE,
        _object(f"{_v1}/members/{{}}"),
        ok=204,
        **member,
    )
)
contract(Contract("api-1:invitations_list", "GET", P.MEMBERS_MANAGE, _fixed(f"{_v1}/invitations")))
contract(
    Contract(
        "api-1:invitation_create",
        "POST",
        P.MEMBERS_MANAGE,
        _fixed(f"{_v1}/invitations"),
        body=_invite_body,
        json=True,
        ok=201,
    )
)
contract(
    Contract(
        "api-1:invitation_revoke",
        "DELETE",
        P.MEMBERS_MANAGE,
        _object(f"{_v1}/invitations/{{}}"),
        ok=204,
        **invitation,
    )
)
contract(Contract("api-1:api_keys_list", "GET", P.API_KEYS_MANAGE, _fixed(f"{_v1}/api-keys")))
contract(
    Contract(
        "api-1:api_key_create",
        "POST",
        P.API_KEYS_MANAGE,
        _fixed(f"{_v1}/api-keys"),
        body=_key_json,
        json=True,
        ok=201,
    )
)
contract(
    Contract(
        "api-1:api_key_get", "GET", P.API_KEYS_MANAGE, _object(f"{_v1}/api-keys/{{}}"), **api_key
    )
)
contract(
    Contract(
        "api-1:api_key_revoke",
        "DELETE",
        P.API_KEYS_MANAGE,
        _object(f"{_v1}/api-keys/{{}}"),
        **api_key,
    )
)
contract(
    Contract("api-1:api_keys_review", "GET", P.API_KEYS_MANAGE, _fixed(f"{_v1}/api-keys/review"))
)
contract(
    Contract(
        "api-1:api_key_confirm",
        "POST",
        P.API_KEYS_CONFIRM,
        _object(f"{_v1}/api-keys/{{}}/confirm"),
        json=True,
        **suspended_key,
    )
)
contract(
    Contract("api-1:permissions_matrix", "GET", P.PERMISSIONS_VIEW, _fixed(f"{_v1}/permissions"))
)
