"""Test data for the breach register: officers, breaches and affected rows in two tenants."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.logistics.models import Order
from logitrack.logistics.tests.factories import make_order_row, make_shipper
from logitrack.privacy.breaches.models import Breach
from logitrack.privacy.breaches.services.breaches import BreachInput, breach_register
from logitrack.security.tests.helpers import create_user
from logitrack.tenancy.models import Tenant
from logitrack.tracking.models import Driver

_serial = itertools.count(1)


def make_officer(language: str = "en") -> User:
    user = create_user(f"privacy{next(_serial)}@logitrack.vn", platform_role="privacy_officer")
    user.language = language
    user.date_joined = timezone.now()
    user.save(update_fields=["language", "date_joined"])
    return user


def window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The affected range used by the tests: from 3 days ago to 1 day ago."""
    now = now or timezone.now()
    return now - timedelta(days=3), now - timedelta(days=1)


def make_breach(officer: User, **fields: Any) -> Breach:
    start, end = window()
    values: dict[str, Any] = {
        "discovered_at": timezone.now() - timedelta(hours=2),
        "occurred_from": start,
        "occurred_until": end,
        "nature": "Lộ bản sao lưu cơ sở dữ liệu",
        "description": "Một bản sao lưu bị để công khai trên máy chủ thử nghiệm.",
        "categories": ["user.contact.phone_number"],
        "affected_models": ["logistics.order", "tracking.driver"],
        "approx_subjects": 5,
        "approx_records": 10,
        "consequences": "Người nhận có thể bị gọi điện lừa đảo.",
        "measures": "Đã xoá bản sao lưu, đổi khoá.",
    }
    values.update(fields)
    return breach_register(actor=officer, data=BreachInput(**values))


def order_at(tenant: Tenant, at: datetime, **fields: Any) -> Order:
    order = make_order_row(make_shipper(tenant), **fields)
    Order.dangerously_unscoped.filter(pk=order.pk).update(created_at=at)
    return order


def driver_at(tenant: Tenant, at: datetime, name: str = "Lê Văn Tài") -> Driver:
    from logitrack.core.tenant import tenant_context

    with tenant_context(tenant):
        driver: Driver = Driver.objects.create(tenant=tenant, full_name=name, phone="+84903334444")
    Driver.dangerously_unscoped.filter(pk=driver.pk).update(created_at=at)
    return driver
