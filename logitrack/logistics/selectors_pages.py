"""Page-sized reads behind the dispatcher pages, on top of ``logistics.selectors``.

The core selectors give scoped, filtered, sorted querysets; this module cuts them into pages of
``PAGE_SIZE`` rows (one extra row fetched to know whether a next page exists, never a count, so
a page costs the same with a million shipments), loads each row's order with the data keys its
encrypted fields need in one query, and reads what the core selectors do not (an order's items).

Shapes: a calendar day is in Asia/Ho_Chi_Minh; ``day_start`` gives its midnight as an aware
datetime, which is what the core filters take (``[from, to)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from logitrack.core.crypto.api import prefetch_data_keys
from logitrack.logistics import selectors
from logitrack.logistics.models import Order, OrderItem, Shipment, ShipmentEvent
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE_SIZE = 50


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


def _page(rows: QuerySet[Any], number: int) -> Page:
    number = max(1, number)
    start = (number - 1) * PAGE_SIZE
    found = list(rows[start : start + PAGE_SIZE + 1])
    return Page(rows=found[:PAGE_SIZE], number=number, has_next=len(found) > PAGE_SIZE)


def shipments_page(
    *, actor: Principal, filters: selectors.ShipmentFilters, number: int = 1
) -> Page:
    """Page ``number`` of ``selectors.shipments_list``, each shipment with its order loaded."""
    rows = selectors.shipments_list(principal=actor, filters=filters).select_related("order")
    page = _page(rows, number)
    prefetch_data_keys([shipment.order for shipment in page.rows])
    return page


def orders_page(*, actor: Principal, filters: selectors.OrderFilters, number: int = 1) -> Page:
    """Page ``number`` of ``selectors.orders_list``."""
    page = _page(selectors.orders_list(principal=actor, filters=filters), number)
    prefetch_data_keys(page.rows)
    return page


def order_items(*, actor: Principal, order: Order) -> list[OrderItem]:
    """The order's item lines in order; empty for a principal without ``operations.view``."""
    if not actor.has(Permission.OPERATIONS_VIEW) or actor.tenant_id != order.tenant_id:
        return []
    return list(OrderItem.objects.filter(order=order).order_by("position"))


def timeline_for_page(*, actor: Principal, shipment: Shipment) -> list[ShipmentEvent]:
    """``selectors.shipment_timeline`` with who recorded each event, in one query."""
    events = selectors.shipment_timeline(principal=actor, shipment=shipment)
    return list(events.select_related("actor_user"))
