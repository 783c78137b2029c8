"""Tracking objects for tests; each inherits its tenant from the membership or device given."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for
from logitrack.tracking.models import Device, DockDoor, TagObservation
from logitrack.tracking.services.devices import CreatedDevice, device_create

_serial = itertools.count(1)


def make_manager() -> Membership:
    return make_member(make_tenant(), Role.DISPATCHER)


def make_device(
    membership: Membership,
    *,
    kind: str = "phone",
    identifier: str | None = None,
    require_token: bool = False,
    allowed_networks: list[str] | None = None,
) -> CreatedDevice:
    with tenant_context(membership.tenant):
        return device_create(
            principal=principal_for(membership),
            kind=kind,
            identifier=identifier or f"86{next(_serial):013d}",
            name="Xe tải 51C-123.45",
            require_token=require_token,
            allowed_networks=allowed_networks,
        )


def make_reader(tenant: Tenant) -> Device:
    """An RFID reader of ``tenant`` (a Zebra FX9600's identifier), written directly."""
    from logitrack.tracking.tokens import device_token_new

    new = device_token_new()
    with tenant_context(tenant):
        device: Device = Device.objects.create(
            kind="rfid_reader",
            identifier=f"FX9600{next(_serial):08d}",
            name="Đầu đọc cửa kho",
            token_prefix=new.prefix,
            token_hash=new.secret_hash,
        )
    return device


def make_dock_door(
    device: Device,
    *,
    direction: str = "in",
    antenna: int | None = 1,
    place: str = "Kho Tân Bình",
    **fields: Any,
) -> DockDoor:
    """A dock door on ``device``'s antenna, in ``device``'s tenant."""
    values: dict[str, Any] = {
        "name": f"Cửa {next(_serial)}",
        "place": place,
        "direction": direction,
        "antenna": antenna,
    }
    values.update(fields)
    with tenant_context(device.tenant_id):
        door: DockDoor = DockDoor.objects.create(
            tenant_id=device.tenant_id, device=device, **values
        )
    return door


def make_observation(
    device: Device,
    epc_uri: str,
    *,
    door: DockDoor | None = None,
    antenna: int = 1,
    first_seen: dt.datetime | None = None,
    **fields: Any,
) -> TagObservation:
    """A saved observation of ``epc_uri`` (``""`` for a raw tag, give ``epc_hex``) at
    ``door`` (on ``device``), read once at ``first_seen`` (default now)."""
    seen = first_seen or timezone.now()
    scheme = epc_uri.split(":")[3] if epc_uri.startswith("urn:epc:id:") else "raw"
    values: dict[str, Any] = {
        "epc_hex": f"3074{next(_serial):020X}",
        "scheme": scheme if scheme in ("sgtin", "sscc") else ("gs1" if epc_uri else "raw"),
        "first_seen": seen,
        "last_seen": seen,
        "read_count": 1,
        "peak_rssi": -52,
    }
    values.update(fields)
    with tenant_context(device.tenant_id):
        observation: TagObservation = TagObservation.objects.create(
            tenant_id=device.tenant_id,
            device=device,
            antenna=door.antenna or antenna if door is not None else antenna,
            dock_door=door,
            epc_uri=epc_uri,
            **values,
        )
    return observation
