"""Reads behind public tracking. The only code that looks a shipment up across tenants.

A waybill is unique across tenants (its prefix is the tenant's, ADR 0019), so the waybill alone
names one shipment; ``dangerously_unscoped`` is used because a visitor has no tenant, and every
read here is narrowed to that one shipment and its own tenant.

Shapes: times are aware datetimes in UTC (pages show them in Asia/Ho_Chi_Minh); ``status`` and
``kind`` are the values of ``ShipmentStatus`` and ``EventKind``; province names come from
``vietnam-provinces`` (2025 units).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.dateparse import parse_datetime

from logitrack.logistics.models import Order, Shipment, ShipmentEvent
from logitrack.logistics.numbers import WAYBILL_MAX_LENGTH, canonical_waybill
from logitrack.logistics.public.whereabouts import Whereabouts, public_whereabouts
from logitrack.logistics.status import ShipmentStatus
from logitrack.tenancy.geography import province_name


@dataclass(frozen=True)
class Version:
    """What identifies one state of a shipment's public view: any new event changes it."""

    shipment_id: int
    tenant_id: int
    order_id: int
    key: str
    # Out for delivery only: the carrier's coarse position and the ETA window (ADR 0057).
    whereabouts: Whereabouts | None = None


@dataclass(frozen=True)
class PublicEvent:
    occurred_at: datetime
    kind: str
    status: str  # "" for a scan
    place: str  # the place's province name, or "": never the free text typed at the scan
    province: str
    failure_reason: str  # a FailureReason value, or ""


@dataclass(frozen=True)
class PublicTracking:
    waybill: str
    status: str
    status_changed_at: datetime
    eta: datetime | None
    recipient_initials: str
    destination_province: str
    events: tuple[PublicEvent, ...]
    whereabouts: Whereabouts | None = None


def lookup_text(raw: str) -> str:
    """The text a lookup is made with: the canonical waybill, or "" for anything too long.

    Malformed text is looked up all the same (it matches nothing), so that an unknown and a
    malformed code take the same path and the same time.
    """
    canonical = canonical_waybill(raw[: WAYBILL_MAX_LENGTH * 4])
    return canonical if len(canonical) <= WAYBILL_MAX_LENGTH else ""


_SENTINEL = "\x00waybill\x00"
# (vendor, alias) -> (sql, params, index of the waybill among params)
_COMPILED: dict[tuple[str, str], tuple[str, list[Any], int]] = {}
_COLUMNS = ("pk", "tenant_id", "order_id", "status", "status_changed_at", "eta", "latest_event")


def _version_query() -> QuerySet[Shipment, tuple[Any, ...]]:
    latest_event = (
        ShipmentEvent.dangerously_unscoped.filter(
            tenant_id=OuterRef("tenant_id"), shipment_id=OuterRef("pk")
        )
        .order_by("-id")
        .values("id")[:1]
    )
    rows: QuerySet[Shipment, tuple[Any, ...]] = (
        Shipment.dangerously_unscoped.filter(waybill=_SENTINEL)
        .annotate(latest_event=Subquery(latest_event))
        .values_list(*_COLUMNS)[:2]
    )
    return rows


def _compiled() -> tuple[str, list[Any], int]:
    """The version query's SQL, built by the ORM once per database and reused.

    Building a query with a subquery costs more than running it; the SQL never changes, only
    the waybill parameter does.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    key = (connection.vendor, connection.alias)
    found = _COMPILED.get(key)
    if found is None:
        sql, params = _version_query().query.sql_with_params()
        found = (sql, list(params), list(params).index(_SENTINEL))
        _COMPILED[key] = found
    return found


def public_tracking_version(raw: str) -> Version | None:
    """The current version of the shipment ``raw`` names, or None (unknown or malformed).

    One query, through the index of constraint ``logistics_waybill_unique`` (waybill first) and
    the timeline index for the latest event.
    """
    sql, params, at = _compiled()
    bound = [*params]
    bound[at] = lookup_text(raw)
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)
        rows = cursor.fetchall()
    if len(rows) != 1:
        return None
    pk, tenant_id, order_id, status, changed, eta, latest = rows[0]
    changed = _aware(connection, changed)
    eta = _aware(connection, eta) if eta is not None else None
    eta_part = eta.timestamp() if eta is not None else ""
    key = f"{pk}.{latest or 0}.{status}.{changed.timestamp()}.{eta_part}"
    whereabouts = None
    if status == ShipmentStatus.OUT_FOR_DELIVERY:
        # A moving parcel: its coarse cell and ETA window are part of what the visitor sees.
        whereabouts = public_whereabouts(shipment_id=pk, tenant_id=tenant_id)
        if whereabouts is not None:
            key = f"{key}.{whereabouts.key}"
    return Version(
        shipment_id=pk, tenant_id=tenant_id, order_id=order_id, key=key, whereabouts=whereabouts
    )


def _aware(connection: Any, value: Any) -> datetime:
    """A datetime column read by a raw cursor, as the ORM would give it (aware, UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    # SQLite returns naive text in UTC; PostgreSQL returns aware datetimes.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return cast(datetime, value)


def initials(name: str | None) -> str:
    """``"Trần Thị Bích"`` -> ``"T. T. B."``: the first letter of each word, upper case."""
    words = (name or "").split()
    return " ".join(f"{word[0].upper()}." for word in words if word[0].isalpha())


def _province(code: int | None) -> str:
    if not code:
        return ""
    try:
        return province_name(code)
    except (ValueError, KeyError):
        return ""


def public_tracking(version: Version) -> PublicTracking:
    """What a visitor may see of the shipment ``version`` names (read when not cached)."""
    shipment: Shipment = Shipment.dangerously_unscoped.get(
        pk=version.shipment_id, tenant_id=version.tenant_id
    )
    order: Order = Order.dangerously_unscoped.only(
        "id", "tenant_id", "consignee_name", "delivery_province_code"
    ).get(pk=version.order_id, tenant_id=version.tenant_id)
    rows = ShipmentEvent.dangerously_unscoped.filter(
        tenant_id=version.tenant_id, shipment_id=version.shipment_id
    ).order_by("occurred_at", "id")
    events = []
    for event in rows:
        # The free-text place (and reason text) may hold names, phone numbers or streets typed
        # by staff or drivers: a visitor sees only the province the event's code names.
        province = _province(event.province_code)
        events.append(
            PublicEvent(
                occurred_at=event.occurred_at,
                kind=event.kind,
                status=event.status,
                place=province,
                province=province,
                failure_reason=event.failure_reason,
            )
        )
    return PublicTracking(
        waybill=shipment.waybill,
        status=shipment.status,
        status_changed_at=shipment.status_changed_at,
        eta=shipment.eta,
        recipient_initials=initials(order.consignee_name),
        destination_province=_province(shipment.delivery_province_code),
        events=tuple(events),
        whereabouts=version.whereabouts
        if shipment.status == ShipmentStatus.OUT_FOR_DELIVERY
        else None,
    )
