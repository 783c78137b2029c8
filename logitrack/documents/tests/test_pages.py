"""The driver's pages (phone first) and the document actions of the shipment page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from logitrack.core.testing import HttpsClient
from logitrack.documents.models import Document, ProofOfDelivery
from logitrack.documents.tests import samples
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.logistics.numbers import format_waybill
from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def driver_client(tenant: Tenant) -> HttpsClient:
    client = HttpsClient()
    sign_in(client, make_member(tenant, Role.DRIVER))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def out_for_delivery(tenant: Tenant) -> Shipment:
    return make_shipment_row(make_order_row(make_shipper(tenant)), status="out_for_delivery")


def _key(html: str, form: str) -> str:
    section = html.split('action="/driver/shipments/')[1 if form == "delivered" else 2]
    found = re.search(r'name="idempotency_key" value="([^"]+)"', section)
    assert found is not None
    return found.group(1)


def test_the_driver_lists_shipments_out_for_delivery_only(
    driver_client: HttpsClient, out_for_delivery: Shipment, tenant: Tenant
) -> None:
    in_transit = make_shipment_row(make_order_row(make_shipper(tenant)), status="in_transit")

    html = driver_client.get("/driver/").content.decode()

    assert out_for_delivery.waybill in html
    assert in_transit.waybill not in html
    # Shown as printed on the label, with its dashes, as on every other page.
    assert f'<span class="waybill">{format_waybill(out_for_delivery.waybill)}</span>' in html


def test_the_pod_page_carries_a_server_made_key_and_a_camera_input(
    driver_client: HttpsClient, out_for_delivery: Shipment
) -> None:
    html = driver_client.get(f"/driver/shipments/{out_for_delivery.waybill}/").content.decode()
    shown = format_waybill(out_for_delivery.waybill)
    assert f'<p class="waybill" data-waybill>{shown}</p>' in html
    assert shown in html.split("</title>")[0]

    assert 'accept="image/*"' in html
    assert 'capture="environment"' in html
    assert re.fullmatch(r"[0-9a-f]{32}", _key(html, "delivered"))
    assert _key(html, "delivered") != _key(html, "failed")


def test_a_delivered_form_posted_twice_records_once(
    driver_client: HttpsClient, out_for_delivery: Shipment
) -> None:
    page = driver_client.get(f"/driver/shipments/{out_for_delivery.waybill}/").content.decode()
    data = {
        "idempotency_key": _key(page, "delivered"),
        "recipient_name": "Lê Văn Tám",
    }
    url = f"/driver/shipments/{out_for_delivery.waybill}/delivered/"

    first = driver_client.post(
        url, {**data, "photo": SimpleUploadedFile("p.jpg", samples.jpeg_rotated())}
    )
    second = driver_client.post(
        url, {**data, "photo": SimpleUploadedFile("p.jpg", samples.jpeg_rotated())}
    )

    assert first.status_code == second.status_code == 302
    out_for_delivery.refresh_from_db()
    assert out_for_delivery.status == "delivered"
    assert ShipmentEvent.dangerously_unscoped.filter(shipment=out_for_delivery).count() == 1
    assert Document.dangerously_unscoped.count() == 1
    assert ProofOfDelivery.dangerously_unscoped.count() == 1
    followed = driver_client.get(second["Location"]).content.decode()
    assert "nothing was sent twice" in followed


def test_delivered_without_photo_or_signature_is_refused_on_the_page(
    driver_client: HttpsClient, out_for_delivery: Shipment
) -> None:
    page = driver_client.get(f"/driver/shipments/{out_for_delivery.waybill}/").content.decode()

    response = driver_client.post(
        f"/driver/shipments/{out_for_delivery.waybill}/delivered/",
        {"idempotency_key": _key(page, "delivered"), "recipient_name": "An"},
    )

    assert response.status_code == 422
    assert "photo of the delivery or the recipient" in response.content.decode()
    out_for_delivery.refresh_from_db()
    assert out_for_delivery.status == "out_for_delivery"
    assert ProofOfDelivery.dangerously_unscoped.count() == 0


def test_a_failed_attempt_from_the_page(
    driver_client: HttpsClient, out_for_delivery: Shipment
) -> None:
    page = driver_client.get(f"/driver/shipments/{out_for_delivery.waybill}/").content.decode()

    response = driver_client.post(
        f"/driver/shipments/{out_for_delivery.waybill}/failed/",
        {"idempotency_key": _key(page, "failed"), "failure_reason": "wrong_address"},
    )

    assert response.status_code == 302
    out_for_delivery.refresh_from_db()
    assert out_for_delivery.status == "failed_attempt"


def test_the_shipment_page_upload_form_attaches_a_document(
    dispatcher: Membership, out_for_delivery: Shipment
) -> None:
    client = HttpsClient()
    sign_in(client, dispatcher)

    response = client.post(
        f"/documents/shipments/{out_for_delivery.waybill}/upload/",
        {
            "kind": "invoice",
            "file": SimpleUploadedFile("hđ.pdf", samples.pdf()),
            "next": "https://evil.example/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert Document.dangerously_unscoped.get().shipment_id == out_for_delivery.pk


def test_the_documents_fragment_renders_thumbnails_downloads_and_the_upload_form(
    dispatcher: Membership, out_for_delivery: Shipment
) -> None:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from logitrack.core.tenant import tenant_context
    from logitrack.documents.services import document_upload
    from logitrack.documents.views import shipment_documents_context
    from logitrack.tenancy.tests.factories import principal_for

    principal = principal_for(dispatcher)
    with tenant_context(dispatcher.tenant):
        photo = document_upload(
            actor=principal, data=samples.png(), file_name="ảnh.png", kind="pod_photo",
            shipment=out_for_delivery,
        )  # fmt: skip
        request = RequestFactory().get("/shipments/x/")
        request.principal = principal  # type: ignore[attr-defined]
        request.csp_nonce = "n"  # type: ignore[attr-defined]
        html = render_to_string(
            "documents/_list.html", shipment_documents_context(request, out_for_delivery), request
        )

    assert f'src="/api/v1/documents/{photo.pk}/thumbnail"' in html
    assert f'href="/api/v1/documents/{photo.pk}/download"' in html
    assert f'action="/documents/{photo.pk}/delete/"' in html
    assert f'action="/documents/shipments/{out_for_delivery.waybill}/upload/"' in html
    assert "ảnh.png" in html
