"""Page-sized reads behind the dispatcher pages, on top of ``logistics.selectors``.

The core selectors give scoped, filtered, sorted querysets; this module cuts them into pages of
``PAGE_SIZE`` rows (one extra row fetched to know whether a next page exists, never a count), loads
each row's order with the data keys its encrypted fields need in one query, and reads what the
core selectors do not (an order's items).

Pages are found by keyset (``pagination``): the next page is the rows after the last row shown
(``after``, its cursor), the previous one the rows before the first (``before``), each through
the list's index, so page 10,000 of a million shipments costs what page 2 does. The page number
is what the person is shown; a number without a cursor (typed into the address bar) is still
served, by OFFSET, up to ``TYPED_PAGE_MAX``: a larger number shows that page and says so
(``Page.capped``), since an OFFSET costs in proportion to the rows it passes (ADR 0046).
A cursor that does not decode, or was made for another sort, gives the first page.

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
from logitrack.logistics.pagination import (
    CursorInvalid,
    any_after,
    cursor_of,
    fetch,
    page_before,
    page_of,
)
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PAGE_SIZE = 50
# The deepest page served by a typed number (OFFSET); deeper pages are reached with Next.
TYPED_PAGE_MAX = 200


@dataclass(frozen=True)
class Page:
    """``rows`` of page ``number`` of a list sorted by ``sort`` (then id, same direction)."""

    rows: list[Any]
    number: int
    has_next: bool
    sort: str = "-created_at"
    # A typed page number past TYPED_PAGE_MAX was asked for; this is page TYPED_PAGE_MAX.
    capped: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_cursor(self) -> str | None:
        """Where the previous page ends (``before``); None on an empty page."""
        return cursor_of(self.sort, self.rows[0]) if self.rows else None

    @property
    def last_cursor(self) -> str | None:
        """Where the next page starts (``after``); None on an empty page."""
        return cursor_of(self.sort, self.rows[-1]) if self.rows else None


def day_start(day: date) -> datetime:
    """Midnight of ``day`` in Asia/Ho_Chi_Minh, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=VIETNAM)


def _page(
    rows: QuerySet[Any],
    number: int,
    *,
    sort: str,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    number = max(1, number)
    try:
        if after:
            found = page_of(rows, sort=sort, cursor=after, limit=PAGE_SIZE)
            return Page(found.rows, max(2, number), found.next_cursor is not None, sort)
        if before:
            earlier, more = page_before(rows, sort=sort, cursor=before, limit=PAGE_SIZE)
            if more:
                following = any_after(rows, sort=sort, row=earlier[-1])
                return Page(earlier, max(2, number), following, sort)
            number = 1  # nothing before these rows: they are the first page
    except CursorInvalid:
        number = 1
    capped = number > TYPED_PAGE_MAX
    number = min(number, TYPED_PAGE_MAX)
    start = (number - 1) * PAGE_SIZE
    found_rows = fetch(rows, start, start + PAGE_SIZE + 1)
    return Page(found_rows[:PAGE_SIZE], number, len(found_rows) > PAGE_SIZE, sort, capped)


def shipments_page(
    *,
    actor: Principal,
    filters: selectors.ShipmentFilters,
    number: int = 1,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """Page ``number`` of ``selectors.shipments_list`` (after or before a cursor when given),
    each shipment with its order loaded."""
    rows = selectors.shipments_list(principal=actor, filters=filters).select_related("order")
    page = _page(rows, number, sort=filters.sort, after=after, before=before)
    prefetch_data_keys([shipment.order for shipment in page.rows])
    return page


def orders_page(
    *,
    actor: Principal,
    filters: selectors.OrderFilters,
    number: int = 1,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    """Page ``number`` of ``selectors.orders_list`` (after or before a cursor when given)."""
    rows = selectors.orders_list(principal=actor, filters=filters)
    page = _page(rows, number, sort=filters.sort, after=after, before=before)
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
