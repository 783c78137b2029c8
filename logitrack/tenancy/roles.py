"""Account levels and the permission matrix, defined once, as data.

Every page and API route declares the permission it needs (``logitrack.tenancy.access``); the
matrix below says which account level holds which permission. docs/permissions.md and the admins'
permissions page are generated from it, so they cannot drift.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    WAREHOUSE_OPERATOR = "warehouse_operator", _("Warehouse operator")
    DRIVER = "driver", _("Driver")
    ACCOUNTANT = "accountant", _("Accountant")
    VIEWER = "viewer", _("Viewer")


class Permission(models.TextChoices):
    TENANT_VIEW = "tenant.view", _("See the company profile")
    TENANT_MANAGE = "tenant.manage", _("Edit the company profile")
    TENANT_CLOSE = "tenant.close", _("Export the company's data or close the company")
    MEMBERS_VIEW = "members.view", _("See the members")
    MEMBERS_MANAGE = "members.manage", _("Invite members, change roles, remove members")
    OWNERS_MANAGE = "owners.manage", _("Grant or take away the owner level")
    API_KEYS_MANAGE = "api_keys.manage", _("Create and revoke API keys")
    API_KEYS_CONFIRM = (
        "api_keys.confirm",
        _("Confirm API keys whose creator was removed or lost their permissions"),
    )
    AUDIT_VIEW = "audit.view", _("Read the company's audit trail")
    PERMISSIONS_VIEW = "permissions.view", _("See the permission matrix")
    OPERATIONS_VIEW = "operations.view", _("See orders, shipments and the live map")
    OPERATIONS_MANAGE = "operations.manage", _("Create and dispatch orders and shipments")
    WAREHOUSE_MANAGE = "warehouse.manage", _("Receive, move and dispatch stock")
    DRIVER_TASKS = "driver.tasks", _("See and update one's own delivery tasks")
    PAYMENTS_VIEW = "payments.view", _("See payments and invoices")
    PAYMENTS_MANAGE = "payments.manage", _("Record payments and issue invoices")
    CONSENTS_VIEW = "consents.view", _("See the consents of consignees and drivers")
    ALERTS_RECEIVE = (
        "alerts.receive",
        _("Receive alerts about devices and geofences (enter, exit, offline, overspeed)"),
    )
    CONSENTS_MANAGE = (
        "consents.manage",
        _("Record consents, declare purposes and send newsletters to consignees and drivers"),
    )


P = Permission
_ALL = frozenset(Permission)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: _ALL,
    Role.ADMIN: _ALL - {P.OWNERS_MANAGE, P.TENANT_CLOSE, P.API_KEYS_CONFIRM},
    Role.DISPATCHER: frozenset(
        {P.TENANT_VIEW, P.MEMBERS_VIEW, P.OPERATIONS_VIEW, P.OPERATIONS_MANAGE, P.ALERTS_RECEIVE}
    ),
    Role.WAREHOUSE_OPERATOR: frozenset(
        {P.TENANT_VIEW, P.OPERATIONS_VIEW, P.WAREHOUSE_MANAGE, P.ALERTS_RECEIVE}
    ),
    Role.DRIVER: frozenset({P.TENANT_VIEW, P.DRIVER_TASKS}),
    Role.ACCOUNTANT: frozenset(
        {P.TENANT_VIEW, P.MEMBERS_VIEW, P.PAYMENTS_VIEW, P.PAYMENTS_MANAGE, P.OPERATIONS_VIEW}
    ),
    Role.VIEWER: frozenset({P.TENANT_VIEW, P.OPERATIONS_VIEW, P.PAYMENTS_VIEW}),
}


def permissions_of(role: str) -> frozenset[Permission]:
    """The permissions of ``role``; an unknown role has none (fail closed)."""
    try:
        return ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return frozenset()


def has_permission(role: str, permission: Permission) -> bool:
    return permission in permissions_of(role)


def matrix_rows() -> list[tuple[Permission, list[bool]]]:
    """The matrix as rows of (permission, [held by each role in Role order])."""
    return [(perm, [perm in ROLE_PERMISSIONS[role] for role in Role]) for perm in Permission]


# What an API key may never hold, whoever creates it: a key must not mint, confirm or revoke keys,
# change who owns the company, or close it. Those stay with people, whose sessions have MFA and
# audit trails. Alerts are addressed to a member (notifications check the membership), so a key
# holding ``alerts.receive`` receives nothing; it may hold it so that it can give members roles
# that include it.
API_KEY_FORBIDDEN: frozenset[Permission] = frozenset(
    {P.API_KEYS_MANAGE, P.API_KEYS_CONFIRM, P.OWNERS_MANAGE, P.TENANT_CLOSE}
)
API_KEY_PERMISSIONS: frozenset[Permission] = _ALL - API_KEY_FORBIDDEN


def permissions_from_values(values: object) -> frozenset[Permission]:
    """Stored permission values back to permissions; unknown values are dropped (fail closed)."""
    if not isinstance(values, list | tuple | set | frozenset):
        return frozenset()
    known = {perm.value: perm for perm in Permission}
    return frozenset(known[value] for value in values if isinstance(value, str) and value in known)
