"""Documents attached to shipments through the API (multipart uploads)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from logitrack.core.testing import HttpsClient
from logitrack.documents.models import Document
from logitrack.documents.tests import samples
from logitrack.logistics.models import Shipment
from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper
from logitrack.tenancy.models import Membership
from logitrack.tenancy.tests.factories import make_tenant, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in(dispatcher: Membership) -> HttpsClient:
    client = HttpsClient()
    sign_in(client, dispatcher)
    return client


def _upload(
    client: HttpsClient, waybill: str, data: bytes, name: str, kind: str = "other"
) -> object:
    return client.post(
        f"/api/v1/shipments/{waybill}/documents",
        data={"kind": kind, "file": SimpleUploadedFile(name, data, content_type="image/jpeg")},
    )


def test_an_image_uploaded_to_a_shipment_is_attached_and_listed(
    signed_in: HttpsClient, shipment: Shipment
) -> None:
    response = _upload(
        signed_in, shipment.waybill, samples.png_with_gps(), "vận đơn.png", "waybill_image"
    )

    assert response.status_code == 201  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert (body["kind"], body["content_type"], body["file_name"]) == (
        "waybill_image",
        "image/png",
        "vận đơn.png",
    )
    document = Document.dangerously_unscoped.get(pk=body["id"])
    assert document.shipment_id == shipment.pk
    listed = signed_in.get(f"/api/v1/shipments/{shipment.waybill}/documents").json()
    assert [item["id"] for item in listed] == [document.pk]


def test_an_executable_named_jpg_is_refused_with_415_and_nothing_stored(
    signed_in: HttpsClient, shipment: Shipment
) -> None:
    response = _upload(signed_in, shipment.waybill, samples.ELF_HEADER, "photo.jpg")

    assert response.status_code == 415  # type: ignore[attr-defined]
    assert response.json()["error"]["code"] == "file_type_not_allowed"  # type: ignore[attr-defined]
    assert Document.dangerously_unscoped.count() == 0


@override_settings(LOGITRACK_DOCUMENT_MAX_BYTES=50_000)
def test_an_oversized_upload_is_refused_with_413_while_streaming(
    signed_in: HttpsClient, shipment: Shipment
) -> None:
    response = _upload(signed_in, shipment.waybill, b"a,b\n" * 20_000, "big.csv")

    assert response.status_code == 413  # type: ignore[attr-defined]
    assert response.json()["error"]["code"] == "file_too_large"  # type: ignore[attr-defined]
    assert Document.dangerously_unscoped.count() == 0


def test_an_empty_upload_is_refused(signed_in: HttpsClient, shipment: Shipment) -> None:
    response = _upload(signed_in, shipment.waybill, b"", "empty.pdf")

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert response.json()["error"]["code"] == "file_empty"  # type: ignore[attr-defined]


def test_a_decompression_bomb_is_refused_with_its_code(
    signed_in: HttpsClient, shipment: Shipment
) -> None:
    response = _upload(signed_in, shipment.waybill, samples.png_bomb(), "bomb.png")

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert response.json()["error"]["code"] == "file_decompression_bomb"  # type: ignore[attr-defined]
    assert Document.dangerously_unscoped.count() == 0


def test_another_tenants_waybill_and_a_malformed_one_answer_the_same_404(
    signed_in: HttpsClient,
) -> None:
    foreign = make_shipment_row(make_order_row(make_shipper(make_tenant())))

    other = _upload(signed_in, foreign.waybill, samples.pdf(), "a.pdf")
    malformed = _upload(signed_in, "NOT-A-WAYBILL", samples.pdf(), "a.pdf")

    assert other.status_code == malformed.status_code == 404  # type: ignore[attr-defined]
    assert other.json() == malformed.json()  # type: ignore[attr-defined]
    assert Document.dangerously_unscoped.count() == 0
