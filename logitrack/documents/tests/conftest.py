from __future__ import annotations

from collections.abc import Iterator

import pytest

from logitrack.core.tenant import tenant_context
from logitrack.logistics.models import Shipment
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for


@pytest.fixture
def tenant(db: None) -> Tenant:
    return make_tenant()


@pytest.fixture
def dispatcher(tenant: Tenant) -> Membership:
    return make_member(tenant, Role.DISPATCHER)


@pytest.fixture
def actor(dispatcher: Membership) -> Iterator[Principal]:
    with tenant_context(dispatcher.tenant):
        yield principal_for(dispatcher)


@pytest.fixture
def shipment(tenant: Tenant) -> Shipment:
    from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper

    return make_shipment_row(make_order_row(make_shipper(tenant)))
