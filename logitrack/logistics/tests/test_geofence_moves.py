"""Shipments moved by geofence events and offered "delivered?" near their destination
(services.carriers, services.geofence_moves, services.arrivals; ADR 0057)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.logistics.errors import CarrierInvalid, CarrierNotChangeable, NotAllowed
from logitrack.logistics.models import GeofenceEventApplied, Shipment, ShipmentEvent
from logitrack.logistics.services.arrivals import shipments_offer_by_distance
from logitrack.logistics.services.carriers import shipment_assign_carrier
from logitrack.logistics.services.geofence_moves import (
    geofence_moves_apply,
    shipments_apply_geofence_events,
)
from logitrack.logistics.tasks import geofence_moves_run
from logitrack.logistics.tests.carriers import (
    CONSIGNEE,
    HUB,
    make_carried_shipment,
    make_event,
    make_geofence,
    make_world,
    place_device,
)
from logitrack.logistics.tests.factories import make_order, operations_principal
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_tenant
from logitrack.tracking.models import TenantDeviceSettings

pytestmark = pytest.mark.django_db


def _status(shipment: Shipment) -> str:
    return str(Shipment.dangerously_unscoped.get(pk=shipment.pk).status)


def _events(shipment: Shipment) -> list[ShipmentEvent]:
    return list(
        ShipmentEvent.dangerously_unscoped.filter(shipment=shipment, source="geofence").order_by(
            "pk"
        )
    )


# --- assigning a carrier ---------------------------------------------------------------------


def test_assigning_a_vehicle_sets_the_carrier_and_audits_it() -> None:
    world = make_world(make_tenant())
    shipment = make_order(world.tenant).shipments[0]
    with tenant_context(world.tenant):
        result = shipment_assign_carrier(
            actor=operations_principal(world.tenant), shipment=shipment, vehicle=world.vehicle
        )
    assert result.carrier_vehicle_id == world.vehicle.pk
    assert result.carrier_driver_id is None
    assert result.carrier_assigned_at is not None
    entry = AuditEntry.objects.filter(action="shipment_carrier_assigned").get()
    assert entry.object_id == str(shipment.pk)


def test_the_same_carrier_again_writes_nothing() -> None:
    world = make_world(make_tenant())
    shipment = make_order(world.tenant).shipments[0]
    actor = operations_principal(world.tenant)
    with tenant_context(world.tenant):
        first = shipment_assign_carrier(actor=actor, shipment=shipment, driver=world.driver)
        again = shipment_assign_carrier(actor=actor, shipment=shipment, driver=world.driver)
    assert again.carrier_assigned_at == first.carrier_assigned_at
    assert AuditEntry.objects.filter(action="shipment_carrier_assigned").count() == 1


def test_another_tenants_vehicle_is_refused_and_nothing_changes() -> None:
    world = make_world(make_tenant())
    other = make_world(make_tenant())
    shipment = make_order(world.tenant).shipments[0]
    with tenant_context(world.tenant), pytest.raises(CarrierInvalid):
        shipment_assign_carrier(
            actor=operations_principal(world.tenant), shipment=shipment, vehicle=other.vehicle
        )
    assert Shipment.dangerously_unscoped.get(pk=shipment.pk).carrier_vehicle_id is None


def test_a_delivered_shipment_keeps_its_carrier() -> None:
    world = make_world(make_tenant())
    shipment = make_carried_shipment(world, "delivered")
    with tenant_context(world.tenant), pytest.raises(CarrierNotChangeable):
        shipment_assign_carrier(actor=operations_principal(world.tenant), shipment=shipment)
    assert Shipment.dangerously_unscoped.get(pk=shipment.pk).carrier_vehicle_id == world.vehicle.pk


def test_a_viewer_cannot_assign_a_carrier() -> None:
    world = make_world(make_tenant())
    shipment = make_order(world.tenant).shipments[0]
    with tenant_context(world.tenant), pytest.raises(NotAllowed):
        shipment_assign_carrier(
            actor=operations_principal(world.tenant, Role.ACCOUNTANT),
            shipment=shipment,
            vehicle=world.vehicle,
        )


# --- hub geofences ---------------------------------------------------------------------------


def test_entering_a_hub_moves_the_vehicles_shipments_to_at_hub() -> None:
    world = make_world(make_tenant())
    carried = make_carried_shipment(world, "in_transit")
    elsewhere = make_order(world.tenant).shipments[0]
    hub = make_geofence(world.tenant, "hub")
    at = timezone.now() - timedelta(minutes=5)
    event = make_event(world.device, hub, "enter", at)

    result = shipments_apply_geofence_events([event])

    assert (result.events, result.moved) == (1, 1)
    assert _status(carried) == "at_hub"
    assert _status(elsewhere) == "created"
    (recorded,) = _events(carried)
    assert recorded.idempotency_key == f"geofence:{event.pk}:{carried.pk}"
    assert recorded.applied
    assert recorded.place == "Hub Hoàn Kiếm"
    assert recorded.latitude is None  # the driver's precise position stays in tracking
    assert Shipment.dangerously_unscoped.get(pk=carried.pk).status_changed_at == at


def test_leaving_a_hub_moves_to_the_tenants_hub_exit_status() -> None:
    world = make_world(make_tenant())
    with tenant_context(world.tenant):
        TenantDeviceSettings.objects.create(
            tenant_id=world.tenant.pk, hub_exit_status="out_for_delivery"
        )
    carried = make_carried_shipment(world, "at_hub")
    event = make_event(
        world.device,
        make_geofence(world.tenant, "hub"),
        "exit",
        timezone.now() - timedelta(minutes=1),
    )
    shipments_apply_geofence_events([event])
    assert _status(carried) == "out_for_delivery"


def test_leaving_a_hub_by_default_goes_back_in_transit() -> None:
    world = make_world(make_tenant())
    carried = make_carried_shipment(world, "at_hub", by_driver=True)
    event = make_event(
        world.phone,
        make_geofence(world.tenant, "hub"),
        "exit",
        timezone.now() - timedelta(minutes=1),
    )
    shipments_apply_geofence_events([event])
    assert _status(carried) == "in_transit"


def test_applying_the_same_event_twice_writes_once() -> None:
    world = make_world(make_tenant())
    carried = make_carried_shipment(world, "in_transit")
    event = make_event(
        world.device,
        make_geofence(world.tenant, "hub"),
        "enter",
        timezone.now() - timedelta(minutes=3),
    )
    shipments_apply_geofence_events([event])
    again = shipments_apply_geofence_events([event])
    assert again.events == 0
    assert len(_events(carried)) == 1
    assert GeofenceEventApplied.dangerously_unscoped.filter(geofence_event_id=event.pk).count() == 1


def test_a_replay_with_the_marker_lost_is_still_written_once() -> None:
    world = make_world(make_tenant())
    carried = make_carried_shipment(world, "in_transit")
    event = make_event(
        world.device,
        make_geofence(world.tenant, "hub"),
        "enter",
        timezone.now() - timedelta(minutes=3),
    )
    shipments_apply_geofence_events([event])
    GeofenceEventApplied.dangerously_unscoped.all().delete()
    result = shipments_apply_geofence_events([event])
    assert (result.events, result.moved) == (1, 0)
    assert len(_events(carried)) == 1
    assert _status(carried) == "at_hub"


def test_a_late_exit_older_than_a_recorded_later_event_never_moves_back() -> None:
    world = make_world(make_tenant())
    now = timezone.now()
    # At the hub since 10 minutes ago; then a late exit event from 30 minutes ago arrives.
    carried = make_carried_shipment(world, "at_hub", changed=now - timedelta(minutes=10))
    hub = make_geofence(world.tenant, "hub")
    late = make_event(world.device, hub, "exit", now - timedelta(minutes=30))

    shipments_apply_geofence_events([late])

    assert _status(carried) == "at_hub"
    (kept,) = _events(carried)
    assert kept.applied is False
    assert kept.status == "in_transit"


def test_a_late_enter_after_the_shipment_moved_on_is_kept_but_not_applied() -> None:
    world = make_world(make_tenant())
    now = timezone.now()
    carried = make_carried_shipment(world, "out_for_delivery", changed=now - timedelta(minutes=5))
    late = make_event(
        world.device, make_geofence(world.tenant, "hub"), "enter", now - timedelta(hours=1)
    )
    shipments_apply_geofence_events([late])
    assert _status(carried) == "out_for_delivery"
    (scan,) = _events(carried)
    assert scan.kind == "scan"
    assert scan.applied is False


def test_a_retracted_event_is_never_applied() -> None:
    world = make_world(make_tenant())
    carried = make_carried_shipment(world, "in_transit")
    now = timezone.now()
    event = make_event(
        world.device,
        make_geofence(world.tenant, "hub"),
        "enter",
        now - timedelta(minutes=4),
        retracted_at=now,
    )
    result = shipments_apply_geofence_events([event])
    assert result.events == 0
    assert _status(carried) == "in_transit"
    assert geofence_moves_apply().events == 0
    assert not GeofenceEventApplied.dangerously_unscoped.exists()


def test_an_event_before_the_shipment_was_loaded_moves_nothing() -> None:
    world = make_world(make_tenant())
    now = timezone.now()
    carried = make_carried_shipment(world, "in_transit", assigned=now - timedelta(minutes=2))
    event = make_event(
        world.device, make_geofence(world.tenant, "hub"), "enter", now - timedelta(minutes=20)
    )
    shipments_apply_geofence_events([event])
    assert _status(carried) == "in_transit"
    assert _events(carried) == []


def test_an_event_counts_for_whom_the_device_was_with_at_its_fix_time() -> None:
    world = make_world(make_tenant(), since=timezone.now() - timedelta(minutes=10))
    carried = make_carried_shipment(
        world, "in_transit", changed=timezone.now() - timedelta(hours=2)
    )
    # The device joined the vehicle 10 minutes ago; an event from an hour ago is not the van's.
    event = make_event(
        world.device,
        make_geofence(world.tenant, "hub"),
        "enter",
        timezone.now() - timedelta(hours=1),
    )
    shipments_apply_geofence_events([event])
    assert _status(carried) == "in_transit"


def test_warehouse_geofences_move_nothing() -> None:
    world = make_world(make_tenant())
    carried = make_carried_shipment(world, "in_transit")
    event = make_event(
        world.device,
        make_geofence(world.tenant, "warehouse"),
        "enter",
        timezone.now() - timedelta(minutes=1),
    )
    assert shipments_apply_geofence_events([event]).moved == 0
    assert _status(carried) == "in_transit"


def test_the_job_applies_pending_events_of_every_tenant_once() -> None:
    one, two = make_world(make_tenant()), make_world(make_tenant())
    first = make_carried_shipment(one, "in_transit")
    second = make_carried_shipment(two, "in_transit")
    at = timezone.now() - timedelta(minutes=2)
    make_event(one.device, make_geofence(one.tenant, "hub"), "enter", at)
    make_event(two.device, make_geofence(two.tenant, "hub"), "enter", at)

    assert geofence_moves_apply().moved == 2
    assert geofence_moves_apply().events == 0
    assert (_status(first), _status(second)) == ("at_hub", "at_hub")


# --- "delivered?" ----------------------------------------------------------------------------


def test_entering_a_customer_site_offers_delivery_without_delivering() -> None:
    world = make_world(make_tenant())
    carried = make_carried_shipment(world, "out_for_delivery")
    at = timezone.now() - timedelta(minutes=1)
    event = make_event(world.device, make_geofence(world.tenant, "customer_site"), "enter", at)

    assert shipments_apply_geofence_events([event]).offered == 1

    row = Shipment.dangerously_unscoped.get(pk=carried.pk)
    assert row.status == "out_for_delivery"
    assert (row.delivery_offered_at, row.delivery_offer_reason) == (at, "geofence")
    assert _events(carried) == []


def test_near_the_geocoded_destination_offers_delivery() -> None:
    world = make_world(make_tenant())
    lat, lon = CONSIGNEE
    dest = {"street": "5 Điện Biên Phủ", "ward_code": 1, "province_code": 1}
    from logitrack.logistics.tests.factories import PROVINCE_HANOI, WARD_IN_HANOI

    dest.update(ward_code=WARD_IN_HANOI, province_code=PROVINCE_HANOI, latitude=lat, longitude=lon)
    carried = make_carried_shipment(world, "out_for_delivery", delivery=dest)
    far = make_carried_shipment(world, "out_for_delivery", delivery=dest, by_driver=True)
    # The van about 90 m north of the door (default radius 150 m); the driver's phone at the hub.
    place_device(world.device, lat + 0.0008, lon)
    place_device(world.phone, *HUB)
    Shipment.dangerously_unscoped.filter(pk=far.pk).update(carrier_vehicle=None)

    assert shipments_offer_by_distance(tenant_id=world.tenant.pk) == 1
    assert Shipment.dangerously_unscoped.get(pk=carried.pk).delivery_offer_reason == "distance"
    assert Shipment.dangerously_unscoped.get(pk=far.pk).delivery_offered_at is None
    assert shipments_offer_by_distance(tenant_id=world.tenant.pk) == 0  # offered once
    assert _status(carried) == "out_for_delivery"


def test_a_position_from_before_going_out_offers_nothing() -> None:
    world = make_world(make_tenant())
    lat, lon = CONSIGNEE
    from logitrack.logistics.tests.factories import PROVINCE_HANOI, WARD_IN_HANOI

    dest = {
        "street": "5 Điện Biên Phủ",
        "ward_code": WARD_IN_HANOI,
        "province_code": PROVINCE_HANOI,
        "latitude": lat,
        "longitude": lon,
    }
    changed = timezone.now() - timedelta(minutes=5)
    make_carried_shipment(world, "out_for_delivery", changed=changed, delivery=dest)
    place_device(world.device, lat, lon, at=changed - timedelta(minutes=1))
    assert shipments_offer_by_distance(tenant_id=world.tenant.pk) == 0


def test_the_periodic_job_runs_both() -> None:
    world = make_world(make_tenant())
    make_carried_shipment(world, "in_transit")
    make_event(
        world.device,
        make_geofence(world.tenant, "hub"),
        "enter",
        timezone.now() - timedelta(minutes=1),
    )
    assert geofence_moves_run.call() == 1


def test_an_event_after_the_device_left_the_vehicle_moves_nothing() -> None:
    world = make_world(make_tenant())
    carried = make_carried_shipment(world, "in_transit")
    from logitrack.tracking.models import DeviceAssignment

    DeviceAssignment.dangerously_unscoped.filter(device=world.device).update(
        ended_at=timezone.now() - timedelta(minutes=30)
    )
    event = make_event(
        world.device,
        make_geofence(world.tenant, "hub"),
        "enter",
        timezone.now() - timedelta(minutes=10),
    )
    shipments_apply_geofence_events([event])
    assert _status(carried) == "in_transit"
