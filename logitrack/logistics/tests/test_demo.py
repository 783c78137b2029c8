"""The demo's orders and shipments: every status with a timeline, waybills and an API key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import override_settings

from logitrack.core.demo import DemoRefused
from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.logistics.demo import demo_api_key
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.logistics.numbers import waybill_is_well_formed
from logitrack.logistics.status import ShipmentStatus
from logitrack.logistics.tests.factories import operations_principal
from logitrack.tenancy.models import ApiKey, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[dict[str, object]]:
    with override_settings(DATA_DIR=tmp_path):
        call_command("demo")
        yield json.loads((tmp_path / "demo.json").read_text())


def test_every_demo_tenant_has_shipments_in_every_status_with_timelines(
    demo: dict[str, list[dict[str, object]]],
) -> None:
    for entry in demo["tenants"]:
        tenant = Tenant.objects.get(slug=entry["slug"])
        with tenant_context(tenant):
            statuses = set(Shipment.objects.values_list("status", flat=True))
            delivered = Shipment.objects.filter(status="delivered").first()
            assert delivered is not None
            timeline = list(
                ShipmentEvent.objects.filter(shipment=delivered)
                .order_by("occurred_at")
                .values_list("status", flat=True)
            )
            pallets = Shipment.objects.filter(sscc__isnull=False).count()
        assert statuses == {s.value for s in ShipmentStatus}
        assert timeline[0] == "created"
        assert timeline[-1] == "delivered"
        assert pallets == 2


def test_the_demo_file_lists_each_tenants_waybills_and_a_working_api_key(
    demo: dict[str, list[dict[str, object]]],
) -> None:
    first, second = demo["tenants"]
    waybills = first["waybills"]
    assert isinstance(waybills, list)
    assert len(waybills) >= 22
    assert all(waybill_is_well_formed(w) for w in waybills)
    tenant = Tenant.objects.get(slug=first["slug"])
    assert Shipment.dangerously_unscoped.filter(tenant=tenant, waybill__in=waybills).count() == (
        len(waybills)
    )
    client = HttpsClient(headers={"Authorization": f"Bearer {first['api_key']}"})

    own = client.get(f"/api/v1/shipments/{waybills[0]}")
    foreign = client.get(f"/api/v1/shipments/{second['waybills'][0]}")  # type: ignore[index]

    assert own.status_code == 200
    assert foreign.status_code == 404
    assert first["api_key"] != second["api_key"]


@override_settings(LOGITRACK_DEMO_ALLOWED=False)
def test_a_demo_api_key_is_refused_under_the_production_settings() -> None:
    tenant = make_tenant()
    owner = operations_principal(tenant, Role.OWNER)

    with tenant_context(tenant), pytest.raises(DemoRefused):
        demo_api_key(owner)

    assert ApiKey.dangerously_unscoped.filter(tenant=tenant).count() == 0


def test_a_usable_demo_key_fails_the_production_check() -> None:
    tenant = make_tenant()
    with tenant_context(tenant):
        demo_api_key(operations_principal(tenant, Role.OWNER))

    with override_settings(LOGITRACK_DEMO_ALLOWED=False):
        production = {
            m.id for m in run_checks(databases=["default"], include_deployment_checks=False)
        }
    development = {m.id for m in run_checks(databases=["default"])}

    assert "logistics.E001" in production
    assert "logistics.E001" not in development
