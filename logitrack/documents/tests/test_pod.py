"""Proof of delivery (logitrack.documents.pod): one event and one set of documents per form."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image

from logitrack.core.crypto.api import reveal
from logitrack.core.tenant import tenant_context
from logitrack.documents import vault
from logitrack.documents.errors import (
    EvidenceMissing,
    FileTypeNotAllowed,
    LocationInvalid,
    RecipientNameMissing,
    SignatureNotPng,
    SubmissionKeyInvalid,
    SubmissionKeyReused,
)
from logitrack.documents.models import Document, ProofOfDelivery
from logitrack.documents.pod import PodResult, Upload, proof_of_delivery_record
from logitrack.documents.services import document_read
from logitrack.documents.tests import samples
from logitrack.logistics.errors import TransitionForbidden
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, principal_for

pytestmark = pytest.mark.django_db(transaction=True)
KEY = "form-key-0001"


@pytest.fixture
def driver(tenant: Tenant) -> Iterator[Principal]:
    with tenant_context(tenant):
        yield principal_for(make_member(tenant, Role.DRIVER))


@pytest.fixture
def out_for_delivery(tenant: Tenant) -> Shipment:
    return make_shipment_row(make_order_row(make_shipper(tenant)), status="out_for_delivery")


def _state(shipment: Shipment) -> tuple[object, ...]:
    shipment.refresh_from_db()
    return (
        shipment.status,
        ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).count(),
        Document.dangerously_unscoped.count(),
        ProofOfDelivery.dangerously_unscoped.count(),
    )


def _deliver(actor: Principal, shipment: Shipment, key: str = KEY, **kwargs: Any) -> PodResult:
    values: dict[str, Any] = {
        "recipient_name": "Trần Thị Mai",
        "photo": Upload(samples.jpeg_rotated(), "IMG_0001.jpg"),
        "signature": Upload(samples.png((300, 120)), "signature.png"),
    }
    values.update(kwargs)
    return proof_of_delivery_record(
        actor=actor,
        shipment=shipment,
        outcome="delivered",
        idempotency_key=key,
        **values,
    )


def test_delivered_with_photo_signature_name_and_location(
    driver: Principal, out_for_delivery: Shipment
) -> None:
    result = _deliver(
        driver, out_for_delivery, latitude="10.776889", longitude="106.700806", accuracy_m=12
    )

    proof = result.proof
    assert result.replayed is False
    assert _state(out_for_delivery) == ("delivered", 1, 2, 1)
    assert reveal(proof, "recipient_name") == "Trần Thị Mai"
    assert reveal(proof, "device_location") == "10.776889,106.700806,12"
    assert proof.photo is not None
    assert proof.signature is not None
    assert (proof.photo.kind, proof.signature.kind) == ("pod_photo", "pod_signature")
    assert proof.photo.shipment_id == proof.signature.shipment_id == out_for_delivery.pk
    photo = Image.open(io.BytesIO(document_read(actor=driver, document=proof.photo)))
    assert dict(photo.getexif()) == {}
    assert proof.event.status == "delivered"
    assert proof.event.idempotency_key == f"pod-{KEY}"


def test_a_resubmitted_form_creates_no_second_event_or_documents(
    driver: Principal, out_for_delivery: Shipment
) -> None:
    first = _deliver(driver, out_for_delivery)
    state = _state(out_for_delivery)

    again = _deliver(driver, out_for_delivery)

    assert again.replayed is True
    assert again.proof.pk == first.proof.pk
    assert _state(out_for_delivery) == state == ("delivered", 1, 2, 1)


def test_the_same_key_for_another_shipment_is_refused(
    driver: Principal, out_for_delivery: Shipment, tenant: Tenant
) -> None:
    _deliver(driver, out_for_delivery)
    other = make_shipment_row(make_order_row(make_shipper(tenant)), status="out_for_delivery")

    with pytest.raises(SubmissionKeyReused):
        _deliver(driver, other)
    assert _state(other) == ("out_for_delivery", 0, 2, 1)


def test_a_failed_attempt_records_its_reason(driver: Principal, out_for_delivery: Shipment) -> None:
    result = proof_of_delivery_record(
        actor=driver,
        shipment=out_for_delivery,
        outcome="failed_attempt",
        idempotency_key=KEY,
        failure_reason="recipient_absent",
        reason_text="Gọi 3 lần không nghe máy",
    )

    assert _state(out_for_delivery) == ("failed_attempt", 1, 0, 1)
    assert result.proof.event.failure_reason == "recipient_absent"
    assert result.proof.event.reason_text == "Gọi 3 lần không nghe máy"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"recipient_name": ""}, RecipientNameMissing),
        ({"recipient_name": "An\u202e"}, RecipientNameMissing),
        ({"photo": None, "signature": None}, EvidenceMissing),
        ({"photo": Upload(samples.ELF_HEADER, "a.jpg")}, FileTypeNotAllowed),
        ({"signature": Upload(samples.jpeg_rotated(), "s.png")}, SignatureNotPng),
        ({"latitude": "10.7", "longitude": None}, LocationInvalid),
        ({"latitude": "91", "longitude": "106"}, LocationInvalid),
    ],
)
def test_incomplete_or_bad_input_changes_nothing(
    driver: Principal, out_for_delivery: Shipment, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    before = _state(out_for_delivery)

    with pytest.raises(error):
        _deliver(driver, out_for_delivery, **kwargs)

    assert _state(out_for_delivery) == before


def test_a_malformed_key_is_refused(driver: Principal, out_for_delivery: Shipment) -> None:
    with pytest.raises(SubmissionKeyInvalid):
        _deliver(driver, out_for_delivery, key="short")
    assert _state(out_for_delivery) == ("out_for_delivery", 0, 0, 0)


def test_a_shipment_not_out_for_delivery_is_refused_and_its_files_removed(
    driver: Principal, tenant: Tenant
) -> None:
    in_transit = make_shipment_row(make_order_row(make_shipper(tenant)), status="in_transit")

    with pytest.raises(TransitionForbidden):
        _deliver(driver, in_transit)

    assert _state(in_transit) == ("in_transit", 0, 0, 0)
    storage = vault.storage()
    assert not storage.exists(f"documents/t{tenant.pk}") or storage.listdir(
        f"documents/t{tenant.pk}"
    ) == ([], [])


def test_location_is_stored_encrypted(driver: Principal, out_for_delivery: Shipment) -> None:
    _deliver(driver, out_for_delivery, latitude=Decimal("10.5"), longitude=Decimal("106.25"))

    raw = ProofOfDelivery.dangerously_unscoped.values_list("device_location", flat=True).get()
    assert "106.25" not in str(raw)
