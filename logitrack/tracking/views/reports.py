"""The daily report page under /operations/reports/daily/: a table per vehicle per day with
totals and a bar chart of kilometres per day, and its CSV and XLSX exports, all read from the
daily summaries (``tracking.reports``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from logitrack.core.forms import DateInput
from logitrack.security.services import audit_record
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.roles import Permission
from logitrack.tracking import reports, selectors
from logitrack.tracking.errors import TrackingError
from logitrack.tracking.models import Device
from logitrack.tracking.views.common import render_page

CHART_HEIGHT = 120


class ReportForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), widget=DateInput())
    device = forms.TypedChoiceField(
        label=gettext_lazy("Vehicle"), required=False, coerce=int, empty_value=None
    )


def _form(request: HttpRequest) -> tuple[ReportForm, dt.date, dt.date, Device | None, str | None]:
    """The form, the chosen days and device (the last 7 days, every device, by default), and
    the error to show for an invalid choice."""
    principal = principal_of(request)
    devices = list(selectors.devices_of_tenant(principal=principal))
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=6), today
    form = ReportForm(request.GET if "start" in request.GET else None)
    choose = form.fields["device"]
    assert isinstance(choose, forms.TypedChoiceField)
    choose.choices = [("", _("All vehicles"))] + [
        (d.pk, d.name if d.name else d.identifier) for d in devices
    ]
    if not form.is_bound:
        form.initial = {"start": start, "end": end}
        return form, start, end, None, None
    if not form.is_valid():
        return form, start, end, None, _("Choose valid days.")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    chosen = {d.pk: d for d in devices}.get(form.cleaned_data["device"] or 0)
    return form, start, end, chosen, None


def _chart(report: reports.DailyReport) -> dict[str, Any]:
    bars = report.distance_by_day()
    peak = max((km for _, km in bars), default=0.0) or 1.0
    width = 24
    return {
        "width": width * len(bars),
        "height": CHART_HEIGHT,
        "bars": [
            {
                "x": index * width + 2,
                "w": width - 4,
                "h": round(km / peak * (CHART_HEIGHT - 20), 1),
                "y": round(CHART_HEIGHT - km / peak * (CHART_HEIGHT - 20), 1),
                "day": day,
                "km": km,
            }
            for index, (day, km) in enumerate(bars)
        ],
    }


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def daily_report(request: HttpRequest) -> HttpResponse:
    form, start, end, device, error = _form(request)
    try:
        report = reports.daily_report(
            principal=principal_of(request), start=start, end=end, device=device
        )
    except TrackingError as exc:
        error = str(exc.message)
        report = reports.DailyReport(start, end)
    context = {
        "form": form,
        "error": error,
        "report": report,
        "chart": _chart(report),
        "query": request.GET.urlencode(),
    }
    return render_page(request, "daily_report.html", context, status=422 if error else 200)


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    _, start, end, device, error = _form(request)
    principal = principal_of(request)
    try:
        report = reports.daily_report(principal=principal, start=start, end=end, device=device)
    except TrackingError as exc:
        error = str(exc.message)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    audit_record(
        action="daily_report_exported",
        actor=actor_of(principal),
        tenant_id=principal.tenant_id,
        object_type="tracking.daily_report",
        object_id=str(device.pk) if device is not None else "",
        details={"export": fmt, "start": start.isoformat(), "end": end.isoformat()},
        request=request,
    )
    if fmt == "csv":
        body, content_type = reports.report_csv(report), "text/csv; charset=utf-8"
    else:
        body = reports.report_xlsx(report)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    name = f"daily-report_{start:%Y%m%d}_{end:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def daily_report_csv(request: HttpRequest) -> HttpResponse:
    """The chosen report as CSV; audited."""
    return _export(request, "csv")


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def daily_report_xlsx(request: HttpRequest) -> HttpResponse:
    """The chosen report as XLSX; audited."""
    return _export(request, "xlsx")
