"""Geofence drawing in Debian's chromium against the real HTTPS server, without map tiles (no
network here, as on a laptop offline): the owner draws a polygon with Leaflet.draw's tool on the
geofence page, names it and saves it; it is then listed with its shape and area, and drawn on
the list page's map."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .conftest import Owner
from .journeys import desktop_context, goto, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = desktop_context(browser)
    # Tiles would come from the internet: refuse them, as this machine does anyway.
    context.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    yield context
    context.close()


def _click_map(page: Page, fx: float, fy: float) -> None:
    box = page.locator("[data-geofence-map]").bounding_box()
    assert box is not None
    # Leaflet.draw places a vertex on mouseup after a mousedown at the same spot, following the
    # pointer in between: move there first, as a hand does.
    page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy, steps=4)
    page.mouse.down()
    page.mouse.up()


def test_a_polygon_drawn_on_the_map_without_tiles_is_saved_and_listed(
    context: BrowserContext, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    base = logitrack_server.https_url
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, owner.email)
    name = f"Kho vẽ {secrets.token_hex(3)}"

    goto(page, f"{base}/operations/geofences/new/")
    # Leaflet.draw's own words are the page's language (Vietnamese by default).
    expect(page.locator(".leaflet-draw-draw-polygon")).to_have_attribute("title", "Vẽ đa giác")
    expect(page.locator(".leaflet-draw-draw-circle")).to_have_attribute("title", "Vẽ hình tròn")
    page.locator(".leaflet-draw-draw-polygon").click()
    for fx, fy in ((0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7)):
        _click_map(page, fx, fy)
    _click_map(page, 0.3, 0.3)  # on the first vertex: closes the polygon
    expect(page.locator("input[name=geometry]")).to_have_value(re.compile('"Polygon"'))
    page.fill("#id_name", name)
    page.select_option("#id_site_kind", "warehouse")
    page.fill("#id_site_name", "Kho Tân Bình")
    with page.expect_navigation():
        page.locator("[data-geofence-form] button[type=submit]").click()

    assert page.url.endswith("/operations/geofences/")
    row = page.locator("[data-geofences] tr", has_text=name)
    assert row.count() == 1
    assert "km²" in row.inner_text()
    # The list page's map draws it as a vector path, tiles or not.
    assert page.locator("[data-geofence-map] path.leaflet-interactive").count() >= 1
    assert errors == []
