"""Devices: register, change, disable and enable, rotate the token, assign.

Every service is atomic and writes its audit entry in the same transaction; a refused call
raises a ``TrackingError`` before anything is written. The device token exists only in the
return value of ``device_create`` and ``device_token_rotate``: show it once, never store it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from logitrack.core.text import TextRefused, code, human_text
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import (
    IdentifierTaken,
    InvalidAssignment,
    InvalidDeviceField,
    InvalidIdentifier,
    InvalidNetwork,
    NotAllowed,
)
from logitrack.tracking.models import Device, DeviceAssignment, Driver, Vehicle
from logitrack.tracking.models.devices import AssignmentTarget, DeviceKind
from logitrack.tracking.tokens import device_token_new

# What OsmAnd clients and trackers send as an id: IMEIs, serials, Traccar Client's random
# digits. Printable ASCII without spaces, so the id is safe in a URL, a topic and a log line.
IDENTIFIER = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
NAME_MAX_LENGTH = 100
MAX_NETWORKS = 20


@dataclass(frozen=True)
class CreatedDevice:
    """A new device and its token. The token exists only here."""

    device: Device
    token: str


def _require_manage(principal: Principal) -> int:
    if principal.tenant_id is None or not principal.has(Permission.OPERATIONS_MANAGE):
        raise NotAllowed()
    return principal.tenant_id


def _clean_name(name: str) -> str:
    try:
        clean = human_text(name)
    except TextRefused as exc:
        raise InvalidDeviceField(exc.message, field="name") from exc
    if not clean or len(clean) > NAME_MAX_LENGTH:
        raise InvalidDeviceField(field="name")
    return clean


def clean_networks(networks: list[str]) -> list[str]:
    """CIDR strings in their canonical form (``10.0.0.0/8``, ``2001:db8::/32``); a bare address
    is a /32 or /128. Raises InvalidNetwork for anything else or more than ``MAX_NETWORKS``."""
    if len(networks) > MAX_NETWORKS:
        raise InvalidNetwork()
    clean: list[str] = []
    for item in networks:
        try:
            clean.append(str(ipaddress.ip_network(str(item).strip(), strict=False)))
        except ValueError as exc:
            raise InvalidNetwork() from exc
    return sorted(set(clean))


def _audit(principal: Principal, action: str, device: Device, **details: object) -> None:
    from logitrack.security.services import audit_record

    audit_record(
        action=action,
        actor=actor_of(principal),
        tenant_id=device.tenant_id,
        object_type="tracking.device",
        object_id=str(device.pk),
        details={"kind": device.kind, **details},
    )


def device_create(
    *,
    principal: Principal,
    kind: str,
    identifier: str,
    name: str,
    require_token: bool = False,
    allowed_networks: list[str] | None = None,
) -> CreatedDevice:
    """Register a device of the principal's tenant (``operations.manage``) and return its token.

    Invariants: the identifier is stored in its code form (``core.text.code``: fullwidth and
    other Unicode digits as ASCII, no spaces), as every way in (page, API) would send it, and
    must then be ``IDENTIFIER``; it is globally unique (409 ``device_identifier_taken``
    otherwise, whichever tenant holds it); the token is never stored or audited, only its hash.
    """
    tenant_id = _require_manage(principal)
    if kind not in DeviceKind.values:
        raise InvalidDeviceField(field="kind")
    try:
        identifier = code(identifier or "")
    except TextRefused as exc:
        raise InvalidIdentifier() from exc
    if not IDENTIFIER.fullmatch(identifier):
        raise InvalidIdentifier()
    clean_name = _clean_name(name)
    networks = clean_networks(allowed_networks or [])
    if Device.dangerously_unscoped.filter(identifier=identifier).exists():
        raise IdentifierTaken()
    new = device_token_new()
    try:
        with transaction.atomic():
            device = Device(
                tenant_id=tenant_id,
                kind=kind,
                identifier=identifier,
                name=clean_name,
                token_prefix=new.prefix,
                token_hash=new.secret_hash,
                require_token=require_token,
                allowed_networks=networks,
            )
            device.save()
            _audit(principal, "device_created", device)
    except IntegrityError as exc:  # a concurrent registration of the same identifier
        raise IdentifierTaken() from exc
    return CreatedDevice(device=device, token=new.token)


def device_update(
    *,
    principal: Principal,
    device: Device,
    name: str | None = None,
    require_token: bool | None = None,
    allowed_networks: list[str] | None = None,
) -> Device:
    """Change a device's name, token requirement or allowed networks (``operations.manage``)."""
    _require_manage(principal)
    changed: list[str] = []
    if name is not None:
        device.name = _clean_name(name)
        changed.append("name")
    if require_token is not None:
        device.require_token = require_token
        changed.append("require_token")
    if allowed_networks is not None:
        device.allowed_networks = clean_networks(allowed_networks)
        changed.append("allowed_networks")
    if changed:
        with transaction.atomic():
            device.save(update_fields=changed)
            _audit(principal, "device_updated", device, fields=changed)
    return device


