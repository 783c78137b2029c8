"""Test data for the under-16 reports: a company with a reporter and a reported colleague."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.privacy.erasure.models import PersonErasure
from logitrack.security.tests.helpers import create_user
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant

_serial = itertools.count(1)


@dataclass
class Company:
    tenant: Tenant
    reporter: Membership
    child: Membership


def make_company(reporter_role: Role = Role.DISPATCHER) -> Company:
    tenant = make_tenant()
    n = next(_serial)
    reporter = make_member(tenant, reporter_role, email=f"reporter{n}@example.vn")
    child = make_member(tenant, Role.VIEWER, email=f"child{n}@example.vn")
    child.user.phone = "+84912000111"
    child.user.date_of_birth = date(2000, 1, 2)
    child.user.save()
    return Company(tenant, reporter, child)


def make_officer() -> User:
    return create_user(f"officer{next(_serial)}@logitrack.vn", platform_role="privacy_officer")


def erasure_of(user_id: int) -> PersonErasure:
    return PersonErasure.objects.get(user_id=user_id)


def make_due(erasure: PersonErasure) -> None:
    PersonErasure.objects.filter(pk=erasure.pk).update(erase_after=timezone.now())
