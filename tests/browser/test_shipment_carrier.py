"""A dispatcher gives a shipment to a van on its page, in chromium; when the van's tracker comes
near the consignee, the page and the driver's list ask "Đã giao chưa?" and the status stays
out for delivery (ADR 0057).

The van, its tracker and the shipment are seeded with ``logitrack shell``; the tracker's
position is written as the gateway would leave it (``DeviceLatest``) and the periodic job's
distance round is run the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, BrowserContext

from .conftest import Owner
from .journeys import desktop_context, goto, shell_json, sign_in

pytestmark = pytest.mark.browser

_SEED = """
import json
from datetime import timedelta
from django.utils import timezone
from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.models import Membership
from logitrack.logistics.tests.carriers import make_device_row
from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper
from logitrack.tracking.models import DeviceAssignment, Vehicle
user = User.objects.get(email={email!r})
tenant = Membership.dangerously_unscoped.get(user=user).tenant
with tenant_context(tenant):
    vehicle = Vehicle.objects.create(tenant_id=tenant.pk, plate="29C-456.78")
device = make_device_row(tenant)
with tenant_context(tenant):
    DeviceAssignment.objects.create(
        tenant_id=tenant.pk, device=device, target="vehicle", vehicle=vehicle,
        started_at=timezone.now() - timedelta(days=1),
    )
order = make_order_row(
    make_shipper(tenant), delivery_latitude="21.028511", delivery_longitude="105.847372"
)
shipment = make_shipment_row(
    order, status="out_for_delivery", at=timezone.now() - timedelta(minutes=20)
)
print(json.dumps({{"waybill": shipment.waybill, "vehicle": vehicle.pk, "device": device.pk}}))
"""

_ARRIVE = """
import json
from django.utils import timezone
from logitrack.core.tenant import tenant_context
from logitrack.logistics.models import Shipment
from logitrack.logistics.services.arrivals import shipments_offer_by_distance
from logitrack.tracking.models import Device, DeviceLatest
device = Device.dangerously_unscoped.get(pk={device})
now = timezone.now()
with tenant_context(device.tenant_id):
    DeviceLatest.objects.update_or_create(device=device, defaults={{
        "tenant_id": device.tenant_id, "fix_time": now, "server_time": now,
        "latitude": 21.0290, "longitude": 105.8474,
    }})
offered = shipments_offer_by_distance(tenant_id=device.tenant_id)
status = Shipment.dangerously_unscoped.get(waybill={waybill!r}).status
print(json.dumps({{"offered": offered, "status": status}}))
"""


@pytest.fixture
def desk(browser: Browser) -> Iterator[BrowserContext]:
    context = desktop_context(browser)
    yield context
    context.close()


def test_a_dispatcher_assigns_a_van_and_the_driver_is_asked_delivered(
    desk: BrowserContext, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    base = logitrack_server.https_url
    seeded = shell_json(logitrack_server, _SEED.format(email=owner.email))
    waybill = seeded["waybill"]
    page = desk.new_page()
    sign_in(page, base, owner.email)

    goto(page, f"{base}/operations/shipments/{waybill}/")
    assert page.locator("[data-carrier-vehicle]").inner_text() == "—"
    assert page.locator("[data-delivery-offer]").count() == 0
    form = page.locator("form[data-carrier-form]")
    form.locator("select[name=vehicle]").select_option(str(seeded["vehicle"]))
    with page.expect_navigation():
        form.get_by_role("button", name="Lưu xe và tài xế").click()

    assert page.locator("[role=status]", has_text="Đã lưu xe và tài xế vận chuyển.").count() == 1
    assert page.locator("[data-carrier-vehicle]").inner_text() == "29C-456.78"
    assert page.locator("[data-carrier-devices]").inner_text() == "1"

    # The list filtered by the van shows the shipment.
    goto(page, f"{base}/operations/shipments/?vehicle={seeded['vehicle']}")
    assert page.locator(f"tr[data-waybill='{waybill}']").count() == 1

    # The van's tracker comes within the arrival radius of the consignee's door.
    arrived = shell_json(logitrack_server, _ARRIVE.format(device=seeded["device"], waybill=waybill))
    assert arrived == {"offered": 1, "status": "out_for_delivery"}

    goto(page, f"{base}/operations/shipments/{waybill}/")
    offer = page.locator("[data-delivery-offer]")
    assert offer.count() == 1
    assert "Đã giao chưa?" in offer.inner_text()
    assert page.locator("[data-status]").first.inner_text() == "Đang giao hàng"

    goto(page, f"{base}/driver/")
    row = page.locator(f"a[data-waybill='{waybill}']")
    assert row.locator("[data-delivery-offer]").inner_text() == "Đã giao chưa?"
    goto(page, f"{base}/driver/shipments/{waybill}/")
    assert page.locator("[data-delivery-offer]").count() == 1
