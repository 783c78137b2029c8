"""The live map, the history playback and the "who was near" search in Debian's chromium
against the real HTTPS server, with no internet: the tiles fail and the markers, clusters and
the day's track are drawn all the same. A company with 5,000 devices has every one of them on
the map, in clusters; a vehicle's popup links to its shipments; playing the day moves the
marker; the near search lists the device that was there."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from .conftest import Owner, _owner
from .journeys import desktop_context, goto, shell_json, sign_in

pytestmark = pytest.mark.browser

FLEET = 5000

# 5,000 devices of the signed-up company, each with a latest position spread over southern
# Vietnam; the first is assigned to a vehicle and has a day of positions (a drive north every
# 30 s for an hour, ending 10 minutes ago), one of them an impossible jump.
_SEED = """
import json, secrets
from datetime import timedelta
from django.utils import timezone
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.models import Membership
from logitrack.tracking.models import (
    Device, DeviceAssignment, DeviceLatest, Geofence, Position, Vehicle,
)
membership = Membership.dangerously_unscoped.get(user__email={email!r})
tenant = membership.tenant
now = timezone.now()
tag = {tag!r}
with tenant_context(tenant):
    devices = Device.objects.bulk_create(
        Device(tenant=tenant, kind="gps_tracker", identifier=f"{{tag}}-{{i:05d}}",
               name=f"Xe {{i:05d}}", token_prefix=secrets.token_hex(8),
               token_hash="0" * 64, last_seen_at=now - timedelta(seconds=i % 500))
        for i in range({fleet})
    )
    if devices[0].pk is None:
        devices = list(
            Device.objects.filter(identifier__startswith=tag + "-").order_by("identifier")
        )
    DeviceLatest.objects.bulk_create(
        DeviceLatest(tenant=tenant, device=d, fix_time=now - timedelta(seconds=i % 500),
                     server_time=now, latitude=9.0 + (i % 100) * 0.03,
                     longitude=105.0 + (i // 100) * 0.03, speed=(i % 4) * 3.0,
                     course=float(i % 360), battery=80.0)
        for i, d in enumerate(devices)
    )
    first = devices[0]
    Geofence.objects.create(
        name="Kho " + tag, shape="circle",
        geometry={{"type": "Point", "coordinates": [106.7, 10.8]}}, radius_m=300.0,
        min_latitude=10.797, min_longitude=106.697, max_latitude=10.803, max_longitude=106.703,
        area_m2=282_743.0,
    )
    vehicle = Vehicle.objects.create(plate="51C-{tag_short}")
    DeviceAssignment.objects.create(device=first, target="vehicle", vehicle=vehicle)
    # Within today's local day (the playback's default), even just after local midnight.
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - timedelta(minutes=70), midnight + timedelta(minutes=1))
    Position.objects.bulk_create(
        Position(tenant=tenant, device=first, fix_time=start + timedelta(seconds=30 * i),
                 server_time=now, latitude=10.70 + i * 0.001 if i != 60 else 21.03,
                 longitude=106.70 if i != 60 else 105.85, speed=12.0)
        for i in range(120)
    )
