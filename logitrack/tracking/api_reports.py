"""The daily report API at /api/v1/reports: a tenant's devices day by day, from the daily
summaries (``tracking.reports``). 422 ``report_range_invalid`` for a bad range, 404
``device_not_found`` for a device not the tenant's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router

from logitrack.core.errors import error_json
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission
from logitrack.tracking import reports
from logitrack.tracking.access import access_device_by_identifier
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.schemas import (
    DailyReportOut,
    DailyReportQuery,
    DailyRowOut,
    DailyTotalsOut,
    DeviceTotalsOut,
)

router = Router(tags=["reports"])


def _totals(totals: reports.Totals | reports.DayRow) -> dict[str, Any]:
    return {
        "distance_m": round(totals.distance_m, 1),
        "moving_s": totals.moving_s,
        "stopped_s": totals.stopped_s,
        "max_speed_kmh": round(totals.max_speed_kmh, 1),
        "trip_count": totals.trip_count,
        "positions": totals.positions,
    }


@router.get(
    "/daily",
    response=DailyReportOut,
    url_name="reports_daily",
    summary="Each device's days: distance, time moving and stopped, highest speed, trips",
)
@requires(Permission.OPERATIONS_VIEW)
def reports_daily(
    request: HttpRequest, query: Query[DailyReportQuery]
) -> DailyReportOut | JsonResponse:
    principal = principal_of(request)
    device = (
        access_device_by_identifier(principal, query.device) if query.device is not None else None
    )
    try:
        report = reports.daily_report(
            principal=principal, start=query.start, end=query.end, device=device
        )
    except TrackingError as exc:
        fields = [{"field": exc.field or "", "code": exc.code, "message": str(exc.message)}]
        return error_json(exc.code, str(exc.message), exc.status, fields=fields)
    return DailyReportOut(
        start=report.start,
        end=report.end,
        days=[
            DailyRowOut(
                device=row.identifier,
                device_name=row.name,
                day=row.day,
                first_fix=row.first_fix,
                last_fix=row.last_fix,
                **_totals(row),
            )
            for row in report.days
        ],
        devices=[
            DeviceTotalsOut(device=d.identifier, device_name=d.name, **_totals(d.totals))
            for d in report.devices
        ],
        totals=DailyTotalsOut(**_totals(report.total)),
    )
