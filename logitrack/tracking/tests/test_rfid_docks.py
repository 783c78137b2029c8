"""Dock doors turn reads of a pallet's SSCC, or of its cases, into shipment events."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.logistics.numbers import sscc_is_valid
from logitrack.logistics.status import ShipmentStatus
from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.tests.factories import make_tenant
from logitrack.tracking.models import Device, ShipmentTag, TagObservation
from logitrack.tracking.rfid.docks import apply_observations, sscc_of_urn
from logitrack.tracking.tests.factories import make_dock_door, make_observation, make_reader

pytestmark = pytest.mark.django_db

S = ShipmentStatus
SSCC_URN = "urn:epc:id:sscc:0614141.1234567890"
SSCC = "106141412345678908"
_cases = itertools.count(1)


def _shipment(tenant: Tenant, status: str, *, sscc: str | None = SSCC, ago: int = 60) -> Shipment:
    order = make_order_row(make_shipper(tenant))
    at = timezone.now() - timedelta(minutes=ago)
    return make_shipment_row(order, status=status, sscc=sscc, at=at)


def _case(shipment: Shipment) -> str:
    urn = f"urn:epc:id:sgtin:0614141.112345.{next(_cases)}"
    with tenant_context(shipment.tenant_id):
        ShipmentTag.objects.create(tenant_id=shipment.tenant_id, shipment=shipment, epc_uri=urn)
    return urn


def _apply(device: Device, observations: list[TagObservation]) -> int:
    with transaction.atomic():
        return apply_observations(tenant_id=device.tenant_id, observations=observations)


def _events(shipment: Shipment) -> list[tuple[str, str, bool, str]]:
    rows = ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).order_by("pk")
    return [(e.kind, e.status, e.applied, e.place) for e in rows]


def _status(shipment: Shipment) -> str:
    return str(Shipment.dangerously_unscoped.get(pk=shipment.pk).status)


def _shipment_of(observation: TagObservation) -> int | None:
    shipment_id: int | None = TagObservation.dangerously_unscoped.get(pk=observation.pk).shipment_id
    return shipment_id


def _now(minutes: int = 0) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)


def test_sscc_of_urn_builds_the_18_digits_with_the_check_digit() -> None:
    assert sscc_of_urn(SSCC_URN) == SSCC
    assert sscc_is_valid(SSCC)
    assert sscc_of_urn("urn:epc:id:sscc:0614141.123456789") is None  # 16 digits
    assert sscc_of_urn("urn:epc:id:sgtin:0614141.112345.400") is None


def test_pallet_through_an_in_door_arrives_at_the_hub() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.IN_TRANSIT)
    reader = make_reader(tenant)
    door = make_dock_door(reader, direction="in", place="Hub Sóng Thần")
    read = make_observation(reader, SSCC_URN, door=door, first_seen=_now(1))

    assert _apply(reader, [read]) == 1

    assert _status(shipment) == S.AT_HUB
    assert _events(shipment) == [("status", "at_hub", True, "Hub Sóng Thần")]
    event = ShipmentEvent.dangerously_unscoped.get(shipment=shipment)
    assert event.source == "rfid"
    assert event.idempotency_key == f"rfid:{read.event_id}"
    assert event.occurred_at == read.first_seen
    assert _shipment_of(read) == shipment.pk
    assert read.shipment_id == shipment.pk


def test_pallet_through_an_out_door_is_loaded_in_transit() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.PICKED_UP)
    reader = make_reader(tenant)
    door = make_dock_door(reader, direction="out")

    assert _apply(reader, [make_observation(reader, SSCC_URN, door=door, first_seen=_now(1))]) == 1

    assert _status(shipment) == S.IN_TRANSIT


def test_pallet_and_its_cases_make_one_event_per_passage() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.IN_TRANSIT)
    cases = [_case(shipment) for _ in range(10)]
    reader = make_reader(tenant)
    door = make_dock_door(reader, direction="in")
    start = _now(2)
    reads = [make_observation(reader, SSCC_URN, door=door, first_seen=start)] + [
        make_observation(reader, urn, door=door, first_seen=start + timedelta(seconds=n))
        for n, urn in enumerate(cases)
    ]

    assert _apply(reader, reads) == 1

    assert _status(shipment) == S.AT_HUB
    assert len(_events(shipment)) == 1
    assert {_shipment_of(r) for r in reads} == {shipment.pk}


def test_cases_alone_move_their_shipment() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.PICKED_UP, sscc=None)
    reader = make_reader(tenant)
    door = make_dock_door(reader, direction="out")
    reads = [make_observation(reader, _case(shipment), door=door, first_seen=_now(1))]

    assert _apply(reader, reads) == 1

    assert _status(shipment) == S.IN_TRANSIT


def test_a_case_read_in_a_later_batch_of_the_same_passage_adds_no_event() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.IN_TRANSIT)
    case = _case(shipment)
    reader = make_reader(tenant)
    door = make_dock_door(reader, direction="in")
    _apply(reader, [make_observation(reader, SSCC_URN, door=door, first_seen=_now(2))])
    late = make_observation(reader, case, door=door, first_seen=_now(1))

    assert _apply(reader, [late]) == 0

    assert len(_events(shipment)) == 1
    assert _shipment_of(late) == shipment.pk


def test_replayed_batch_records_nothing_twice() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.IN_TRANSIT)
    reader = make_reader(tenant)
    door = make_dock_door(reader, direction="in")
    reads = [make_observation(reader, SSCC_URN, door=door, first_seen=_now(1))]
    _apply(reader, reads)

    assert _apply(reader, reads) == 0
    fresh = list(TagObservation.dangerously_unscoped.filter(pk=reads[0].pk))
    assert _apply(reader, fresh) == 0

    assert len(_events(shipment)) == 1


def test_replay_after_the_shipment_moved_on_records_nothing() -> None:
    # First recorded as a scan (created cannot reach at_hub); replayed when at_hub is
    # reachable: the key was used, nothing new.
    tenant = make_tenant()
    shipment = _shipment(tenant, S.CREATED)
    reader = make_reader(tenant)
    door = make_dock_door(reader, direction="in")
    reads = [make_observation(reader, SSCC_URN, door=door, first_seen=_now(1))]
    _apply(reader, reads)
    Shipment.dangerously_unscoped.filter(pk=shipment.pk).update(status=S.IN_TRANSIT)

    assert _apply(reader, list(TagObservation.dangerously_unscoped.filter(pk=reads[0].pk))) == 0

    assert _events(shipment) == [("scan", "", False, "Kho Tân Bình")]
    assert _status(shipment) == S.IN_TRANSIT


@pytest.mark.parametrize(
    ("status", "direction"),
    [
        (S.OUT_FOR_DELIVERY, "in"),  # already further
        (S.AT_HUB, "in"),  # already there
        (S.CREATED, "out"),  # not picked up: in_transit is not reachable
        (S.DELIVERED, "out"),  # final
    ],
)
def test_a_transition_the_machine_does_not_allow_is_a_scan(status: str, direction: str) -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, status)
    reader = make_reader(tenant)
    door = make_dock_door(reader, direction=direction, place="Kho Bình Dương")

    read = make_observation(reader, SSCC_URN, door=door, first_seen=_now(1))
    assert _apply(reader, [read]) == 1

    assert _status(shipment) == status
    assert _events(shipment) == [("scan", "", False, "Kho Bình Dương")]


def test_a_late_observation_never_moves_the_status_backwards() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.IN_TRANSIT, ago=5)
    reader = make_reader(tenant)
    door = make_dock_door(reader, direction="in")

    read = make_observation(reader, SSCC_URN, door=door, first_seen=_now(30))
    _apply(reader, [read])

    assert _status(shipment) == S.IN_TRANSIT
    assert _events(shipment) == [("status", "at_hub", False, "Kho Tân Bình")]


def test_out_then_in_in_one_batch_follows_the_machine() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.PICKED_UP)
    reader = make_reader(tenant)
    out_door = make_dock_door(reader, direction="out", antenna=1, place="Kho A")
    in_door = make_dock_door(reader, direction="in", antenna=2, place="Hub B")
    reads = [
        make_observation(reader, SSCC_URN, door=out_door, first_seen=_now(40)),
        make_observation(reader, SSCC_URN, door=in_door, first_seen=_now(5)),
    ]

    assert _apply(reader, reads) == 2

    assert _status(shipment) == S.AT_HUB
    assert _events(shipment) == [
        ("status", "in_transit", True, "Kho A"),
        ("status", "at_hub", True, "Hub B"),
    ]


def _nothing_happens(reader: Device, shipment: Shipment, reads: list[TagObservation]) -> None:
    assert _apply(reader, reads) == 0
    assert _events(shipment) == []
    assert _status(shipment) == S.IN_TRANSIT
    assert [_shipment_of(r) for r in reads] == [None] * len(reads)


def test_an_epc_of_no_shipment_does_nothing() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.IN_TRANSIT)
    reader = make_reader(tenant)
    door = make_dock_door(reader)
    reads = [
        make_observation(reader, "urn:epc:id:sscc:0614141.1234567891", door=door),
        make_observation(reader, "urn:epc:id:sgtin:0614141.112345.999", door=door),
        make_observation(reader, "", door=door, epc_hex="E2801160600002084DB9B2A1"),
    ]
    _nothing_happens(reader, shipment, reads)


def test_another_tenants_shipment_with_the_same_sscc_is_never_matched() -> None:
    mine, theirs = make_tenant(), make_tenant()
    shipment = _shipment(theirs, S.IN_TRANSIT)
    their_case = _case(shipment)
    reader = make_reader(mine)
    door = make_dock_door(reader)
    reads = [
        make_observation(reader, SSCC_URN, door=door),
        make_observation(reader, their_case, door=door),
    ]
    _nothing_happens(reader, shipment, reads)


def test_an_inactive_door_or_no_door_does_nothing() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.IN_TRANSIT)
    reader = make_reader(tenant)
    door = make_dock_door(reader, active=False)
    reads = [
        make_observation(reader, SSCC_URN, door=door),
        make_observation(reader, SSCC_URN, door=None, antenna=4),
    ]
    _nothing_happens(reader, shipment, reads)


def test_observations_of_another_tenant_in_the_list_are_ignored() -> None:
    mine, theirs = make_tenant(), make_tenant()
    shipment = _shipment(theirs, S.IN_TRANSIT)
    their_reader = make_reader(theirs)
    door = make_dock_door(their_reader)
    read = make_observation(their_reader, SSCC_URN, door=door)
    my_reader = make_reader(mine)

    with transaction.atomic():
        assert apply_observations(tenant_id=my_reader.tenant_id, observations=[read]) == 0
    assert _events(shipment) == []


def test_a_reader_clock_far_ahead_matches_but_records_no_event() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.IN_TRANSIT)
    reader = make_reader(tenant)
    door = make_dock_door(reader)
    ahead = timezone.now() + timedelta(hours=2)
    read = make_observation(reader, SSCC_URN, door=door, first_seen=ahead)

    assert _apply(reader, [read]) == 0

    assert _events(shipment) == []
    assert _shipment_of(read) == shipment.pk


def test_works_inside_the_callers_transaction_and_rolls_back_with_it() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, S.IN_TRANSIT)
    reader = make_reader(tenant)
    door = make_dock_door(reader)
    read = make_observation(reader, SSCC_URN, door=door, first_seen=_now(1))

    class Abort(Exception):
        pass

    recorded: dict[str, Any] = {}

    def apply_then_fail() -> None:
        with transaction.atomic():
            recorded["n"] = apply_observations(tenant_id=tenant.pk, observations=[read])
            raise Abort

    with pytest.raises(Abort):
        apply_then_fail()

    assert recorded["n"] == 1
    assert _events(shipment) == []
    assert _status(shipment) == S.IN_TRANSIT
