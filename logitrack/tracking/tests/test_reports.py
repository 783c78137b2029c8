"""The daily report (``tracking.reports``): the API, the page and its CSV and XLSX exports
answer from the daily summaries, with per-device and overall totals."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from logitrack.security.models import AuditEntry
from logitrack.tenancy.tests.factories import sign_in
from logitrack.tracking.geo.daily import trips_derive_owed
from logitrack.tracking.models import DailySummary, Device
from logitrack.tracking.tests.factories import make_device, make_manager
from logitrack.tracking.tests.test_daily import DAY, _over_midnight
from logitrack.tracking.tests.tracks import store

pytestmark = pytest.mark.django_db
NEXT = DAY + dt.timedelta(days=1)
D1, D2 = DAY.isoformat(), NEXT.isoformat()


def _fleet(client: Client) -> tuple[Device, Device]:
    manager = make_manager()
    truck = make_device(manager, identifier="TRUCK-1").device
    van = make_device(manager, identifier="VAN-2").device
    store(truck, _over_midnight())
    store(van, _over_midnight()[:100])
    stranger = make_device(make_manager(), identifier="OTHER-3").device
    store(stranger, _over_midnight())
    trips_derive_owed()
    sign_in(client, manager)
    return truck, van


def test_the_api_lists_each_devices_days_and_totals_from_the_summaries(client: Client) -> None:
    truck, van = _fleet(client)
    summaries = {
        (s.device_id, s.day): s
        for s in DailySummary.dangerously_unscoped.filter(device__in=[truck, van])
    }

    answer = client.get("/api/v1/reports/daily", {"start": D1, "end": D2})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [(d["device"], d["day"]) for d in body["days"]] == [
        ("TRUCK-1", "2026-11-02"),
        ("TRUCK-1", "2026-11-03"),
        ("VAN-2", "2026-11-02"),
    ]
    assert body["days"][0]["distance_m"] == round(summaries[(truck.pk, DAY)].distance_m, 1)
    [truck_total, van_total] = body["devices"]
    assert truck_total["device"] == "TRUCK-1"
    assert truck_total["moving_s"] == 900.0 + 910.0
    assert truck_total["trip_count"] == 1
    assert van_total["moving_s"] == summaries[(van.pk, DAY)].moving_s
    assert body["totals"]["moving_s"] == truck_total["moving_s"] + van_total["moving_s"]
    assert body["totals"]["max_speed_kmh"] == 36.0

    one = client.get("/api/v1/reports/daily", {"start": D1, "end": D2, "device": "VAN-2"})
    assert [d["device"] for d in one.json()["days"]] == ["VAN-2"]


def test_the_api_refuses_a_range_over_93_days_and_another_tenants_device(client: Client) -> None:
    _fleet(client)

    long = client.get("/api/v1/reports/daily", {"start": "2026-01-01", "end": "2026-04-04"})
    backwards = client.get("/api/v1/reports/daily", {"start": D2, "end": D1})
    other = client.get("/api/v1/reports/daily", {"start": D1, "end": D2, "device": "OTHER-3"})

    assert long.status_code == backwards.status_code == 422
    assert long.json()["error"]["code"] == "report_range_invalid"
    assert other.status_code == 404
    ok = client.get("/api/v1/reports/daily", {"start": "2026-01-01", "end": "2026-04-03"})
    assert ok.status_code == 200


def test_the_page_shows_a_table_per_vehicle_per_day_totals_and_a_chart(client: Client) -> None:
    _fleet(client)

    page = client.get("/operations/reports/daily/", {"start": D1, "end": D2, "device": ""})

    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("data-day-row") == 3
    assert html.count("data-device-total") == 2
    assert "data-grand-total" in html
    assert html.count("<rect ") == 2  # one bar per day
    assert "OTHER-3" not in html


def test_the_page_in_vietnamese(client: Client) -> None:
    _fleet(client)
    query = {"start": D1, "end": D2}

    vietnamese = client.get("/operations/reports/daily/", query)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/operations/reports/daily/", query)

    assert "Báo cáo theo ngày" in vietnamese.content.decode()
    assert "Số km mỗi ngày" in vietnamese.content.decode()
    assert "Kilometres per day" in english.content.decode()


def test_the_csv_and_xlsx_exports_hold_the_same_rows_with_localised_headers(
    client: Client,
) -> None:
    _fleet(client)
    query = {"start": D1, "end": D2}

    as_xlsx = client.get("/operations/reports/daily.xlsx", query)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    as_csv = client.get("/operations/reports/daily.csv", query)

    assert as_csv.status_code == as_xlsx.status_code == 200
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(rows) == len(cells) == 1 + 3 + 2 + 1  # header, days, device totals, total
    assert (rows[0][0], cells[0][0]) == ("Device", "Thiết bị")
    assert rows[1][:3] == ["Xe tải 51C-123.45", "TRUCK-1", "2026-11-02"]
    assert [float(v) for v in rows[1][3:]] == [float(str(v)) for v in cells[1][3:]]
    assert AuditEntry.objects.filter(action="daily_report_exported").count() == 2
