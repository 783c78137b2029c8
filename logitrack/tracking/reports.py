"""The daily report: a tenant's vehicles day by day, read from the daily summaries
(``models.DailySummary``, derived ahead by ``geo.daily``), never from positions, so a month of
a fleet answers in milliseconds. Days are local (Asia/Ho_Chi_Minh), ``start`` to ``end``
inclusive, at most ``REPORT_DAYS_MAX`` days.

Exports: CSV (RFC 4180, UTF-8 with a byte-order mark, text cells guarded against formula
injection as in ``tracking.exports``) and XLSX (openpyxl, write-only), one row per device and
day then a total row per device and a grand total; headers in the reader's language; distance
in km, times in hours, speed in km/h.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import ReportRangeInvalid
from logitrack.tracking.exports import spreadsheet_safe
from logitrack.tracking.models import DailySummary, Device

REPORT_DAYS_MAX = 93


@dataclass(frozen=True, slots=True)
class DayRow:
    device_id: int
    identifier: str
    name: str
    day: dt.date
    distance_m: float
    moving_s: float
    stopped_s: float
    max_speed_kmh: float
    trip_count: int
    positions: int
    first_fix: dt.datetime | None
    last_fix: dt.datetime | None

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000

    @property
    def moving_h(self) -> float:
        return self.moving_s / 3600

    @property
    def stopped_h(self) -> float:
        return self.stopped_s / 3600


@dataclass(frozen=True, slots=True)
class Totals:
    distance_m: float = 0.0
    moving_s: float = 0.0
    stopped_s: float = 0.0
    max_speed_kmh: float = 0.0
    trip_count: int = 0
    positions: int = 0

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000

    @property
    def moving_h(self) -> float:
        return self.moving_s / 3600

    @property
    def stopped_h(self) -> float:
        return self.stopped_s / 3600


@dataclass(frozen=True, slots=True)
class DeviceTotals:
    device_id: int
    identifier: str
    name: str
    totals: Totals


@dataclass(frozen=True, slots=True)
class DailyReport:
    start: dt.date
    end: dt.date
    days: list[DayRow] = field(default_factory=list)
    devices: list[DeviceTotals] = field(default_factory=list)
    total: Totals = field(default_factory=Totals)

    def grouped(self) -> list[tuple[DeviceTotals, list[DayRow]]]:
        """Each device's totals with its days, in the report's order."""
        by_device: dict[int, list[DayRow]] = {}
        for row in self.days:
            by_device.setdefault(row.device_id, []).append(row)
        return [(device, by_device[device.device_id]) for device in self.devices]

    def distance_by_day(self) -> list[tuple[dt.date, float]]:
        """Kilometres driven each day of the range by the devices shown (the chart's bars)."""
        per_day: dict[dt.date, float] = {}
        for row in self.days:
            per_day[row.day] = per_day.get(row.day, 0.0) + row.distance_m
        count = (self.end - self.start).days + 1
        days = [self.start + dt.timedelta(days=i) for i in range(count)]
        return [(day, per_day.get(day, 0.0) / 1000) for day in days]


def report_range(start: dt.date, end: dt.date) -> None:
    """Raises ReportRangeInvalid unless ``start <= end`` within ``REPORT_DAYS_MAX`` days."""
    if not start <= end or (end - start).days >= REPORT_DAYS_MAX:
        raise ReportRangeInvalid()


def daily_report(
    *, principal: Principal, start: dt.date, end: dt.date, device: Device | None = None
) -> DailyReport:
    """The tenant's summaries of ``start`` to ``end`` (inclusive), by device name then day, with
    per-device and overall totals (sums; the highest speed is a maximum). Empty without
    ``operations.view`` (fail closed); ``device`` (already access-checked) narrows it.
    Raises ReportRangeInvalid for a bad range."""
    report_range(start, end)
    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(Permission.OPERATIONS_VIEW):
        return DailyReport(start, end)
    rows = DailySummary.objects.filter(tenant_id=tenant_id, day__gte=start, day__lte=end)
    if device is not None:
        rows = rows.filter(device_id=device.pk)
    values = rows.order_by("device__name", "device_id", "day").values_list(
        "device_id",
        "device__identifier",
        "device__name",
        "day",
        "distance_m",
        "moving_s",
        "stopped_s",
        "max_speed_kmh",
        "trip_count",
        "positions",
        "first_fix",
        "last_fix",
    )
    days = [DayRow(*row) for row in values]
    per_device = {
        row["device_id"]: row
        for row in rows.values("device_id").annotate(
            distance_m=Sum("distance_m"),
            moving_s=Sum("moving_s"),
            stopped_s=Sum("stopped_s"),
            max_speed_kmh=Max("max_speed_kmh"),
            trip_count=Sum("trip_count"),
            positions=Sum("positions"),
        )
    }
    devices: list[DeviceTotals] = []
    seen: set[int] = set()
    for row in days:
        if row.device_id in seen:
            continue
        seen.add(row.device_id)
        sums = per_device[row.device_id]
        devices.append(
            DeviceTotals(
                row.device_id,
                row.identifier,
                row.name,
                Totals(
                    float(sums["distance_m"]),
                    float(sums["moving_s"]),
                    float(sums["stopped_s"]),
                    float(sums["max_speed_kmh"]),
                    int(sums["trip_count"]),
                    int(sums["positions"]),
                ),
            )
        )
    total = Totals(
        sum(d.totals.distance_m for d in devices),
        sum(d.totals.moving_s for d in devices),
        sum(d.totals.stopped_s for d in devices),
        max((d.totals.max_speed_kmh for d in devices), default=0.0),
        sum(d.totals.trip_count for d in devices),
        sum(d.totals.positions for d in devices),
    )
    return DailyReport(start, end, days, devices, total)


# --- Exports -----------------------------------------------------------------------------------


def _headers() -> list[str]:
    return [
        _("Device"),
        _("Identifier"),
        _("Day"),
        _("Distance (km)"),
        _("Moving (h)"),
        _("Stopped (h)"),
        _("Highest speed (km/h)"),
        _("Trips"),
        _("Positions"),
    ]


def _cells(name: str, identifier: str, day: str, totals: Totals | DayRow) -> list[object]:
    return [
        spreadsheet_safe(name),
        spreadsheet_safe(identifier),
        day,
        round(totals.distance_m / 1000, 3),
        round(totals.moving_s / 3600, 3),
        round(totals.stopped_s / 3600, 3),
        round(totals.max_speed_kmh, 1),
        totals.trip_count,
        totals.positions,
    ]


def report_rows(report: DailyReport) -> Iterator[list[object]]:
    """The export's rows after the header: each device's days, then its total; a grand total."""
    for device, days in report.grouped():
        for row in days:
            yield _cells(device.name, device.identifier, row.day.isoformat(), row)
        yield _cells(device.name, device.identifier, _("Total"), device.totals)
    yield _cells(_("All vehicles"), "", _("Total"), report.total)


def report_csv(report: DailyReport) -> bytes:
    """The report as CSV (module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(cell) for cell in _headers()])
    writer.writerows(report_rows(report))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def report_xlsx(report: DailyReport) -> bytes:
    """The report as an XLSX workbook of one sheet (module docstring)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Daily report"))
    sheet.append(_headers())
    for row in report_rows(report):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
