"""Proof of delivery in chromium, on a phone: photo, signature drawn by mouse, location, and the
same form submitted twice (as a flaky connection resends it).

The shipments are seeded into the server's database with ``logitrack shell`` (shipments are
created by the order pages of another part of P3); everything else is done as a driver does.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from PIL import Image
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Geolocation,
    Request,
    Route,
    ViewportSize,
)

from .conftest import Owner
from .journeys import goto, shell_json, sign_in

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
SAIGON: Geolocation = {"latitude": 10.776889, "longitude": 106.700806}

_SEED = """
import json
from logitrack.accounts.models import User
from logitrack.tenancy.models import Membership
from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper
user = User.objects.get(email={email!r})
tenant = Membership.dangerously_unscoped.get(user=user).tenant
shipper = make_shipper(tenant)
order = make_order_row(shipper)
print(json.dumps(make_shipment_row(order, status="out_for_delivery").waybill))
"""

_INSPECT = """
import io, json
from PIL import Image
from logitrack.core.crypto.api import reveal
from logitrack.core.tenant import tenant_context
from logitrack.documents.models import Document, ProofOfDelivery
from logitrack.documents.services import document_read
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.tenancy.principal import Principal
shipment = Shipment.dangerously_unscoped.get(waybill={waybill!r})
with tenant_context(shipment.tenant_id):
    proofs = list(ProofOfDelivery.objects.filter(shipment=shipment))
    documents = list(Document.objects.filter(shipment=shipment).order_by("kind"))
    actor = Principal(tenant=shipment.tenant)
    photo = next(d for d in documents if d.kind == "pod_photo")
    image = Image.open(io.BytesIO(document_read(actor=actor, document=photo)))
    print(json.dumps({{
        "status": shipment.status,
        "events": ShipmentEvent.objects.filter(shipment=shipment).count(),
        "proofs": len(proofs),
        "kinds": [d.kind for d in documents],
        "types": [d.content_type for d in documents],
        "recipient": reveal(proofs[0], "recipient_name"),
        "location": reveal(proofs[0], "device_location"),
        "photo_exif": len(image.getexif()),
    }}))
"""


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (30, 140, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (10.0, 46.0, 36.8), 3: "E", 4: (106.0, 42.0, 2.9)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        geolocation=SAIGON,
    )
    yield context
    context.close()


def test_a_driver_delivers_with_photo_signature_and_location_and_a_resubmit_records_nothing(
    phone: BrowserContext, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    base = logitrack_server.https_url
    waybill = shell_json(logitrack_server, _SEED.format(email=owner.email))
    phone.grant_permissions(["geolocation"], origin=base)
    page = phone.new_page()
    sign_in(page, base, owner.email)

    # The list of deliveries, then the shipment, as big touch targets on a phone.
    goto(page, f"{base}/driver/")
    task = page.locator(f"a[data-waybill='{waybill}']")
    box = task.bounding_box()
    assert box is not None
    assert box["height"] >= 48
    with page.expect_navigation():
        task.click()
    assert page.url == f"{base}/driver/shipments/{waybill}/"
    width: int = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]

    # Recipient, a photo from the camera input, a signature drawn by mouse, the phone's location.
    page.fill("#id_recipient_name", "Trần Thị Mai")
    camera = page.locator("input[name=photo]")
    assert camera.get_attribute("accept") == "image/*"
    assert camera.get_attribute("capture") == "environment"
    camera.set_input_files(
        {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": _photo_with_gps()}
    )
    pad = page.locator("canvas[data-signature-pad]")
    # A person scrolls the pad into view before signing (the cookie banner sits above it).
    pad.scroll_into_view_if_needed()
    pad_box = pad.bounding_box()
    assert pad_box is not None
    x, y = pad_box["x"], pad_box["y"]
    page.mouse.move(x + 20, y + 120)
    page.mouse.down()
    for step in range(1, 15):
        page.mouse.move(x + 20 + step * 20, y + 120 - (step % 4) * 25, steps=3)
    page.mouse.up()
    assert pad.get_attribute("data-strokes") == "1"
    page.get_by_role("button", name="Thêm vị trí của tôi (không bắt buộc)").click()
    page.get_by_text("Đã thêm vị trí.").wait_for()
    submit = page.locator("button[data-submit-delivered]")
    submit_box = submit.bounding_box()
    assert submit_box is not None
    assert submit_box["height"] >= 48

    # Submit, keeping the exact request the phone sent, to send it again afterwards.
    sent: list[Request] = []

    def keep(route: Route, request: Request) -> None:
        sent.append(request)
        route.continue_()

    page.route(f"**/driver/shipments/{waybill}/delivered/", keep)
    with page.expect_navigation():
        submit.click()
    assert page.url == f"{base}/driver/shipments/{waybill}/"
    assert page.locator("[role=status]", has_text="Đã ghi nhận giao hàng.").count() == 1
    assert page.locator("[data-status]").inner_text() == "Đã giao"
    assert len(sent) == 1

    # The photo and the signature are listed on the driver's page with their previews, loaded
    # through the driver's own preview route.
    previews = page.locator("[data-document] img[data-thumbnail]")
    assert previews.count() == 2
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-document] img[data-thumbnail]')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    widths = previews.evaluate_all("imgs => imgs.map(img => img.naturalWidth)")
    assert all(width > 0 for width in widths)
    sources = previews.evaluate_all("imgs => imgs.map(img => img.getAttribute('src'))")
    assert all(src.startswith(f"/driver/shipments/{waybill}/documents/") for src in sources)

    # The connection dropped the answer; the phone sends the very same bytes again.
    first = sent[0]
    body = first.post_data_buffer
    assert body is not None
    replay: dict[str, Any] = page.evaluate(
        """async ([url, bytes, type]) => {
            const answer = await fetch(url, {method: "POST", body: new Uint8Array(bytes),
                                             headers: {"Content-Type": type}});
            return {url: answer.url, status: answer.status, text: await answer.text()};
        }""",
        [first.url, list(body), first.headers["content-type"]],
    )
    assert replay["status"] == 200
    assert replay["url"] == f"{base}/driver/shipments/{waybill}/"
    assert "Việc này đã được ghi nhận; không có gì bị gửi hai lần." in replay["text"]

    facts = shell_json(logitrack_server, _INSPECT.format(waybill=waybill))
    assert facts == {
        "status": "delivered",
        "events": 1,
        "proofs": 1,
        "kinds": ["pod_photo", "pod_signature"],
        "types": ["image/jpeg", "image/png"],
        "recipient": "Trần Thị Mai",
        "location": "10.776889,106.700806," + facts["location"].rsplit(",", 1)[1],
        "photo_exif": 0,
    }
