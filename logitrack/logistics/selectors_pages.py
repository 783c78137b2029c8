"""Reads behind the dispatcher pages: shipment and order lists, one shipment, its timeline.

Every function takes the acting ``Principal`` and reads only its bound tenant (the scoped
managers raise without one); one without ``operations.view`` reads nothing
(``NotAllowed`` / ``ShipmentNotFound``), so a page cannot forget the check.

Shapes: ``ShipmentFilters`` holds already-cleaned values (the page's form cleans them): dates are
calendar days in Asia/Ho_Chi_Minh, ``query`` is free text matched exactly against the waybill,
the customer's reference or the consignee's phone (E.164, through the blind index; ADR 0005).
Lists are pages of ``PAGE_SIZE`` rows fetched with one extra row to know whether a next page
exists, never counted, so that a page costs the same with a million shipments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from logitrack.core.crypto.canonical import e164
from logitrack.core.crypto.api import prefetch_data_keys
from logitrack.logistics.errors import NotAllowed, OrderNotFound, ShipmentNotFound
from logitrack.logistics.models import Order, OrderItem, Shipment, ShipmentEvent
from logitrack.logistics.numbers import canonical_waybill, waybill_is_well_formed
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE_SIZE = 50
BULK_MAX = 200

SHIPMENT_SORTS: dict[str, tuple[str, ...]] = {
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "status": ("status", "-created_at", "-id"),
    "waybill": ("waybill",),
}
ORDER_SORTS: dict[str, tuple[str, ...]] = {
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "reference": ("reference", "-id"),
}


@dataclass(frozen=True)
class ShipmentFilters:
    query: str = ""
    status: str = ""
    service_level: str = ""
    province_code: int | None = None
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "-created"
    page: int = 1


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def day_start(day: date) -> datetime:
    """Midnight of ``day`` in Asia/Ho_Chi_Minh, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=VIETNAM)


def _viewer(principal: Principal) -> None:
    if not principal.has(Permission.OPERATIONS_VIEW):
        raise NotAllowed()


def _phone(text: str) -> str | None:
    try:
        return e164(text)
    except ValidationError:
        return None


def _search(query: str, *, prefix: str = "") -> Q:
    """Exact match on waybill, reference or consignee phone; ``prefix`` reaches the order."""
    order = f"{prefix}" if prefix else ""
    match = Q(**{f"{order}reference": query})
    if not prefix and waybill_is_well_formed(query):
        match |= Q(waybill=canonical_waybill(query))
    phone = _phone(query)
    if phone is not None:
        match |= Q(**{f"{order}consignee_phone": phone})
    return match


def _page(rows: QuerySet[Any], number: int) -> Page:
    number = max(1, number)
    start = (number - 1) * PAGE_SIZE
    found = list(rows[start : start + PAGE_SIZE + 1])
    return Page(rows=found[:PAGE_SIZE], number=number, has_next=len(found) > PAGE_SIZE)


def shipments_page(*, actor: Principal, filters: ShipmentFilters) -> Page:
    """One page of the tenant's shipments, newest first unless ``filters.sort`` says otherwise.

    Rows are ``Shipment`` with their ``order`` loaded (consignee fields decrypt on access).
    """
    _viewer(actor)
    rows = Shipment.objects.select_related("order")
    if filters.query:
        query = filters.query
        by_waybill = Q(waybill=canonical_waybill(query)) if waybill_is_well_formed(query) else Q()
        by_order = _search(query, prefix="order__")
        rows = rows.filter(by_waybill | by_order) if by_waybill else rows.filter(by_order)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.service_level:
        rows = rows.filter(service_level=filters.service_level)
    if filters.province_code:
        rows = rows.filter(delivery_province_code=filters.province_code)
    if filters.created_from:
        rows = rows.filter(created_at__gte=day_start(filters.created_from))
    if filters.created_to:
        rows = rows.filter(created_at__lt=day_start(filters.created_to + timedelta(days=1)))
    rows = rows.order_by(*SHIPMENT_SORTS.get(filters.sort, SHIPMENT_SORTS["-created"]))
    page = _page(rows, filters.page)
    prefetch_data_keys([shipment.order for shipment in page.rows])
    return page


def orders_page(*, actor: Principal, filters: ShipmentFilters) -> Page:
    """One page of the tenant's orders; the same filters, read on the order's own fields."""
    _viewer(actor)
    rows = Order.objects.select_related("shipper")
    if filters.query:
        query = filters.query
        match = _search(query, prefix="")
        if waybill_is_well_formed(query):
            match |= Q(shipments__waybill=canonical_waybill(query))
        rows = rows.filter(match)
    if filters.status:
        rows = rows.filter(shipments__status=filters.status)
    if filters.service_level:
        rows = rows.filter(service_level=filters.service_level)
    if filters.province_code:
        rows = rows.filter(delivery_province_code=filters.province_code)
    if filters.created_from:
        rows = rows.filter(created_at__gte=day_start(filters.created_from))
    if filters.created_to:
        rows = rows.filter(created_at__lt=day_start(filters.created_to + timedelta(days=1)))
    rows = rows.distinct().order_by(*ORDER_SORTS.get(filters.sort, ORDER_SORTS["-created"]))
    page = _page(rows, filters.page)
    prefetch_data_keys(page.rows)
    return page


def shipment_for_page(*, actor: Principal, waybill: str) -> Shipment:
    """The tenant's shipment ``waybill`` (any spelling), with its order and shipper.

    Missing, malformed, another tenant's and not permitted all raise ShipmentNotFound.
    """
    if not actor.has(Permission.OPERATIONS_VIEW):
        raise ShipmentNotFound()
    found: Shipment | None = (
        Shipment.objects.select_related("order", "order__shipper")
        .filter(waybill=canonical_waybill(waybill))
        .first()
    )
    if found is None:
        raise ShipmentNotFound()
    return found


def order_for_page(*, actor: Principal, order_id: int) -> Order:
    """The tenant's order ``order_id`` with its shipper; ``OrderNotFound`` otherwise."""
    if not actor.has(Permission.OPERATIONS_VIEW):
        raise OrderNotFound()
    found: Order | None = Order.objects.select_related("shipper").filter(pk=order_id).first()
    if found is None:
        raise OrderNotFound()
    return found


def order_shipments(*, actor: Principal, order: Order) -> list[Shipment]:
    _viewer(actor)
    return list(Shipment.objects.filter(order=order).order_by("parcel_number"))


def shipment_timeline(*, actor: Principal, shipment: Shipment) -> list[ShipmentEvent]:
    """Every event of ``shipment``, oldest first (as reported, applied or not)."""
    _viewer(actor)
    return list(
        ShipmentEvent.objects.filter(shipment=shipment)
        .select_related("actor_user")
        .order_by("occurred_at", "id")
    )


def shipments_by_waybills(*, actor: Principal, waybills: list[str]) -> list[Shipment]:
    """The tenant's shipments among ``waybills``, in the given order; unknown ones left out."""
    _viewer(actor)
    wanted = [canonical_waybill(w) for w in waybills[:BULK_MAX]]
    found = {
        s.waybill: s
        for s in Shipment.objects.select_related("order", "order__shipper").filter(
            waybill__in=wanted
        )
    }
    return [found[w] for w in dict.fromkeys(wanted) if w in found]


def order_items(*, actor: Principal, order: Order) -> list[OrderItem]:
    _viewer(actor)
    return list(OrderItem.objects.filter(order=order).order_by("position"))
