"""Tracking objects for tests; each inherits its tenant from the membership or device given."""

from __future__ import annotations

import itertools

from logitrack.core.tenant import tenant_context
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for
from logitrack.tracking.services.devices import CreatedDevice, device_create

_serial = itertools.count(1)


def make_manager() -> Membership:
    return make_member(make_tenant(), Role.DISPATCHER)


def make_device(
    membership: Membership,
    *,
    kind: str = "phone",
    identifier: str | None = None,
    require_token: bool = False,
    allowed_networks: list[str] | None = None,
) -> CreatedDevice:
    with tenant_context(membership.tenant):
        return device_create(
            principal=principal_for(membership),
            kind=kind,
            identifier=identifier or f"86{next(_serial):013d}",
            name="Xe tải 51C-123.45",
            require_token=require_token,
            allowed_networks=allowed_networks,
        )
