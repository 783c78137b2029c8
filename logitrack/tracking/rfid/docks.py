"""What new tag observations at dock doors do to shipments (issue P6, point 4).

A pallet passing a dock door is read as its SSCC (``urn:epc:id:sscc:...``) and, often, as the
SGTINs of the cases on it (``ShipmentTag``). ``apply_observations`` matches those reads to the
tenant's shipments and records one shipment event per shipment per door passage through the one
status service (``shipment_record_event``, source ``rfid``):

- an ``in`` door (goods unloaded at a hub) asks for ``at_hub``, an ``out`` door (goods loaded)
  for ``in_transit``, when the status machine has that edge from the shipment's status;
- otherwise (already further, or not reachable from where the shipment is) the passage is
  recorded as a scan (no status), so the timeline still shows it; never backwards, never an
  error to the reader;
- the idempotency key is ``rfid:<event_id>`` of the passage's earliest observation, so a
  replayed batch records nothing twice;
- reads of a shipment at the same door within ``PASSAGE_GAP`` of each other are one passage:
  the pallet and its ten cases give one event; a case read in a later batch, close to an
  already matched read, only gets its ``shipment`` set.

Inactive doors, observations without a door, raw (non-GS1) EPCs and EPCs that match no shipment
of the tenant do nothing.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from logitrack.core.errors import CallerError
from logitrack.core.tenant import tenant_context
from logitrack.logistics.actors import SystemCaller
from logitrack.logistics.errors import IdempotencyKeyReused, TransitionForbidden
from logitrack.logistics.models import Shipment
from logitrack.logistics.numbers import sscc_check_digit
from logitrack.logistics.selectors import shipments_for_rfid
from logitrack.logistics.services.transitions import shipment_record_event
from logitrack.logistics.status import EventSource, ShipmentStatus, transition_allowed
from logitrack.tracking.models import DockDoor, ShipmentTag, TagObservation
from logitrack.tracking.models.rfid import DockDirection

logger = logging.getLogger("logitrack.rfid")

# Reads of one shipment at one door this close together are one passage (a forklift takes
# well under a minute through a door; a pallet parked in the field is one de-duplicated
# observation anyway).
PASSAGE_GAP = timedelta(minutes=10)
SYSTEM_NAME = "rfid"

TARGET_OF_DIRECTION: dict[str, ShipmentStatus] = {
    DockDirection.IN: ShipmentStatus.AT_HUB,
    DockDirection.OUT: ShipmentStatus.IN_TRANSIT,
}

# GS1 EPC Tag Data Standard 2.0, §6.3.2: urn:epc:id:sscc:CompanyPrefix.SerialReference, where
# the serial reference begins with the extension digit and both parts hold 17 digits together.
_SSCC_URN = re.compile(r"urn:epc:id:sscc:([0-9]{6,12})\.([0-9]{5,11})")
_SGTIN_URN = re.compile(r"urn:epc:id:sgtin:[0-9]+\.[0-9]+\.\S+")


def sscc_of_urn(urn: str) -> str | None:
    """The 18-digit SSCC (extension digit + company prefix + rest of the serial reference +
    GS1 mod-10 check digit, GS1 General Specifications §2.2.1) of an SSCC pure-identity URN,
    e.g. ``urn:epc:id:sscc:0614141.1234567890`` -> ``106141412345678908``; None for anything
    else (another scheme, or digits that do not add up to 17)."""
    match = _SSCC_URN.fullmatch(urn)
    if match is None:
        return None
    prefix, serial = match.groups()
    if len(prefix) + len(serial) != 17:
        return None
    first_17 = serial[0] + prefix + serial[1:]
    return first_17 + sscc_check_digit(first_17)


@dataclass
class _Passage:
    shipment: Shipment
    door: DockDoor
    observations: list[TagObservation] = field(default_factory=list)


def _key(observation: TagObservation) -> tuple[object, str]:
    return (observation.first_seen, str(observation.event_id))


def _passages(
    matched: list[tuple[TagObservation, Shipment, DockDoor]],
) -> list[_Passage]:
    """Observations grouped by (shipment, door), split where reads are PASSAGE_GAP apart."""
    groups: dict[tuple[int, int], list[tuple[TagObservation, Shipment, DockDoor]]] = defaultdict(
        list
    )
    for item in matched:
        groups[(item[1].pk, item[2].pk)].append(item)
    passages: list[_Passage] = []
    for items in groups.values():
        items.sort(key=lambda item: _key(item[0]))
        current: _Passage | None = None
        for observation, shipment, door in items:
            if (
                current is None
                or observation.first_seen - current.observations[-1].first_seen > PASSAGE_GAP
            ):
                current = _Passage(shipment=shipment, door=door)
                passages.append(current)
            current.observations.append(observation)
    passages.sort(key=lambda passage: _key(passage.observations[0]))
    return passages


def _seen_before(tenant_id: int, passage: _Passage, batch: set[int]) -> bool:
    """True when an observation outside this batch already matched this shipment at this door
    within PASSAGE_GAP: the passage's event is recorded already."""
    start = passage.observations[0].first_seen - PASSAGE_GAP
    end = passage.observations[-1].first_seen + PASSAGE_GAP
    return (
        TagObservation.objects.filter(
            tenant_id=tenant_id,
            shipment_id=passage.shipment.pk,
            dock_door_id=passage.door.pk,
            first_seen__gte=start,
            first_seen__lte=end,
        )
        .exclude(pk__in=batch)
        .exists()
    )


