"""The operations dashboard on the signed-in home page: today's shipments by status, failed
attempts and late shipments, with a bar chart drawn on the server as SVG (no script, so the
CSP's ban on inline scripts costs nothing and the chart shows without JavaScript)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from logitrack.logistics.selectors_dashboard import Dashboard, operations_dashboard
from logitrack.logistics.status import ShipmentStatus
from logitrack.tenancy.access import principal_of
from logitrack.tenancy.roles import Permission

CHART_WIDTH = 640
LABEL_WIDTH = 210
BAR_HEIGHT = 22
BAR_GAP = 8
_WARN = {ShipmentStatus.FAILED_ATTEMPT, ShipmentStatus.CANCELLED, ShipmentStatus.RETURNING}


def chart_bars(by_status: list[tuple[str, int]]) -> dict[str, Any]:
    """Geometry of the horizontal bar chart (SVG user units): one bar per status."""
    largest = max((count for _status, count in by_status), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 50
    bars = []
    for index, (status, count) in enumerate(by_status):
        y = index * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            {
                "status": status,
                "label": ShipmentStatus(status).label,
                "count": count,
                "y": y,
                "text_y": y + BAR_HEIGHT - 6,
                "width": round(room * count / largest) if count else 0,
                "count_x": LABEL_WIDTH + (round(room * count / largest) if count else 0) + 6,
                "warn": status in _WARN,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": len(by_status) * (BAR_HEIGHT + BAR_GAP),
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """What the home page needs for the dashboard; empty without ``operations.view``."""
    principal = principal_of(request)
    if principal.tenant is None or not principal.has(Permission.OPERATIONS_VIEW):
        return {}
    dashboard: Dashboard = operations_dashboard(actor=principal)
    return {"dashboard": dashboard, "chart": chart_bars(dashboard.by_status)}
