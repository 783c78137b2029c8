"""Reads behind the operations dashboard (the signed-in home page).

"Today" is the calendar day in Asia/Ho_Chi_Minh, whatever the server's clock zone. A shipment is
*late* when its order's delivery window has ended (``delivery_window_end`` before now) and it is
not delivered, returned or cancelled; a *failed attempt* is a timeline event of status
``failed_attempt`` that occurred today.

Shapes: counts are ints; ``by_status`` lists every ``ShipmentStatus`` in the machine's order with
its count among the shipments created today (zeros included, so the chart keeps its axis).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from logitrack.logistics.errors import NotAllowed
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.logistics.selectors_pages import VIETNAM, day_start
from logitrack.logistics.status import ShipmentStatus
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

LATE_LIST_MAX = 10
_CLOSED = (ShipmentStatus.DELIVERED, ShipmentStatus.RETURNED, ShipmentStatus.CANCELLED)


@dataclass(frozen=True)
class Dashboard:
    day_start: datetime
    by_status: list[tuple[str, int]]
    created_today: int
    failed_attempts_today: int
    late_count: int
    late: list[Shipment]


def operations_dashboard(*, actor: Principal, now: datetime | None = None) -> Dashboard:
    """Today's figures of the actor's tenant; ``NotAllowed`` without ``operations.view``."""
    if not actor.has(Permission.OPERATIONS_VIEW):
        raise NotAllowed()
    moment = now or timezone.now()
    start = day_start(moment.astimezone(VIETNAM).date())
    end = start + timedelta(days=1)
    counted = dict(
        Shipment.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    by_status = [(status.value, int(counted.get(status.value, 0))) for status in ShipmentStatus]
    failed = ShipmentEvent.objects.filter(
        status=ShipmentStatus.FAILED_ATTEMPT, occurred_at__gte=start, occurred_at__lt=end
    ).count()
    late_rows = Shipment.objects.filter(order__delivery_window_end__lt=moment).exclude(
        status__in=_CLOSED
    )
    late = list(
        late_rows.select_related("order").order_by("order__delivery_window_end", "id")[
            :LATE_LIST_MAX
        ]
    )
    return Dashboard(
        day_start=start,
        by_status=by_status,
        created_today=sum(count for _status, count in by_status),
        failed_attempts_today=failed,
        late_count=late_rows.count(),
        late=late,
    )
