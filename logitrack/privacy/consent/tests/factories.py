"""Subjects of consent for the tests, each in the tenant it is made for."""

from __future__ import annotations

import itertools

from logitrack.core.tenant import tenant_context
from logitrack.privacy.consent.models import ConsigneeContact
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant
from logitrack.tracking.models import Driver

_serial = itertools.count(1)


def make_admin(tenant: Tenant | None = None) -> Membership:
    return make_member(tenant or make_tenant(), Role.ADMIN)


def make_consignee(tenant: Tenant, *, email: str = "", phone: str = "") -> ConsigneeContact:
    n = next(_serial)
    with tenant_context(tenant):
        contact = ConsigneeContact(
            tenant=tenant, email=email or f"nguoinhan{n}@example.vn", phone=phone
        )
        contact.save()
    return contact


def make_driver(tenant: Tenant, *, phone: str = "") -> Driver:
    with tenant_context(tenant):
        driver = Driver(tenant=tenant, full_name=f"Lê Văn Tài {next(_serial)}", phone=phone)
        driver.save()
    return driver
