"""Migration 0006: the single-column tenant indexes of orders, items, shipments and events and the
consignee phone's own index go (their place taken by indexes led by the tenant, among them
``logistics_order_phone``); migrating back makes them again, PostgreSQL's LIKE twin included."""

from __future__ import annotations

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
