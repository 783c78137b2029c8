"""Dock doors (create, change, deactivate) and the case tags attached to a shipment.

Both need ``warehouse.manage`` (warehouse operators and admins: the people at the docks), are
atomic and audited in the same transaction; a refused call raises a ``TrackingError`` before
anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from epcpy.utils.common import ConvertException
from epcpy.utils.parsers import epc_pure_identity_to_scheme, hex_to_tag_encodable

from logitrack.core.text import TextRefused, code, human_text
from logitrack.logistics.models import Shipment
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import (
    DockDoorAntennaInvalid,
    DockDoorAntennaTaken,
    DockDoorInvalid,
    DockDoorLocationInvalid,
    DockDoorNameTaken,
    DockDoorReaderInvalid,
    NotAllowed,
    ShipmentTagInvalid,
    ShipmentTagTaken,
)
from logitrack.tracking.models import Device, DockDoor, ShipmentTag
from logitrack.tracking.models.devices import DeviceKind
from logitrack.tracking.models.rfid import DockDirection

ANTENNA_MAX = 32  # Zebra FX9600 with two 4-port expanders is 8; 32 leaves room for others.
NAME_MAX = 100
PLACE_MAX = 100
TAGS_MAX = 100

# GS1 EPC Tag Data Standard 2.0 §6.3.3: urn:epc:id:sgln:CompanyPrefix.LocationReference.Extension,
# company prefix and location reference 12 digits together; the extension (``0`` for none) is
# 1-20 characters of GS1 AI encodable character set 82, escaped as the URN allows.
_SGLN = re.compile(
    r"urn:epc:id:sgln:([0-9]{6,12})\.([0-9]{0,6})\.([A-Za-z0-9!'()*+,\-.:;=_]|%[0-9A-Fa-f]{2}){1,20}"
)
_HEX = re.compile(r"[0-9A-Fa-f]{24,124}")


def _tenant(principal: Principal) -> int:
    if principal.tenant_id is None or not principal.has(Permission.WAREHOUSE_MANAGE):
        raise NotAllowed()
    return principal.tenant_id


def _audit(principal: Principal, action: str, object_type: str, pk: int, **details: object) -> None:
    from logitrack.security.services import audit_record

    audit_record(
        action=action,
        actor=actor_of(principal),
        tenant_id=principal.tenant_id,
        object_type=object_type,
        object_id=str(pk),
        details=details or None,
    )


def sgln_is_valid(text: str) -> bool:
    """True for an SGLN pure-identity URN (TDS 2.0 §6.3.3) with 12 digits of company prefix and
    location reference, e.g. ``urn:epc:id:sgln:0614141.12345.0``."""
    match = _SGLN.fullmatch(text)
    return match is not None and len(match.group(1)) + len(match.group(2)) == 12


def _clean_text(value: str, field: str, most: int) -> str:
    try:
        clean = human_text(value or "")
    except TextRefused as exc:
        raise DockDoorInvalid(exc.message, field=field) from exc
    if not clean or len(clean) > most:
        raise DockDoorInvalid(field=field)
    return clean


def _clean_antenna(antenna: int | None) -> int | None:
    if antenna is not None and not 1 <= antenna <= ANTENNA_MAX:
        raise DockDoorAntennaInvalid()
    return antenna


def _clean_location(location_id: str) -> str:
    try:
        clean = code(location_id or "")
    except TextRefused as exc:
        raise DockDoorLocationInvalid() from exc
    if clean and not sgln_is_valid(clean):
        raise DockDoorLocationInvalid()
    return clean


def _check_reader(tenant_id: int, device: Device) -> None:
    if device.tenant_id != tenant_id or device.kind != DeviceKind.RFID_READER:
        raise DockDoorReaderInvalid()


def _clean_direction(direction: str) -> str:
    if direction not in DockDirection.values:
        raise DockDoorInvalid(field="direction")
    return direction


def _save(door: DockDoor, tenant_id: int) -> None:
    if DockDoor.objects.filter(tenant_id=tenant_id, name=door.name).exclude(pk=door.pk).exists():
        raise DockDoorNameTaken()
    same_point = DockDoor.objects.filter(device_id=door.device_id, antenna=door.antenna)
    if door.antenna is None:
        same_point = DockDoor.objects.filter(device_id=door.device_id, antenna__isnull=True)
    if same_point.exclude(pk=door.pk).exists():
        raise DockDoorAntennaTaken()
    try:
        with transaction.atomic():
            door.save()
    except IntegrityError as exc:
        # A door with the same name or antenna committed meanwhile.
        raise DockDoorAntennaTaken() from exc


def dock_door_create(
    *,
    principal: Principal,
    device: Device,
    antenna: int | None,
    name: str,
    place: str,
    direction: str,
    location_id: str = "",
) -> DockDoor:
    """A dock door of the principal's tenant on ``device``'s ``antenna`` (1..32, None = every
    antenna of the reader).

    Invariants: ``device`` is the tenant's ``rfid_reader`` (DockDoorReaderInvalid); ``name`` is
    unique per tenant (409 ``dock_door_name_taken``); one door per (reader, antenna) and one
    whole-reader door per reader (409 ``dock_door_antenna_taken``); ``location_id`` is blank or
    an SGLN URN (``dock_door_location_invalid``).
    """
    tenant_id = _tenant(principal)
    _check_reader(tenant_id, device)
    door = DockDoor(
        tenant_id=tenant_id,
        device=device,
        antenna=_clean_antenna(antenna),
        name=_clean_text(name, "name", NAME_MAX),
        place=_clean_text(place, "place", PLACE_MAX),
        direction=_clean_direction(direction),
        location_id=_clean_location(location_id),
    )
    with transaction.atomic():
        _save(door, tenant_id)
        _audit(principal, "dock_door_created", "tracking.dock_door", door.pk, device=device.pk)
    return door


@dataclass(frozen=True)
class DockDoorChanges:
    """What ``dock_door_update`` changes; None leaves a field as it is (``antenna``: use
    ``antenna_all=True`` for the whole reader)."""

    name: str | None = None
    place: str | None = None
    direction: str | None = None
    antenna: int | None = None
    antenna_all: bool = False
    location_id: str | None = None
    active: bool | None = None


def dock_door_update(*, principal: Principal, door: DockDoor, changes: DockDoorChanges) -> DockDoor:
    """Change a door of the principal's tenant; the rules of ``dock_door_create`` hold.

    Deactivating (``active=False``) keeps the door and its history: its reads no longer move
    shipments. Changing nothing writes nothing."""
    tenant_id = _tenant(principal)
    if door.tenant_id != tenant_id:
        raise NotAllowed()
    changed: list[str] = []
    values: dict[str, object] = {}
    if changes.name is not None:
        values["name"] = _clean_text(changes.name, "name", NAME_MAX)
    if changes.place is not None:
        values["place"] = _clean_text(changes.place, "place", PLACE_MAX)
    if changes.direction is not None:
        values["direction"] = _clean_direction(changes.direction)
    if changes.antenna_all:
        values["antenna"] = None
    elif changes.antenna is not None:
        values["antenna"] = _clean_antenna(changes.antenna)
    if changes.location_id is not None:
        values["location_id"] = _clean_location(changes.location_id)
    if changes.active is not None:
        values["active"] = changes.active
    for name, value in values.items():
        if getattr(door, name) != value:
            setattr(door, name, value)
            changed.append(name)
    if not changed:
        return door
    with transaction.atomic():
        _save(door, tenant_id)
        _audit(principal, "dock_door_changed", "tracking.dock_door", door.pk, fields=changed)
    return door


def sgtin_urn_of(text: str) -> str:
    """The SGTIN pure-identity URN of ``text``: the URN itself, or the hex of an SGTIN-96/198
    EPC (decoded per TDS 2.0 §14 by ``epcpy``). ShipmentTagInvalid for anything else."""
    try:
        clean = code(text or "")
    except TextRefused as exc:
        raise ShipmentTagInvalid() from exc
    try:
        if clean.startswith("urn:epc:id:"):
            scheme = epc_pure_identity_to_scheme(clean)
            urn = clean
        elif _HEX.fullmatch(clean):
            scheme = hex_to_tag_encodable(clean.upper())
            urn = str(scheme.epc_uri)
        else:
            raise ShipmentTagInvalid()
    except (ConvertException, ValueError, IndexError, KeyError) as exc:
        raise ShipmentTagInvalid() from exc
    if type(scheme).__name__ != "SGTIN":
        raise ShipmentTagInvalid()
    return urn


def shipment_tags_attach(
    *, principal: Principal, shipment: Shipment, epcs: list[str]
) -> list[ShipmentTag]:
    """Attach case tags (1..100 SGTIN URNs or hex) to ``shipment``; the shipment's tags after.

    Attaching a tag the shipment already has changes nothing; a tag of another shipment of
    the tenant is refused (409 ``shipment_tag_taken``) and nothing is attached.
    """
    tenant_id = _tenant(principal)
    if shipment.tenant_id != tenant_id:
        raise NotAllowed()
    if not 1 <= len(epcs) <= TAGS_MAX:
        raise ShipmentTagInvalid()
    urns = sorted({sgtin_urn_of(epc) for epc in epcs})
    existing = dict(
        ShipmentTag.objects.filter(tenant_id=tenant_id, epc_uri__in=urns).values_list(
            "epc_uri", "shipment_id"
        )
    )
    if any(owner != shipment.pk for owner in existing.values()):
        raise ShipmentTagTaken()
    new = [
        ShipmentTag(tenant_id=tenant_id, shipment=shipment, epc_uri=urn)
        for urn in urns
        if urn not in existing
    ]
    if new:
        try:
            with transaction.atomic():
                for tag in new:
                    tag.save()
                _audit(
                    principal,
                    "shipment_tags_attached",
                    "logistics.shipment",
                    shipment.pk,
                    tags=len(new),
                )
        except IntegrityError as exc:
            raise ShipmentTagTaken() from exc
    return list(ShipmentTag.objects.filter(tenant_id=tenant_id, shipment=shipment).order_by("pk"))