def _record(caller: SystemCaller, passage: _Passage) -> bool:
    """Record the passage's event; True when a new event was written."""
    first = passage.observations[0]
    target = TARGET_OF_DIRECTION[passage.door.direction]
    key = f"rfid:{first.event_id}"
    asked: str | None = (
        target.value if transition_allowed(passage.shipment.status, target) else None
    )
    for status in (asked, None) if asked is not None else (None,):
        try:
            outcome = shipment_record_event(
                actor=caller,
                shipment=passage.shipment,
                status=status,
                occurred_at=first.first_seen,
                source=EventSource.RFID,
                idempotency_key=key,
                place=passage.door.place,
            )
        except TransitionForbidden:
            # The shipment moved meanwhile (read under its row lock): file a scan instead.
            continue
        except IdempotencyKeyReused:
            # Recorded before, as a status or a scan: a replay, whatever the machine says now.
            return False
        except CallerError as exc:
            # A reader's clock far off (event_in_future / event_too_old): the read stays
            # matched, the timeline does not take a date it cannot trust.
            logger.warning(
                "rfid dock event refused",
                extra={"code": exc.code, "shipment_id": passage.shipment.pk},
            )
            return False
        # Later passages of this shipment in the batch start from where this one left it.
        passage.shipment.status = outcome.shipment.status
        passage.shipment.status_changed_at = outcome.shipment.status_changed_at
        return not outcome.replayed
    return False


def apply_observations(*, tenant_id: int, observations: Sequence[TagObservation]) -> int:
    """Match new observations to the tenant's shipments and record their dock-door events.

    ``observations``: the tenant's observations the caller just created (saved; others are
    ignored). Each with an active ``dock_door`` and an SSCC or SGTIN URN in ``epc_uri`` gets
    ``shipment`` set (in memory and in the database) when the tenant has a shipment with that
    SSCC, or a ``ShipmentTag`` with that URN. Returns the number of shipment events written
    (replays and passages already recorded count 0).

    Runs inside the caller's transaction: each event is its own savepoint (the status service's
    ``atomic``), nothing here commits, and no refusal of the status service reaches the caller.
    """
    with tenant_context(tenant_id):
        candidates = [
            o
            for o in observations
            if o.tenant_id == tenant_id
            and o.pk is not None
            and o.dock_door_id is not None
            and o.epc_uri.startswith("urn:epc:id:")
        ]
        if not candidates:
            return 0
        doors = {
            door.pk: door
            for door in DockDoor.objects.filter(
                tenant_id=tenant_id,
                active=True,
                pk__in={o.dock_door_id for o in candidates},
            )
        }
        candidates = [o for o in candidates if o.dock_door_id in doors]
        sscc_of = {o.pk: sscc_of_urn(o.epc_uri) for o in candidates}
        sgtins = {o.epc_uri for o in candidates if _SGTIN_URN.fullmatch(o.epc_uri)}
        tagged = dict(
            ShipmentTag.objects.filter(tenant_id=tenant_id, epc_uri__in=sgtins).values_list(
                "epc_uri", "shipment_id"
            )
        )
        caller = SystemCaller(tenant_id, SYSTEM_NAME)
        shipments = shipments_for_rfid(
            caller=caller,
            ssccs={s for s in sscc_of.values() if s is not None},
            ids=set(tagged.values()),
        )
        by_sscc = {s.sscc: s for s in shipments if s.sscc}
        by_id = {s.pk: s for s in shipments}

        matched: list[tuple[TagObservation, Shipment, DockDoor]] = []
        for observation in candidates:
            sscc = sscc_of[observation.pk]
            shipment = (
                by_sscc.get(sscc)
                if sscc is not None
                else by_id.get(tagged.get(observation.epc_uri, -1))
            )
            if shipment is None or observation.dock_door_id is None:
                continue
            matched.append((observation, shipment, doors[observation.dock_door_id]))

        updates: dict[int, list[int]] = defaultdict(list)
        for observation, shipment, _door in matched:
            if observation.shipment_id != shipment.pk:
                observation.shipment = shipment
                updates[shipment.pk].append(observation.pk)

        batch = {o.pk for o, _s, _d in matched}
        recorded = 0
        for passage in _passages(matched):
            if _seen_before(tenant_id, passage, batch):
                continue
            if _record(caller, passage):
                recorded += 1
        for shipment_id, pks in updates.items():
            TagObservation.objects.filter(tenant_id=tenant_id, pk__in=pks).update(
                shipment_id=shipment_id
            )
    return recorded
