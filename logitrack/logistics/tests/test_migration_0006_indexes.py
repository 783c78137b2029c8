"""Migration 0006: the single-column tenant indexes of orders, items, shipments and events and the
consignee phone's own index go (their place taken by indexes led by the tenant, among them
``logistics_order_phone``); migrating back makes them again, PostgreSQL's LIKE twin included."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("logistics", "0005_shipment_range_index")]
TABLES = ["logistics_order", "logistics_orderitem", "logistics_shipment", "logistics_shipmentevent"]
# The single-column indexes 0005 has and 0006 drops, per table.
SINGLE = {
    "logistics_order": {"tenant_id", "consignee_phone_index"},
    "logistics_orderitem": {"tenant_id"},
    "logistics_shipment": {"tenant_id"},
    "logistics_shipmentevent": {"tenant_id"},
}


def _indexes(table: str) -> dict[str, tuple[str, ...]]:
    """The plain (not unique, not primary key) indexes of ``table``: name -> columns."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: tuple(info["columns"])
        for name, info in found.items()
        if info["index"] and not info["unique"] and not info["primary_key"]
    }


def _single(table: str) -> dict[str, str]:
    """The single-column indexes of ``table`` on a column 0006 is about: name -> column."""
    return {
        name: columns[0]
        for name, columns in _indexes(table).items()
        if len(columns) == 1 and columns[0] in SINGLE[table]
    }


def _assert_after_0006() -> None:
    for table in TABLES:
        assert _single(table) == {}, table
    assert _indexes("logistics_order")["logistics_order_phone"] == (
        "tenant_id",
        "consignee_phone_index",
    )


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_migration_0006_drops_the_single_column_indexes_and_back_makes_them_again() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    _assert_after_0006()
    try:
        _migrate(BEFORE)

        for table in TABLES:
            assert set(_single(table).values()) == SINGLE[table], table
        assert "logistics_order_phone" not in _indexes("logistics_order")
        phone = [n for n, c in _single("logistics_order").items() if c == "consignee_phone_index"]
        if connection.vendor == "postgresql":
            # Django's varchar_pattern_ops twin of an indexed CharField, made again too.
            assert len(phone) == 2
            assert sum(name.endswith("_like") for name in phone) == 1
        else:
            assert len(phone) == 1

        _migrate(latest)
        _assert_after_0006()
    finally:
        _migrate(latest)  # the schema complete again for the tests that follow


def _phone_search(principal: Any, phone: str) -> tuple[list[int], list[int]]:
    """The orders and the shipments the lists find for ``phone`` (their ids)."""
    from logitrack.logistics.selectors import (
        OrderFilters,
        ShipmentFilters,
        orders_list,
        shipments_list,
    )

    orders = orders_list(principal=principal, filters=OrderFilters(q=phone))
    shipments = shipments_list(principal=principal, filters=ShipmentFilters(q=phone))
    return sorted(o.pk for o in orders), sorted(s.pk for s in shipments)


@pytest.mark.django_db(transaction=True)
def test_migration_0006_back_and_forth_with_orders_stored_keeps_them_and_the_phone_search() -> None:
    from logitrack.core.tenant import tenant_context
    from logitrack.logistics.models import Order, Shipment, ShipmentEvent
    from logitrack.logistics.tests.factories import (
        make_order_row,
        make_shipment_row,
        make_shipper,
        operations_principal,
    )
    from logitrack.tenancy.tests.factories import make_tenant

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    tenants = [make_tenant(), make_tenant()]
    principals = []
    for tenant in tenants:
        with tenant_context(tenant):
            shipper = make_shipper(tenant)
            for phone in ("+84912345678", "+84912345678", "+84987654321"):
                make_shipment_row(make_order_row(shipper, consignee_phone=phone))
            principals.append(operations_principal(tenant))
    found, events = [], []
    for tenant, principal in zip(tenants, principals, strict=True):
        with tenant_context(tenant):
            found.append(_phone_search(principal, "0912 345 678"))
            events.append(ShipmentEvent.objects.count())
    assert all(len(orders) == 2 and len(shipments) == 2 for orders, shipments in found)
    try:
        _migrate(BEFORE)
        assert "logistics_order_phone" not in _indexes("logistics_order")
        _migrate(latest)
        _assert_after_0006()
    finally:
        _migrate(latest)
    for tenant, principal, before, kept in zip(tenants, principals, found, events, strict=True):
        with tenant_context(tenant):
            assert (Order.objects.count(), Shipment.objects.count()) == (3, 3)
            assert _phone_search(principal, "0912 345 678") == before
            assert ShipmentEvent.objects.count() == kept


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="reads PostgreSQL's EXPLAIN; SQLite picks the index only with ANALYZE statistics, "
    "which Logitrack does not collect (closing note of issues 7 and 8)",
)
@pytest.mark.django_db
def test_the_phone_search_can_use_the_tenant_led_phone_index() -> None:
    from logitrack.core.tenant import tenant_context
    from logitrack.logistics.models import Order
    from logitrack.logistics.selectors import _order_search
    from logitrack.logistics.tests.factories import make_order_row, make_shipper
    from logitrack.tenancy.tests.factories import make_tenant

    tenant = make_tenant()
    with tenant_context(tenant):
        shipper = make_shipper(tenant)
        make_order_row(shipper, consignee_phone="+84912345678")
        rows = Order.objects.filter(tenant_id=tenant.pk).filter(_order_search("0912345678"))
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a table of one row otherwise
            plan = rows.only("pk").explain()
        assert "logistics_order_phone" in plan, plan
        assert len(rows) == 1
