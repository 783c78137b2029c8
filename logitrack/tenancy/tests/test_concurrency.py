"""Two owners demoting each other at the same moment cannot leave the company ownerless.

Only PostgreSQL has row locks to prove this with; SQLite serialises writers by its IMMEDIATE
transactions, so the race cannot happen there.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from logitrack.core.tenant import tenant_context
from logitrack.tenancy import services
from logitrack.tenancy.errors import LastOwner
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_concurrent_demotions_of_the_last_two_owners_leave_one_owner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tenant = make_tenant()
    first = make_member(tenant, Role.OWNER)
    second = make_member(tenant, Role.OWNER)
    locked = threading.Event()
    real_lock = services._lock_owners_and

    def slow_lock(membership: Membership) -> Any:
        result = real_lock(membership)
        if threading.current_thread().name == "first":
            locked.set()
            time.sleep(0.5)  # hold the owner locks while the other demotion starts
        return result

    monkeypatch.setattr(services, "_lock_owners_and", slow_lock)
    outcomes: dict[str, str] = {}

    def demote(name: str, actor: Membership, target: Membership) -> None:
        try:
            if name == "second":
                locked.wait(5)
            with tenant_context(tenant):
                services.membership_change_role(
                    principal=principal_for(actor), membership=target, role=Role.ADMIN
                )
            outcomes[name] = "demoted"
        except LastOwner:
            outcomes[name] = "last_owner"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=demote, name="first", args=("first", first, second)),
        threading.Thread(target=demote, name="second", args=("second", second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert outcomes == {"first": "demoted", "second": "last_owner"}
    with tenant_context(tenant):
        assert list(Membership.objects.filter(role=Role.OWNER).values_list("pk", flat=True)) == [
            first.pk
        ]
