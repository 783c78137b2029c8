"""Migration 0002 rewrites tax codes stored before it in their canonical ASCII spelling."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from logitrack.core.tests.test_text import fullwidth
from logitrack.tenancy.tests.factories import PROVINCE_HCMC, WARD_IN_HCMC

BEFORE = [("tenancy", "0001_initial")]
AFTER = [("tenancy", "0002_tenant_kind_and_canonical_tax_code")]


@pytest.mark.django_db(transaction=True)
def test_tax_codes_stored_before_the_migration_get_their_canonical_form_and_kind() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("tenancy", "Tenant")
    for n, code in enumerate([fullwidth("0100109106"), "0100109106001", "0100109106-002"]):
        old.objects.create(
            name=f"Công ty {n}",
            slug=f"cong-ty-{n}",
            tax_code=code,
            street_address="",
            ward_code=WARD_IN_HCMC,
            province_code=PROVINCE_HCMC,
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    new = executor.loader.project_state(AFTER).apps.get_model("tenancy", "Tenant")
    assert sorted(new.objects.values_list("tax_code", "kind")) == [
        ("0100109106", "enterprise"),
        ("0100109106-001", "branch"),
        ("0100109106-002", "branch"),
    ]
    # Going back to tenancy 0001 also unapplied every app that depends on a later tenancy
    # migration (tracking); leave the schema complete for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)
