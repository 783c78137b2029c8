"""Dock door journey in Debian's chromium against the real HTTPS server: a warehouse operator
registers an RFID reader and a camera, maps the reader's antenna to an "in" dock door on the
page; the reader sends a pallet's SSCC in Zebra's tag-data format (the same tag read again and
again, as a pallet in the field is) and the camera sends a snapshot with a face; the shipment's
timeline then shows one dock-door event (at the hub, from the RFID gate) and the snapshot, whose
face is blurred in the image the page loads."""

from __future__ import annotations

import base64
import io
import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import _server  # bench/_server.py, put on sys.path by conftest.py
import httpx
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page
from skimage import data as sample_images

from logitrack.tracking.cameras.blur import blur_sensitive_regions
from logitrack.tracking.epc import sscc_96_hex

from .conftest import Owner
from .journeys import desktop_context, goto, shell_json, sign_in

pytestmark = pytest.mark.browser

# A pallet on its way to the hub, with its SSCC (the tenant's GS1 company prefix set first).
_PALLET = """
import json
from datetime import timedelta
from django.utils import timezone
from logitrack.core.tenant import tenant_context
from logitrack.logistics.models import LogisticsSettings
from logitrack.logistics.inputs import OrderInput, ShipperInput
from logitrack.logistics.services.numbering import logistics_settings_of
from logitrack.logistics.services.orders import order_create
from logitrack.logistics.services.shippers import shipper_create
from logitrack.logistics.services.transitions import shipment_record_event
from logitrack.tenancy.models import Membership
from logitrack.tenancy.principal import Principal
membership = Membership.dangerously_unscoped.select_related("user", "tenant").get(
    user__email={email!r}
)
owner = Principal.for_membership(membership.user, membership)
tenant = membership.tenant
with tenant_context(tenant):
    logistics_settings_of(tenant.pk)
    LogisticsSettings.objects.filter(tenant=tenant).update(gs1_company_prefix="8930000")
    address = {{"street": "12 Lê Duẩn", "ward_code": tenant.ward_code,
               "province_code": tenant.province_code}}
    shipper = shipper_create(actor=owner, data=ShipperInput.model_validate(
        {{"name": "Kho Cà Mau", "phone": "0901111222", "address": address}}))
    order = order_create(actor=owner, data=OrderInput.model_validate({{
        "shipper_id": shipper.pk,
        "reference": "PALLET-{tag}",
        "delivery": address,
        "consignee": {{"name": "Trần Thị Bình", "phone": "0903555666"}},
        "items": [{{"description": "Gạo ST25", "quantity": 40, "declared_value_vnd": 250000}}],
        "parcels": [{{"weight_g": 350000, "pallet": True}}],
    }}))
    shipment = order.shipments[0]
    # After the order's creation (an event before it would stay in the timeline only).
    start = timezone.now()
    for step, status in enumerate(("picked_up", "in_transit"), start=1):
        shipment_record_event(actor=owner, shipment=shipment, status=status,
            occurred_at=start + timedelta(seconds=step), source="user",
            idempotency_key=f"journey:{{shipment.waybill}}:{{step}}")
    print(json.dumps({{"id": shipment.pk, "waybill": shipment.waybill, "sscc": shipment.sscc}}))
"""


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = desktop_context(browser)
    yield context
    context.close()


def _register(page: Page, base: str, kind: str, name: str) -> tuple[str, str]:
    """Register a device through the form; (identifier, token shown once)."""
    identifier = f"{kind.replace('_', '-')}-{secrets.token_hex(6)}"
    goto(page, f"{base}/operations/devices/new/")
    page.select_option("#id_kind", kind)
    page.fill("#id_identifier", identifier)
    page.fill("#id_name", name)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng ký", exact=True).click()
    token = page.locator("[data-device-token]").inner_text()
    assert token.startswith("dt_")
    return identifier, token


def _post(server: _server.RunningServer, path: str, token: str, **kwargs: object) -> httpx.Response:
    with httpx.Client(verify=server.ssl_context(), timeout=30.0) as client:
        return client.post(
            f"{server.https_url}{path}",
            headers={"Authorization": f"Bearer {token}"},
            **kwargs,  # type: ignore[arg-type]
        )


