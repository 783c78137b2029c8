"""Device journey in Debian's chromium against the real HTTPS server: register a device through
the form (its token shown once), let it report over the OsmAnd protocol, find it online in the
list, open it, read its position history for a range, and download the range as CSV and GPX."""

from __future__ import annotations

import csv
import io
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import _server  # bench/_server.py, put on sys.path by conftest.py
import gpxpy
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from .conftest import Owner
from .journeys import desktop_context, goto, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = desktop_context(browser)
    yield context
    context.close()


def _report(server: _server.RunningServer, identifier: str, seconds_ago: int, lat: float) -> None:
    stamp = int(time.time()) - seconds_ago
    path = f"/ingest/osmand?id={identifier}&lat={lat}&lon=106.70&speed=10&timestamp={stamp}"
    # A generous timeout: the first report starts the worker's group-commit writer, and the
    # machine running the suite may be loaded.
    status, body = _server.https_get(
        server.host, server.https_port, path, server.ssl_context(), timeout=30.0
    )
    assert (status, body) == (200, b"")


def test_register_a_device_see_it_report_and_export_its_history(
    context: BrowserContext,
    logitrack_server: _server.RunningServer,
    owner: Owner,
    tmp_path: Path,
) -> None:
    base = logitrack_server.https_url
    page: Page = context.new_page()
    sign_in(page, base, owner.email)
    identifier = "86" + "".join(secrets.choice("0123456789") for _ in range(13))

    goto(page, f"{base}/operations/devices/")
    page.get_by_role("link", name="Đăng ký thiết bị").click()
    page.select_option("#id_kind", "gps_tracker")
    page.fill("#id_identifier", identifier)
    page.fill("#id_name", "Xe tải 51C-678.90")
    page.get_by_role("button", name="Đăng ký", exact=True).click()
    token = page.locator("[data-device-token]").inner_text()
    assert token.startswith("dt_")

    for seconds_ago, lat in ((300, 10.7701), (200, 10.7702), (100, 10.7703)):
        _report(logitrack_server, identifier, seconds_ago, lat)

    goto(page, f"{base}/operations/devices/")
    row = page.locator(f'tr[data-device="{identifier}"]')
    assert "Trực tuyến" in row.locator("[data-state]").inner_text()
    assert "10.7703" in row.inner_text()
    row.get_by_role("link", name="Xe tải 51C-678.90").click()
    assert token not in page.content()
    page.locator("[data-history-link]").click()
    page.get_by_role("button", name="Xem", exact=True).click()
    rows = page.locator("tr[data-position]")
    assert rows.count() == 3
    assert "10.770300" in rows.nth(0).inner_text()  # newest first
    assert "18,5" in rows.nth(0).inner_text()  # OsmAnd sends knots: 10 kn = 18.5 km/h

    with page.expect_download() as csv_download:
        page.locator('[data-export="csv"]').click()
    saved_csv = tmp_path / "positions.csv"
    csv_download.value.save_as(saved_csv)
    table = list(csv.reader(io.StringIO(saved_csv.read_text(encoding="utf-8-sig"))))
    assert table[0][:3] == ["Thời điểm định vị", "Vĩ độ", "Kinh độ"]
    assert [line[1] for line in table[1:]] == ["10.770100", "10.770200", "10.770300"]

    with page.expect_download() as gpx_download:
        page.locator('[data-export="gpx"]').click()
    saved_gpx = tmp_path / "positions.gpx"
    gpx_download.value.save_as(saved_gpx)
    track = gpxpy.parse(saved_gpx.read_text(encoding="utf-8"))
    assert [p.latitude for p in track.tracks[0].segments[0].points] == [10.7701, 10.7702, 10.7703]


def test_a_device_token_and_a_long_identifier_fit_a_390_px_phone(
    browser: Browser, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    """The token is shown once: on a phone it must be readable whole, not run off the page."""
    base = logitrack_server.https_url
    width = 390
    context = browser.new_context(
        viewport={"width": width, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    try:
        page = context.new_page()
        sign_in(page, base, owner.email)
        identifier = "tram-can-tho-" + secrets.token_hex(16)  # a long id, as phones send
        goto(page, f"{base}/operations/devices/new/")
        page.select_option("#id_kind", "phone")
        page.fill("#id_identifier", identifier)
        page.fill("#id_name", "Điện thoại tài xế Cần Thơ")
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng ký", exact=True).click()
        token = page.locator("[data-device-token]")
        box = token.bounding_box()
        token_page_width = page.evaluate("document.documentElement.scrollWidth")
        goto(page, f"{base}/operations/devices/")
        list_page_width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        context.close()

    assert box is not None
    assert box["x"] + box["width"] <= width
    assert (token_page_width, list_page_width) == (width, width)
