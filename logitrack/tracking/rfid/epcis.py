"""Tag observations as a GS1 EPCIS 2.0 JSON-LD ``EPCISDocument`` (issue P6, point 5).

Each ``TagObservation`` is one ``ObjectEvent`` (EPCIS 2.0 §7.4.2) with ``action`` ``OBSERVE``:

- ``eventID``: ``urn:uuid:<event_id>``; ``eventTime``: ``first_seen`` in Asia/Ho_Chi_Minh with
  its offset, and ``eventTimeZoneOffset`` (``+07:00``); ``recordTime``: ``received_at``;
- ``epcList``: the pure-identity URN, or for a tag that is not GS1-encoded the raw form of the
  EPC Tag Data Standard 2.0 §12.4 (``urn:epc:raw:<bits>.x<HEX>``);
- ``bizStep``/``disposition`` (CBV 2.0 §7.1, §7.2, bare terms as the JSON-LD context allows):
  a door ``in`` is ``arriving``/``in_progress``, a door ``out`` ``departing``/``in_transit``.
  Logitrack moves goods for others: a pallet at a hub is not taken into the hub's stock
  (``receiving``) nor dispatched from it (``shipping``), it arrives and departs. An observation
  at no door has neither;
- ``readPoint``: the reader's antenna as a Logitrack URL
  (``<public url>/epcis/readpoints/<reader>/<antenna>``); ``bizLocation``: the door's SGLN
  (``location_id``) or its Logitrack URL (``<public url>/epcis/dock-doors/<id>``); none at no
  door.

The document's members are only those the schema allows (its ``propertyNames``); pagination
travels in HTTP headers, never in the document.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from logitrack.tracking.models import DockDoor, TagObservation
from logitrack.tracking.models.rfid import DockDirection

CONTEXT = ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"]
SCHEMA_VERSION = "2.0"
CONTENT_TYPE = "application/ld+json"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# CBV 2.0 business steps and dispositions of a door's direction (see the module docstring).
BUSINESS_OF_DIRECTION: dict[str, tuple[str, str]] = {
    DockDirection.IN: ("arriving", "in_progress"),
    DockDirection.OUT: ("departing", "in_transit"),
}


def raw_epc_urn(epc_hex: str) -> str:
    """The TDS 2.0 §12.4 raw URN of an EPC bank's hex: ``urn:epc:raw:96.x3074...``.

    The length is the number of bits the hex holds (4 per digit)."""
    digits = epc_hex.upper()
    return f"urn:epc:raw:{len(digits) * 4}.x{digits}"


def _time(moment: datetime) -> str:
    return moment.astimezone(ZONE).isoformat(timespec="milliseconds")


def _offset(moment: datetime) -> str:
    text = moment.astimezone(ZONE).isoformat()[-6:]
    return text


def _base() -> str:
    return str(settings.LOGITRACK_PUBLIC_URL).rstrip("/")


def read_point_id(identifier: str, antenna: int) -> str:
    """The Logitrack URL of a reader's antenna (the EPCIS ``readPoint``)."""
    return f"{_base()}/epcis/readpoints/{quote(identifier, safe='')}/{antenna}"


def biz_location_id(door: DockDoor) -> str:
    """The door's GS1 location (SGLN URN) or, without one, its Logitrack URL."""
    return door.location_id or f"{_base()}/epcis/dock-doors/{door.pk}"


def object_event(observation: TagObservation, *, reader: str) -> dict[str, Any]:
    """One observation as an EPCIS 2.0 ``ObjectEvent`` (a dict ready for JSON).

    ``reader``: the reader's identifier (``Device.identifier``); ``observation.dock_door``
    is read (select it with the observation)."""
    epc = observation.epc_uri or raw_epc_urn(observation.epc_hex)
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": _time(observation.first_seen),
        "eventTimeZoneOffset": _offset(observation.first_seen),
        "recordTime": _time(observation.received_at),
        "eventID": f"urn:uuid:{observation.event_id}",
        "epcList": [epc],
        "action": "OBSERVE",
    }
    door = observation.dock_door
    if door is not None:
        biz_step, disposition = BUSINESS_OF_DIRECTION[door.direction]
        event["bizStep"] = biz_step
        event["disposition"] = disposition
    event["readPoint"] = {"id": read_point_id(reader, observation.antenna)}
    if door is not None:
        event["bizLocation"] = {"id": biz_location_id(door)}
    return event


def epcis_document(
    observations: Iterable[TagObservation],
    *,
    readers: dict[int, str],
    created: datetime | None = None,
) -> dict[str, Any]:
    """An ``EPCISDocument`` (EPCIS 2.0 §9.2, JSON-LD) of ``observations`` in the given order.

    ``readers``: device id -> identifier for every observation's device. ``created``: the
    document's ``creationDate`` (default now). Valid against GS1's EPCIS 2.0 JSON schema."""
    moment = created or timezone.now()
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": _time(moment),
        "epcisBody": {
            "eventList": [
                object_event(observation, reader=readers[observation.device_id])
                for observation in observations
            ]
        },
    }