print(json.dumps({{"first": first.pk, "identifier": first.identifier, "vehicle": vehicle.pk}}))
"""


@pytest.fixture(scope="module")
def fleet_owner(browser: Browser, logitrack_server: _server.RunningServer) -> Owner:
    return _owner(browser, logitrack_server, "fleet", "Công ty TNHH Đội xe Bình Dương")


@pytest.fixture(scope="module")
def fleet(logitrack_server: _server.RunningServer, fleet_owner: Owner) -> dict[str, object]:
    tag = "fleet-" + secrets.token_hex(3)
    code = _SEED.format(email=fleet_owner.email, tag=tag, tag_short=tag[-5:], fleet=FLEET)
    seeded: dict[str, object] = shell_json(logitrack_server, code)
    return seeded


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = desktop_context(browser)
    yield context
    context.close()


def _canvas_has_ink(page: Page, selector: str) -> bool:
    """Some pixel of a canvas under ``selector`` is drawn (not transparent)."""
    return bool(
        page.evaluate(
            """(selector) => Array.from(document.querySelectorAll(selector)).some((c) => {
                const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
                for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { return true; } }
                return false;
            })""",
            selector,
        )
    )


def test_the_live_map_clusters_5000_devices_without_tiles_and_links_a_vehicle_to_its_shipments(
    context: BrowserContext,
    logitrack_server: _server.RunningServer,
    fleet_owner: Owner,
    fleet: dict[str, object],
) -> None:
    base = logitrack_server.https_url
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, base, fleet_owner.email)

    goto(page, f"{base}/operations/devices/")
    page.get_by_role("link", name="Bản đồ trực tiếp").click()
    page.wait_for_selector(f'[data-live-map][data-markers="{FLEET}"]', timeout=60_000)
    # The company's geofence is drawn too, without tiles.
    page.wait_for_selector('[data-live-map][data-geofences="1"]')

    # Every device sits once in the cluster tree (a cluster's count includes its children's).
    in_clusters = page.evaluate(
        "() => window.logitrackLiveMap.cluster._topClusterLevel.getChildCount()"
    )
    assert in_clusters == FLEET  # every device is on the map, each once (a cluster or itself)
    assert page.locator(".marker-cluster").count() > 0
    assert page.locator('[data-count="offline"]').inner_text() == "0"
    moving = int(page.locator('[data-count="moving"]').inner_text())
    stopped = int(page.locator('[data-count="stopped"]').inner_text())
    assert moving + stopped == FLEET
    # No internet: no tile has loaded, and the map is drawn anyway.
    assert page.evaluate(
        "() => Array.from(document.querySelectorAll('img.leaflet-tile'))"
        ".every((tile) => !tile.naturalWidth)"
    )

    # The vehicle's device: zoom to it, open its popup, follow the link to its shipments.
    # Out of its cluster at street zoom the marker is on the map itself. The view is set again
    # until it is: a view set while the first fitBounds still animates can be undone by it.
    page.wait_for_function(
        """(id) => {
            const live = window.logitrackLiveMap;
            const marker = live.markers.get(id);
            if (marker._map) { return true; }
            live.map.setView(marker.getLatLng(), 17, { animate: false });
            return false;
        }""",
        arg=fleet["first"],
        polling=500,
        timeout=20_000,
    )
    page.evaluate("(id) => window.logitrackLiveMap.markers.get(id).openPopup()", fleet["first"])
    popup = page.locator(f'[data-popup="{fleet["identifier"]}"]')
    popup.wait_for()
    assert "51C-" in popup.inner_text()
    assert _canvas_has_ink(page, ".leaflet-overlay-pane canvas")  # the unclustered markers
    link = popup.locator("[data-shipments-link]")
    assert link.inner_text() == "Các lô hàng của xe này"
    assert link.get_attribute("href") == f"/operations/shipments/?vehicle={fleet['vehicle']}"

    # A new report reaches the open page by the next poll (every 4 s).
    updates = int(page.locator("[data-live-map]").get_attribute("data-updates") or "0")
    page.wait_for_function(
        f"() => Number(document.querySelector('[data-live-map]').dataset.updates) > {updates}",
        timeout=15_000,
    )
    assert not [e for e in errors if "tile" not in e and "ERR_" not in e], errors


def test_the_playback_draws_the_track_and_moves_the_marker(
    context: BrowserContext,
    logitrack_server: _server.RunningServer,
    fleet_owner: Owner,
    fleet: dict[str, object],
) -> None:
    base = logitrack_server.https_url
    page = context.new_page()
    sign_in(page, base, fleet_owner.email)

    goto(page, f"{base}/operations/devices/{fleet['first']}/history/")
    page.wait_for_selector("[data-history][data-index='0']")
    assert page.locator("[data-history]").get_attribute("data-points") == "119"
    assert "1 điểm không hợp lệ" in page.locator("[data-fix-counts]").inner_text()
    assert _canvas_has_ink(page, ".leaflet-overlay-pane canvas")  # the track, without tiles
    start = page.locator("[data-history]").get_attribute("data-marker")

    page.select_option("[data-speed]", "20")
    page.get_by_role("button", name="Phát").click()
    page.wait_for_function(
        "() => Number(document.querySelector('[data-history]').dataset.index) > 0",
        timeout=15_000,
    )

    assert page.locator("[data-history]").get_attribute("data-marker") != start
    # Stops and totals come from the trips API (GET /api/v1/devices/{identifier}/trips).
    page.wait_for_selector("[data-history][data-trips]")
    assert page.locator("[data-history]").get_attribute("data-trips") == "loaded"
    assert page.locator('[data-total="stops"]').inner_text().isdigit()
    assert page.locator('[data-total="distance"]').inner_text().endswith(" km")


def test_the_near_search_lists_the_device_that_was_there(
    context: BrowserContext,
    logitrack_server: _server.RunningServer,
    fleet_owner: Owner,
    fleet: dict[str, object],
) -> None:
    base = logitrack_server.https_url
    page = context.new_page()
    sign_in(page, base, fleet_owner.email)

    goto(page, f"{base}/operations/map/")
    page.wait_for_selector(f'[data-live-map][data-markers="{FLEET}"]', timeout=60_000)
    # The vehicle drove north through (10.73, 106.70) 55 minutes ago.
    page.fill("#near-latitude", "10.73")
    page.fill("#near-longitude", "106.70")
    page.fill("#near-radius", "200")
    page.get_by_role("button", name="Tìm ai đã ở đó").click()

    row = page.locator(f'tr[data-near-device="{fleet["identifier"]}"]')
    row.wait_for()
    assert page.locator("tr[data-near-device]").count() == 1
    assert int(row.locator("td").nth(4).inner_text()) < 100

    page.fill("#near-radius", "6000")
    page.get_by_role("button", name="Tìm ai đã ở đó").click()
    page.get_by_text("Chọn bán kính từ 1 m đến 5 km.").wait_for()
