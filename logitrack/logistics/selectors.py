"""Read-only queries of orders, shipments and timelines, scoped to the caller's tenant.

Search (``q``) is exact, never a substring scan of personal data: a well-formed waybill matches
its shipment; a phone number (any spelling ``phonenumbers`` reads as Vietnamese) matches the
consignee's phone through its blind index, or the customer reference spelled the same; anything
else matches the customer reference. An unauthorised caller gets an empty result (fail closed).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import DateTimeField, Func, Q, QuerySet

from logitrack.core.crypto.api import blind_index
from logitrack.core.tenant import bound_tenant_id
from logitrack.core.text import TextRefused, human_text
from logitrack.logistics.actors import SystemCaller
from logitrack.logistics.models import Order, OrderItem, Shipment, ShipmentEvent, Shipper
from logitrack.logistics.numbers import canonical_waybill, waybill_is_well_formed
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

ShipmentSort = Literal["created_at", "-created_at", "status_changed_at", "-status_changed_at"]
OrderSort = Literal["created_at", "-created_at"]
# Orders a search may match before the shipments list reads them as a subquery instead of a list.
SEARCH_ORDERS_MAX = 500
# Shipments a creation-date range may hold for a status-change sort to read the range and sort it
# (from an index that holds both times) rather than walk the status-change index, and shipments
# such a walk may pass before it reaches the range (ADR 0046).
RANGE_SORT_MAX = 50_000


class Unindexed(Func):
    """The column's own value, written so that no index can give its order (``+x`` on SQLite,
    ``x + '0 s'`` on PostgreSQL): the planner then reads the rows the filters name and sorts
    them, instead of walking an index in list order and dropping rows the filters refuse."""

    arity = 1
    template = "+%(expressions)s"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(%(expressions)s + INTERVAL '0 seconds')", **extra
        )


@dataclass(frozen=True)
class ShipmentFilters:
    """Filters of the shipments list; None means "any". Dates are aware datetimes, [from, to)."""

    status: tuple[str, ...] = ()
    service_level: str | None = None
    province_code: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    q: str | None = None
    sort: ShipmentSort = "-created_at"
    vehicle_id: int | None = None  # the carrier vehicle's (ADR 0057)


@dataclass(frozen=True)
class OrderFilters:
    service_level: str | None = None
    province_code: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    status: tuple[str, ...] = ()
    q: str | None = None
    sort: OrderSort = "-created_at"


def _tenant(principal: Principal, *permissions: Permission) -> int | None:
    tenant_id = principal.tenant_id
    if tenant_id is None or bound_tenant_id() != tenant_id:
        return None
    if not any(principal.has(p) for p in permissions):
        return None
    return tenant_id


def _phone_index(text: str) -> str | None:
    try:
        return blind_index(Order, "consignee_phone", text) or None
    except ValidationError:
        return None


def _search_text(q: str | None) -> str:
    if not q:
        return ""
    try:
        return human_text(q)[:200]
    except TextRefused:
        return ""


def _order_search(text: str, prefix: str = "") -> Q:
    """The condition for ``text`` on an order (``prefix``: the path to the order)."""
    phone = _phone_index(text) if any(ch.isdigit() for ch in text) else None
    condition = Q(**{f"{prefix}reference": text})
    if phone is not None:
        condition |= Q(**{f"{prefix}consignee_phone_index": phone})
    return condition


class SqliteUnindexed(Func):
    """The column's own value, written ``+x`` on SQLite so that its indexes are not used for a
    condition on it; the plain column elsewhere (PostgreSQL's planner already reads the range
    from the covering index)."""

    arity = 1
    template = "+%(expressions)s"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="%(expressions)s", **extra)


def shipments_list(*, principal: Principal, filters: ShipmentFilters) -> QuerySet[Shipment]:
    """Shipments of the principal's tenant (``operations.view`` or ``driver.tasks``), filtered
    and sorted (ties broken by id, newest first), without their orders' encrypted fields."""
    tenant_id = _tenant(principal, Permission.OPERATIONS_VIEW, Permission.DRIVER_TASKS)
    if tenant_id is None:
        return Shipment.objects.none()
    rows: QuerySet[Shipment] = Shipment.objects.filter(tenant_id=tenant_id)
    by_change = filters.sort.lstrip("-") == "status_changed_at"
    read_range = by_change and _range_is_small(tenant_id, filters)
    if read_range:
        # The range is read from logistics_shipment_range alone: SQLite would rather take the
        # status or province index for an equality and read each row's status-change time
        # from the table (a week of delivered shipments: 35,000 reads).
        rows = rows.alias(
            list_status=SqliteUnindexed("status"),
            list_service=SqliteUnindexed("service_level"),
            list_province=SqliteUnindexed("delivery_province_code"),
        )
        names = {"status": "list_status", "service": "list_service", "province": "list_province"}
    else:
        names = {
            "status": "status",
            "service": "service_level",
            "province": "delivery_province_code",
        }
    if filters.status:
        rows = rows.filter(**{f"{names['status']}__in": filters.status})
    if filters.service_level:
        rows = rows.filter(**{names["service"]: filters.service_level})
    if filters.province_code is not None:
        rows = rows.filter(**{names["province"]: filters.province_code})
    if filters.created_from is not None:
        rows = rows.filter(created_at__gte=filters.created_from)
    if filters.created_to is not None:
        rows = rows.filter(created_at__lt=filters.created_to)
    if filters.vehicle_id is not None:
        rows = rows.filter(carrier_vehicle_id=filters.vehicle_id)
    rows = _searched(rows, tenant_id, _search_text(filters.q))
    tiebreak = "-id" if filters.sort.startswith("-") else "id"
    if read_range:
        changed = Unindexed("status_changed_at", output_field=DateTimeField())
        order = changed.desc() if filters.sort.startswith("-") else changed.asc()
        return rows.order_by(order, tiebreak)
    return rows.order_by(filters.sort, tiebreak)