def _set_enabled(principal: Principal, device: Device, enabled: bool) -> Device:
    _require_manage(principal)
    if device.enabled == enabled:
        return device
    with transaction.atomic():
        device.enabled = enabled
        device.save(update_fields=["enabled"])
        _audit(principal, "device_enabled" if enabled else "device_disabled", device)
    return device


def device_disable(*, principal: Principal, device: Device) -> Device:
    """Refuse the device's reports from now on (the gateway answers 400/404); idempotent."""
    return _set_enabled(principal, device, False)


def device_enable(*, principal: Principal, device: Device) -> Device:
    """Accept the device's reports again; idempotent."""
    return _set_enabled(principal, device, True)


def device_token_rotate(*, principal: Principal, device: Device) -> CreatedDevice:
    """Give the device a new token; the old one stops working at once."""
    _require_manage(principal)
    new = device_token_new()
    with transaction.atomic():
        device.token_prefix = new.prefix
        device.token_hash = new.secret_hash
        device.save(update_fields=["token_prefix", "token_hash"])
        _audit(principal, "device_token_rotated", device)
    return CreatedDevice(device=device, token=new.token)


def device_assign(
    *,
    principal: Principal,
    device: Device,
    target: str,
    vehicle: Vehicle | None = None,
    driver: Driver | None = None,
    place_name: str = "",
) -> DeviceAssignment | None:
    """End the device's open assignment and start a new one; ``target="none"`` only ends it.

    Exactly one of: a vehicle (``target="vehicle"``), a driver (``"driver"``), or the name of a
    warehouse or dock (``"warehouse"``/``"dock"``). The vehicle or driver must be the
    principal's tenant's (callers get them through ``access_*``). History is kept.
    """
    tenant_id = _require_manage(principal)
    clean_place = ""
    if target == AssignmentTarget.VEHICLE:
        ok = vehicle is not None and driver is None and vehicle.tenant_id == tenant_id
    elif target == AssignmentTarget.DRIVER:
        ok = driver is not None and vehicle is None and driver.tenant_id == tenant_id
    elif target in (AssignmentTarget.WAREHOUSE, AssignmentTarget.DOCK):
        try:
            clean_place = human_text(place_name)
        except TextRefused as exc:
            raise InvalidAssignment(exc.message) from exc
        ok = vehicle is None and driver is None and 0 < len(clean_place) <= 100
    else:
        ok = target == "none" and vehicle is None and driver is None
    if not ok:
        raise InvalidAssignment()
    now = timezone.now()
    with transaction.atomic():
        DeviceAssignment.objects.filter(device=device, ended_at__isnull=True).update(ended_at=now)
        assignment = None
        if target != "none":
            assignment = DeviceAssignment(
                tenant_id=tenant_id,
                device=device,
                target=target,
                vehicle=vehicle,
                driver=driver,
                place_name=clean_place,
                started_at=now,
            )
            assignment.save()
        _audit(principal, "device_assigned", device, target=target)
    return assignment
