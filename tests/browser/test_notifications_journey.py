"""Notifications journey in Debian's chromium against the real HTTPS server: the owner chooses
to be told when a device enters a geofence (on the page and by e-mail), a geofence event is
recorded (as the geofence engine records it) and the notification producer runs; the bell in
the header then shows one unread notification, the list names the device, the place and the
time, and marking it read empties the bell."""

from __future__ import annotations

import secrets

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser

from .conftest import Owner
from .journeys import desktop_context, goto, shell_json, sign_in

pytestmark = pytest.mark.browser

_EVENT = """
import json
from datetime import timedelta
from django.utils import timezone
from logitrack.core.tenant import tenant_context
from logitrack.notifications.services.producers import producers_run
from logitrack.tenancy.models import Membership
from logitrack.tracking.models import Device, Geofence, GeofenceEvent
from logitrack.tracking.tokens import device_token_new
membership = Membership.dangerously_unscoped.get(user__email={email!r})
token = device_token_new()
now = timezone.now()
with tenant_context(membership.tenant_id):
    device = Device.objects.create(kind="gps_tracker", identifier="notify-{tag}",
        name="Xe tải 51C-{tag}", token_prefix=token.prefix, token_hash=token.secret_hash)
    fence = Geofence.objects.create(name="Kho Tân Bình {tag}", site_kind="hub",
        site_name="Hub Tân Sơn Nhất", shape="circle",
        geometry={{"type": "Point", "coordinates": [106.6525, 10.8012]}}, radius_m=200.0,
        min_latitude=10.80, min_longitude=106.65, max_latitude=10.803, max_longitude=106.655,
        area_m2=125663.7)
    GeofenceEvent.objects.create(device=device, geofence=fence, kind="enter",
        fix_time=now - timedelta(minutes=1), latitude=10.8012, longitude=106.6525)
created = producers_run()
print(json.dumps({{"created": created, "device": device.name, "geofence": fence.name}}))
"""


def test_a_subscriber_sees_a_geofence_entry_under_the_bell(
    browser: Browser, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    base = logitrack_server.https_url
    context = desktop_context(browser)
    try:
        page = context.new_page()
        sign_in(page, base, owner.email)
        goto(page, f"{base}/notifications/subscriptions/")
        page.check("#id_geofence_enter-on")
        page.check("#id_geofence_enter-email")
        with page.expect_navigation():
            page.get_by_role("button", name="Lưu", exact=True).click()
        assert page.locator("#id_geofence_enter-on").is_checked()
        assert page.locator("[data-unread-count]").count() == 0

        made = shell_json(
            logitrack_server, _EVENT.format(email=owner.email, tag=secrets.token_hex(3))
        )
        assert made["created"] == 1

        goto(page, f"{base}/")
        bell = page.locator("[data-notification-bell]")
        assert bell.get_attribute("data-unread") == "1"
        assert bell.locator("[data-unread-count]").inner_text() == "1"
        with page.expect_navigation():
            bell.click()
        item = page.locator("[data-notification][data-unread]")
        assert item.count() == 1
        text = item.inner_text()
        assert f"{made['device']} đã vào {made['geofence']} (Hub Tân Sơn Nhất)" in text
        assert "10.8012" not in page.content()

        with page.expect_navigation():
            item.get_by_role("button", name="Đánh dấu đã đọc").click()
        assert page.locator("[data-notification][data-unread]").count() == 0
        assert page.locator("[data-notification-bell]").get_attribute("data-unread") == "0"
    finally:
        context.close()
