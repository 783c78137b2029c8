"""Demo devices: one of each kind per demo tenant, a day of positions, tokens in demo.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from logitrack.tracking.models import Device, DeviceAssignment, DeviceLatest, Geofence, Position
from logitrack.tracking.tokens import device_token_matches

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    with override_settings(DATA_DIR=tmp_path):
        yield tmp_path


def test_demo_lists_one_device_of_each_kind_per_tenant_with_a_working_token(
    data_dir: Path,
) -> None:
    call_command("demo", "--first-run")

    demo = json.loads((data_dir / "demo.json").read_text())
    for entry in demo["tenants"]:
        kinds = sorted(d["kind"] for d in entry["devices"])
        assert kinds == ["camera", "gps_tracker", "phone", "rfid_reader"]
        for listed in entry["devices"]:
            device = Device.dangerously_unscoped.get(identifier=listed["identifier"])
            assert device.tenant.slug == entry["slug"]
            assert device_token_matches(listed["token"], device.token_hash)
    assert Position.dangerously_unscoped.count() == 2 * 2 * 1440
    assert DeviceLatest.dangerously_unscoped.count() == 4
    hubs = Geofence.dangerously_unscoped.filter(site_kind="hub", shape="circle", radius_m=400)
    assert hubs.count() == 2  # one per company, around its hub
    carriers = DeviceAssignment.dangerously_unscoped.filter(
        ended_at__isnull=True, target__in=["vehicle", "driver"]
    )
    assert sorted(carriers.values_list("device__kind", "target")) == [
        ("gps_tracker", "vehicle"),
        ("gps_tracker", "vehicle"),
        ("phone", "driver"),
        ("phone", "driver"),
    ]


def test_demo_pallet_passes_the_in_door_once_and_the_camera_sees_it(data_dir: Path) -> None:
    from logitrack.core.tenant import tenant_context
    from logitrack.logistics.models import Shipment, ShipmentEvent
    from logitrack.tenancy.models import Tenant
    from logitrack.tracking.models import CameraEvent, DockDoor, TagObservation

    call_command("demo", "--first-run")

    for tenant in Tenant.objects.filter(slug__in=[e["slug"] for e in _tenants(data_dir)]):
        with tenant_context(tenant):
            observation = TagObservation.objects.get()
            moved = ShipmentEvent.objects.get(source="rfid")
            snapshot = CameraEvent.objects.get()
            doors = sorted(DockDoor.objects.values_list("antenna", "direction"))
            pallet = Shipment.objects.get(pk=moved.shipment_id)
        assert doors == [(1, "in"), (2, "out")]
        assert observation.read_count == 60  # 20 events of 3 reads, one observation
        assert observation.shipment_id == pallet.pk
        assert (moved.status, moved.applied) == ("at_hub", True)
        assert pallet.status == "at_hub"
        assert snapshot.shipment_id == pallet.pk
        assert snapshot.dock_door is not None
        assert snapshot.dock_door.direction == "in"


def _tenants(data_dir: Path) -> list[dict[str, object]]:
    tenants: list[dict[str, object]] = json.loads((data_dir / "demo.json").read_text())["tenants"]
    return tenants
