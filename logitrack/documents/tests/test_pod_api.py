"""POST /api/v1/shipments/{waybill}/proof-of-delivery, with an API key holding driver.tasks."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from logitrack.core.testing import HttpsClient
from logitrack.documents.models import Document, ProofOfDelivery
from logitrack.documents.tests import samples
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import bearer, make_api_key, make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def headers(tenant: Tenant) -> dict[str, str]:
    owner = make_member(tenant, Role.OWNER)
    return bearer(make_api_key(owner, {Permission.DRIVER_TASKS}).token)


def _post(client: HttpsClient, waybill: str, headers: dict[str, str], **fields: object) -> object:
    return client.post(
        f"/api/v1/shipments/{waybill}/proof-of-delivery", data=fields, headers=headers
    )


def test_a_delivery_with_a_signature_then_its_replay(
    tenant: Tenant, headers: dict[str, str]
) -> None:
    shipment = make_shipment_row(make_order_row(make_shipper(tenant)), status="out_for_delivery")
    client = HttpsClient()
    fields = {
        "outcome": "delivered",
        "idempotency_key": "app-retry-key-1",
        "recipient_name": "Phạm Minh Châu",
        "latitude": "21.028511",
        "longitude": "105.804817",
    }

    first = _post(
        client,
        shipment.waybill,
        headers,
        signature=SimpleUploadedFile("s.png", samples.png()),
        **fields,
    )
    again = _post(
        client,
        shipment.waybill,
        headers,
        signature=SimpleUploadedFile("s.png", samples.png()),
        **fields,
    )

    assert first.status_code == 201  # type: ignore[attr-defined]
    assert again.status_code == 200  # type: ignore[attr-defined]
    body, replay = first.json(), again.json()  # type: ignore[attr-defined]
    assert (body["status"], body["outcome"], body["replayed"]) == ("delivered", "delivered", False)
    assert body["signature"]["kind"] == "pod_signature"
    assert body["photo"] is None
    assert replay["replayed"] is True
    assert replay["event_id"] == body["event_id"]
    assert ShipmentEvent.dangerously_unscoped.get().source == "api"
    assert Document.dangerously_unscoped.count() == 1


def test_a_shipment_not_out_for_delivery_answers_409_and_stores_nothing(
    tenant: Tenant, headers: dict[str, str]
) -> None:
    shipment = make_shipment_row(make_order_row(make_shipper(tenant)), status="at_hub")

    response = _post(
        HttpsClient(), shipment.waybill, headers,
        outcome="delivered", idempotency_key="app-retry-key-2", recipient_name="An",
        photo=SimpleUploadedFile("p.jpg", samples.jpeg_rotated()),
    )  # fmt: skip

    assert response.status_code == 409  # type: ignore[attr-defined]
    assert response.json()["error"]["code"] == "transition_forbidden"  # type: ignore[attr-defined]
    assert Document.dangerously_unscoped.count() == 0
    assert ProofOfDelivery.dangerously_unscoped.count() == 0
    shipment.refresh_from_db()
    assert shipment.status == "at_hub"


def test_a_failed_attempt_without_reason_is_refused(
    tenant: Tenant, headers: dict[str, str]
) -> None:
    shipment: Shipment = make_shipment_row(
        make_order_row(make_shipper(tenant)), status="out_for_delivery"
    )

    response = _post(
        HttpsClient(), shipment.waybill, headers,
        outcome="failed_attempt", idempotency_key="app-retry-key-3",
    )  # fmt: skip

    assert response.status_code == 422  # type: ignore[attr-defined]
    assert response.json()["error"]["code"] == "reason_required"  # type: ignore[attr-defined]
    assert ShipmentEvent.dangerously_unscoped.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("recipient_name", "Mai\u202egnaT", "text_bidi_control"),
        ("reason_text", "a\x00b", "text_control_character"),
        ("idempotency_key", "key\u2066-0001", "text_bidi_control"),
    ],
)
def test_text_fields_of_the_multipart_form_go_through_the_text_layer(
    tenant: Tenant, headers: dict[str, str], field: str, value: str, code: str
) -> None:
    shipment = make_shipment_row(make_order_row(make_shipper(tenant)), status="out_for_delivery")
    fields: dict[str, object] = {
        "outcome": "delivered",
        "idempotency_key": "app-retry-key-9",
        "recipient_name": "Mai",
        "photo": SimpleUploadedFile("p.png", samples.png()),
    }
    fields[field] = value

    response = _post(HttpsClient(), shipment.waybill, headers, **fields)

    assert response.status_code == 422  # type: ignore[attr-defined]
    errors = response.json()["error"]["fields"]  # type: ignore[attr-defined]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert ShipmentEvent.dangerously_unscoped.count() == 0
