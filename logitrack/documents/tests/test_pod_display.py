"""How the driver's page and the dispatcher's shipment page show a delivery: COD in the
project's money format, phones in the national format, the proof of delivery with its name,
photo and signature."""

from __future__ import annotations

import pytest
from django.conf import settings

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.documents.pod import Upload, proof_of_delivery_record
from logitrack.documents.tests import samples
from logitrack.logistics.models import Shipment
from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, principal_for, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def out_for_delivery(tenant: Tenant) -> Shipment:
    order = make_order_row(make_shipper(tenant), cod_amount_vnd=300_000)
    return make_shipment_row(order, status="out_for_delivery")


def _driver_page(tenant: Tenant, shipment: Shipment, language: str) -> str:
    client = HttpsClient()
    sign_in(client, make_member(tenant, Role.DRIVER))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return str(client.get(f"/driver/shipments/{shipment.waybill}/").content.decode())


def test_the_pod_page_shows_cod_grouped_and_the_phone_in_national_format(
    tenant: Tenant, out_for_delivery: Shipment
) -> None:
    vietnamese = _driver_page(tenant, out_for_delivery, "vi")
    english = _driver_page(tenant, out_for_delivery, "en")

    assert "300.000\u00a0₫" in vietnamese or "300.000 ₫" in vietnamese
    assert "300,000" in english
    assert "300000" not in vietnamese
    assert ">0912 345 678<" in vietnamese
    assert 'href="tel:+84912345678"' in vietnamese


def test_the_shipment_page_shows_the_proof_of_delivery(
    tenant: Tenant, dispatcher: Membership, out_for_delivery: Shipment
) -> None:
    with tenant_context(tenant):
        proof = proof_of_delivery_record(
            actor=principal_for(make_member(tenant, Role.DRIVER)),
            shipment=out_for_delivery,
            outcome="delivered",
            idempotency_key="form-key-0001",
            recipient_name="Trần Thị Mai",
            photo=Upload(samples.jpeg_rotated(), "IMG_0001.jpg"),
            signature=Upload(samples.png((300, 120)), "signature.png"),
        ).proof
    client = HttpsClient()
    sign_in(client, dispatcher)

    page = client.get(f"/operations/shipments/{out_for_delivery.waybill}/").content.decode()

    assert f'data-proof="{proof.pk}"' in page
    assert "<span data-recipient>Trần Thị Mai</span>" in page
    assert proof.photo is not None
    assert proof.signature is not None
    assert f'src="/api/v1/documents/{proof.photo.pk}/thumbnail"' in page
    assert f'src="/api/v1/documents/{proof.signature.pk}/thumbnail"' in page
    assert "0912 345 678" in page