def _searched(rows: QuerySet[Shipment], tenant_id: int, text: str) -> QuerySet[Shipment]:
    """``rows`` matching the search ``text`` (a waybill, a reference or a phone), if any."""
    if not text:
        return rows
    if waybill_is_well_formed(text):
        rows = rows.filter(waybill=canonical_waybill(text))
    else:
        orders = Order.objects.filter(tenant_id=tenant_id).filter(_order_search(text))
        # The matching orders are few: read them first and hand the list to the query, so
        # that SQLite's planner takes the shipments of these orders (logistics_shipment_order)
        # rather than walking a status-and-province index past every other row (ADR 0044).
        found = list(orders.values_list("pk", flat=True)[: SEARCH_ORDERS_MAX + 1])
        if len(found) > SEARCH_ORDERS_MAX:
            rows = rows.filter(order__in=orders.values("pk"))
        else:
            rows = rows.filter(order__in=found)
    return rows


def _at_most(rows: QuerySet[Shipment], most: int) -> bool:
    """Whether ``rows`` hold at most ``most`` rows, counting no more than ``most + 1``."""
    # A sliced count is counted over the slice: SELECT COUNT(*) FROM (... LIMIT n).
    return rows.order_by().values("pk")[: most + 1].count() <= most


def _range_is_small(tenant_id: int, filters: ShipmentFilters) -> bool:
    """Whether a status-change sort should read the creation-date range and sort it.

    The status-change index walked newest (oldest) first reaches a range's rows only after every
    row changed after (before) it: for a week two months back, most of a million. The range read
    from ``logistics_shipment_range`` costs its size. So the range is sorted when it holds at
    most ``RANGE_SORT_MAX`` shipments, and also when the walk would first pass more than that
    (the shipments created after the range for newest first, before it for oldest first); only a
    large range whose walk starts at once (newest first with no end, say) is walked. Each count
    reads at most ``RANGE_SORT_MAX + 1`` entries of the creation index (ADR 0046).
    """
    start, end = filters.created_from, filters.created_to
    if start is None and end is None:
        return False
    mine = Shipment.objects.filter(tenant_id=tenant_id)
    in_range = mine
    if start is not None:
        in_range = in_range.filter(created_at__gte=start)
    if end is not None:
        in_range = in_range.filter(created_at__lt=end)
    if _at_most(in_range, RANGE_SORT_MAX):
        return True
    newest_first = filters.sort.startswith("-")
    if newest_first and end is not None:
        return not _at_most(mine.filter(created_at__gte=end), RANGE_SORT_MAX)
    if not newest_first and start is not None:
        return not _at_most(mine.filter(created_at__lt=start), RANGE_SORT_MAX)
    return False