def test_a_pallet_through_an_in_door_and_a_blurred_snapshot_on_its_timeline(
    context: BrowserContext, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    base = logitrack_server.https_url
    setup = _PALLET.format(email=owner.email, tag=secrets.token_hex(4))
    pallet = shell_json(logitrack_server, setup)
    page: Page = context.new_page()
    sign_in(page, base, owner.email)
    reader, reader_token = _register(page, base, "rfid_reader", "Đầu đọc cửa 3")
    _camera, camera_token = _register(page, base, "camera", "Camera cửa 3")

    goto(page, f"{base}/operations/dock-doors/")
    page.get_by_role("link", name="Thêm cửa kho").first.click()
    page.fill("#id_name", "Cửa 3")
    page.fill("#id_place", "Kho Tân Bình")
    page.select_option("#id_device", label=f"Đầu đọc cửa 3 ({reader})")
    page.fill("#id_antenna", "1")
    page.select_option("#id_direction", "in")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu", exact=True).click()
    row = page.locator("tr[data-dock-door]", has_text="Cửa 3")
    assert "Kho Tân Bình" in row.inner_text()

    now = datetime.now(UTC)
    epc = sscc_96_hex(pallet["sscc"], "8930000")
    reads = [
        {
            "timestamp": (now - timedelta(seconds=2) + timedelta(milliseconds=200 * n)).strftime(
                "%Y-%m-%dT%H:%M:%S.%f"
            )[:-3]
            + "+0000",
            "type": "SIMPLE",
            "data": {"idHex": epc, "antenna": 1, "peakRssi": -48 - n, "reads": 2, "format": "epc"},
        }
        for n in range(8)
    ]
    # Objects back to back, as the reader's HTTP POST sends them.
    body = "".join(json.dumps(read) for read in reads).encode()
    answer = _post(logitrack_server, "/ingest/rfid/zebra", reader_token, content=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 8

    face = Image.fromarray(sample_images.astronaut())
    sent = io.BytesIO()
    face.save(sent, "JPEG", quality=92)
    answer = _post(
        logitrack_server,
        "/ingest/camera",
        camera_token,
        files={"image": ("snapshot.jpg", sent.getvalue(), "image/jpeg")},
        data={"captured_at": now.isoformat(), "waybill": pallet["waybill"]},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["faces_blurred"] >= 1

    goto(page, f"{base}/operations/shipments/{pallet['waybill']}/")
    timeline = page.locator("[data-timeline]")
    door_events = timeline.locator("li.status-at_hub")
    assert door_events.count() == 1, timeline.inner_text()
    assert "Kho Tân Bình" in door_events.inner_text()
    assert "Cổng RFID" in door_events.inner_text()
    snapshot = timeline.locator("[data-snapshot-thumbnail]")
    snapshot.wait_for(state="attached")
    # A lazy image loads when the reader scrolls to it (the timeline sits below the carrier).
    snapshot.evaluate("img => img.scrollIntoView()")
    snapshot.wait_for()
    assert page.evaluate(
        "img => img.complete && img.naturalWidth > 0", snapshot.element_handle()
    ), "the snapshot's thumbnail did not load"

    # The full image as the browser gets it (its session, its trust in the server's CA).
    link = timeline.locator("[data-snapshot-full]").get_attribute("href")
    encoded = page.evaluate(
        """async (link) => {
            const answer = await fetch(link);
            if (!answer.ok) return "";
            const bytes = new Uint8Array(await answer.arrayBuffer());
            let text = "";
            for (const byte of bytes) text += String.fromCharCode(byte);
            return btoa(text);
        }""",
        link,
    )
    assert encoded, "the full snapshot did not load"
    shown = Image.open(io.BytesIO(base64.b64decode(encoded))).convert("RGB")
    assert shown.size == face.size
    # The face the detector found in the original is gone from what the page shows.
    assert blur_sensitive_regions(face).faces >= 1
    assert blur_sensitive_regions(shown).faces == 0
    box = (150, 50, 330, 230)  # the astronaut's face in skimage's sample image
    before = np.asarray(face.crop(box), dtype=np.int16)
    after = np.asarray(shown.crop(box), dtype=np.int16)
    assert float(np.abs(before - after).mean()) > 20.0

    # The door shows when it last read a tag; the reader's page lists the read, one observation
    # of 8 events x 2 reads, with its door and the shipment it moved.
    goto(page, f"{base}/operations/dock-doors/")
    last_read = page.locator("tr[data-dock-door]", has_text="Cửa 3").locator("[data-last-read]")
    assert "Chưa có lần đọc" not in last_read.inner_text()
    assert any(ch.isdigit() for ch in last_read.inner_text()), last_read.inner_text()
    goto(page, f"{base}/operations/devices/")
    with page.expect_navigation():
        page.get_by_role("link", name="Đầu đọc cửa 3").first.click()
    rows = page.locator("[data-reads] tr[data-read]")
    assert rows.count() == 1, page.locator("[data-reads]").inner_text()
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[0].startswith("urn:epc:id:sscc:8930000."), cells
    assert (cells[1], cells[2], cells[5], cells[6]) == ("1", "Cửa 3", "16", pallet["waybill"])
