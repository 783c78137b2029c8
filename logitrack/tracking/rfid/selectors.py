"""Read paths of dock doors and tag observations, always within the principal's tenant."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery

from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.models import Device, DockDoor, TagObservation
from logitrack.tracking.models.devices import DeviceKind

_RAW_URN = re.compile(r"urn:epc:raw:([0-9]{1,3})\.x([0-9A-Fa-f]{1,124})")


def _viewer(principal: Principal) -> int | None:
    if principal.tenant_id is None or not principal.has(Permission.OPERATIONS_VIEW):
        return None
    return principal.tenant_id


def dock_doors_of_tenant(*, principal: Principal) -> QuerySet[DockDoor]:
    """The tenant's dock doors with their reader and ``last_read`` (the newest observation's
    ``last_seen``, None before any), active first, by name; empty without
    ``operations.view`` (fail closed)."""
    tenant_id = _viewer(principal)
    if tenant_id is None:
        return DockDoor.objects.none()
    last_read = (
        TagObservation.objects.filter(tenant_id=tenant_id, dock_door_id=OuterRef("pk"))
        .order_by("-last_seen")
        .values("last_seen")[:1]
    )
    doors: QuerySet[DockDoor] = (
        DockDoor.objects.filter(tenant_id=tenant_id)
        .select_related("device")
        .annotate(last_read=Subquery(last_read))
        .order_by("-active", "name", "pk")
    )
    return doors


READS_SHOWN = 50


def recent_reads_of_reader(*, principal: Principal, device: Device) -> QuerySet[TagObservation]:
    """The ``READS_SHOWN`` latest observations of ``device`` (a reader the caller got through
    ``access_device_by_id``), newest first, with their door and shipment; empty without
    ``operations.view`` or for another tenant's device (fail closed)."""
    tenant_id = _viewer(principal)
    if tenant_id is None or device.tenant_id != tenant_id:
        return TagObservation.objects.none()
    return (
        TagObservation.objects.filter(tenant_id=tenant_id, device_id=device.pk)
        .select_related("dock_door", "shipment")
        .order_by("-last_seen", "-pk")[:READS_SHOWN]
    )


def rfid_readers_of_tenant(*, principal: Principal) -> QuerySet[Device]:
    """The tenant's RFID readers, by name (the choices of a dock door's reader)."""
    tenant_id = _viewer(principal)
    if tenant_id is None:
        return Device.objects.none()
    return Device.objects.filter(tenant_id=tenant_id, kind=DeviceKind.RFID_READER).order_by(
        "name", "pk"
    )


@dataclass(frozen=True)
class EventFilters:
    """``device``: a reader's identifier; ``since`` inclusive, ``until`` exclusive (on
    ``first_seen``); ``epc``: a pure-identity URN or a raw URN (``urn:epc:raw:96.x...``);
    ``after``: the (first_seen, id) of the last event of the previous page."""

    device: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    epc: str | None = None
    after: tuple[datetime, int] | None = None


def epcis_observations(
    *, principal: Principal, filters: EventFilters, limit: int
) -> list[TagObservation]:
    """At most ``limit`` of the tenant's observations in (first_seen, id) order after
    ``filters.after``, with door and reader loaded: one query on the (tenant, first_seen, id)
    index, bounded memory whatever the range. Another tenant's reader identifier or EPC simply
    matches nothing."""
    tenant_id = _viewer(principal)
    if tenant_id is None:
        return []
    rows = TagObservation.objects.filter(tenant_id=tenant_id)
    if filters.device is not None:
        rows = rows.filter(device__identifier=filters.device, device__tenant_id=tenant_id)
    if filters.since is not None:
        rows = rows.filter(first_seen__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(first_seen__lt=filters.until)
    if filters.epc is not None:
        raw = _RAW_URN.fullmatch(filters.epc)
        if raw is not None:
            rows = rows.filter(epc_uri="", epc_hex=raw.group(2).upper())
        else:
            rows = rows.filter(epc_uri=filters.epc)
    if filters.after is not None:
        moment, pk = filters.after
        rows = rows.filter(Q(first_seen__gt=moment) | Q(first_seen=moment, pk__gt=pk))
    return list(rows.select_related("dock_door", "device").order_by("first_seen", "pk")[:limit])