def orders_list(*, principal: Principal, filters: OrderFilters) -> QuerySet[Order]:
    """Orders of the principal's tenant (``operations.view``), filtered and sorted."""
    tenant_id = _tenant(principal, Permission.OPERATIONS_VIEW)
    if tenant_id is None:
        return Order.objects.none()
    rows: QuerySet[Order] = Order.objects.filter(tenant_id=tenant_id).select_related("shipper")
    if filters.service_level:
        rows = rows.filter(service_level=filters.service_level)
    if filters.province_code is not None:
        rows = rows.filter(delivery_province_code=filters.province_code)
    if filters.created_from is not None:
        rows = rows.filter(created_at__gte=filters.created_from)
    if filters.created_to is not None:
        rows = rows.filter(created_at__lt=filters.created_to)
    if filters.status:
        having = Shipment.objects.filter(tenant_id=tenant_id, status__in=filters.status)
        rows = rows.filter(pk__in=having.values("order_id"))
    text = _search_text(filters.q)
    if text:
        if waybill_is_well_formed(text):
            found = Shipment.objects.filter(tenant_id=tenant_id, waybill=canonical_waybill(text))
            rows = rows.filter(pk__in=found.values("order_id"))
        else:
            rows = rows.filter(_order_search(text))
    tiebreak = "-id" if filters.sort.startswith("-") else "id"
    return rows.order_by(filters.sort, tiebreak)


def shipments_of_order(*, principal: Principal, order: Order) -> QuerySet[Shipment]:
    tenant_id = _tenant(principal, Permission.OPERATIONS_VIEW)
    if tenant_id is None or order.tenant_id != tenant_id:
        return Shipment.objects.none()
    return Shipment.objects.filter(tenant_id=tenant_id, order=order).order_by("parcel_number")


def order_items(*, principal: Principal, order: Order) -> QuerySet[OrderItem]:
    tenant_id = _tenant(principal, Permission.OPERATIONS_VIEW)
    if tenant_id is None or order.tenant_id != tenant_id:
        return OrderItem.objects.none()
    return OrderItem.objects.filter(tenant_id=tenant_id, order=order).order_by("position")


def shipment_timeline(*, principal: Principal, shipment: Shipment) -> QuerySet[ShipmentEvent]:
    """The shipment's events in the order they happened (ties: in the order recorded)."""
    tenant_id = _tenant(principal, Permission.OPERATIONS_VIEW, Permission.DRIVER_TASKS)
    if tenant_id is None or shipment.tenant_id != tenant_id:
        return ShipmentEvent.objects.none()
    return ShipmentEvent.objects.filter(tenant_id=tenant_id, shipment=shipment).order_by(
        "occurred_at", "id"
    )


def shippers_list(*, principal: Principal) -> QuerySet[Shipper]:
    tenant_id = _tenant(principal, Permission.OPERATIONS_VIEW)
    if tenant_id is None:
        return Shipper.objects.none()
    return Shipper.objects.filter(tenant_id=tenant_id).order_by("name", "id")


def shipments_by_waybills(*, principal: Principal, waybills: list[str]) -> dict[str, Shipment]:
    """The principal's shipments for ``waybills`` (any spelling), keyed by canonical waybill;
    malformed, unknown and other tenants' waybills are simply absent."""
    tenant_id = _tenant(principal, Permission.OPERATIONS_VIEW, Permission.DRIVER_TASKS)
    if tenant_id is None:
        return {}
    wanted = {canonical_waybill(w) for w in waybills if waybill_is_well_formed(w)}
    rows = Shipment.objects.filter(tenant_id=tenant_id, waybill__in=wanted)
    return {shipment.waybill: shipment for shipment in rows}


def shipments_for_rfid(
    *, caller: SystemCaller, ssccs: Collection[str] = (), ids: Collection[int] = ()
) -> list[Shipment]:
    """The caller's tenant's shipments whose SSCC is in ``ssccs`` (18 digits) or whose id is
    in ``ids``: what RFID dock doors match their reads to. Other tenants' shipments with the
    same SSCC are never returned (the SSCC is unique per tenant only)."""
    if not ssccs and not ids:
        return []
    rows = Shipment.objects.filter(tenant_id=caller.tenant_id).filter(
        Q(sscc__in=list(ssccs)) | Q(pk__in=list(ids))
    )
    return list(rows)
