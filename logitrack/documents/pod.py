"""Proof of delivery: what a driver records at the door, through the one transition service.

``proof_of_delivery_record`` marks a shipment delivered (the recipient's name, and a photo and/or
a drawn signature) or records a failed attempt (a reason), optionally with the phone's location.
A flaky connection resends the same form: its idempotency key (generated into the form by the
server) finds the first recording, which is returned with ``replayed=True`` and nothing more is
written, neither an event nor a document.

Order of work: every input is checked and the images are re-encoded before any lock is taken;
then, in one transaction, the shipment row is locked, the key looked up again, the event
recorded by ``shipment_record_event`` (idempotency key ``pod-<key>``), the photo and signature
stored as documents of the shipment, and the proof written with its audit entry. When anything
fails, the transaction rolls back and the files written for it are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from logitrack.core.text import TextRefused, human_text
from logitrack.documents import vault
from logitrack.documents.errors import (
    EvidenceMissing,
    LocationInvalid,
    OutcomeInvalid,
    PhotoNotAnImage,
    RecipientNameMissing,
    SignatureNotPng,
    SubmissionKeyInvalid,
    SubmissionKeyReused,
)
from logitrack.documents.filetypes import PNG
from logitrack.documents.models import DocumentKind, PodOutcome, ProofOfDelivery
from logitrack.documents.services import PreparedFile, document_prepare, document_store
from logitrack.logistics.models import Shipment
from logitrack.logistics.services.transitions import shipment_record_event
from logitrack.logistics.status import EventSource
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal

KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{8,64}")
RECIPIENT_NAME_MAX = 150
EVENT_KEY_PREFIX = "pod-"


@dataclass(frozen=True)
class Upload:
    data: bytes
    file_name: str


@dataclass(frozen=True)
class PodResult:
    proof: ProofOfDelivery
    replayed: bool


@dataclass(frozen=True)
class _Location:
    latitude: Decimal
    longitude: Decimal
    accuracy_m: int | None

    def sealed_text(self) -> str:
        accuracy = "" if self.accuracy_m is None else str(self.accuracy_m)
        return f"{self.latitude},{self.longitude},{accuracy}"


def clean_location(
    latitude: Decimal | float | str | None,
    longitude: Decimal | float | str | None,
    accuracy_m: int | None,
) -> _Location | None:
    """Both coordinates (WGS 84 degrees, 6 decimals) or neither; accuracy 0-100,000 m."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise LocationInvalid()
    try:
        lat = Decimal(str(latitude)).quantize(Decimal("0.000001"))
        lon = Decimal(str(longitude)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError) as exc:
        raise LocationInvalid() from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise LocationInvalid()
    if accuracy_m is not None and not 0 <= accuracy_m <= 100_000:
        raise LocationInvalid()
    return _Location(lat, lon, accuracy_m)


def _clean_name(raw: str) -> str:
    try:
        name = human_text(raw or "")
    except TextRefused as exc:
        raise RecipientNameMissing(exc.message) from exc
    if len(name) > RECIPIENT_NAME_MAX:
        raise RecipientNameMissing()
    return name


def _replay(key: str, shipment: Shipment) -> PodResult | None:
    existing = ProofOfDelivery.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.shipment_id != shipment.pk:
        raise SubmissionKeyReused()
    return PodResult(existing, replayed=True)


def proof_of_delivery_record(
    *,
    actor: Principal,
    shipment: Shipment,
    outcome: str,
    idempotency_key: str,
    recipient_name: str = "",
    photo: Upload | None = None,
    signature: Upload | None = None,
    failure_reason: str = "",
    reason_text: str = "",
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    accuracy_m: int | None = None,
    occurred_at: datetime | None = None,
    source: str = EventSource.USER,
    request: HttpRequest | None = None,
) -> PodResult:
    """Record a delivery (``outcome="delivered"``) or a failed attempt (``"failed_attempt"``).

    ``idempotency_key``: 8-64 of ``A-Z a-z 0-9 _ -``. Delivered needs ``recipient_name`` and a
    ``photo`` (JPEG/PNG/WebP) and/or a ``signature`` (PNG); a failed attempt needs
    ``failure_reason`` (logistics' FailureReason) and may carry a photo. Errors: the
    ProofOfDeliveryInvalid family and the DocumentError family (422, 413, 415), 409
    ``idempotency_key_reused`` for a key of another shipment, and what ``shipment_record_event``
    raises (``transition_forbidden`` when the shipment is not out for delivery, 403, ...); each
    leaves nothing behind. A replayed key returns the first result and writes nothing.
    """
    if not isinstance(idempotency_key, str) or not KEY_PATTERN.fullmatch(idempotency_key):
        raise SubmissionKeyInvalid()
    replay = _replay(idempotency_key, shipment)
    if replay is not None:
        return replay
    try:
        wanted = PodOutcome(outcome)
    except ValueError as exc:
        raise OutcomeInvalid() from exc
    name = _clean_name(recipient_name) if wanted == PodOutcome.DELIVERED else ""
    if wanted == PodOutcome.DELIVERED:
        if not name:
            raise RecipientNameMissing()
        if photo is None and signature is None:
            raise EvidenceMissing()
    where = clean_location(latitude, longitude, accuracy_m)
    prepared_photo = _prepare_photo(photo)
    prepared_signature = _prepare_signature(signature) if wanted == PodOutcome.DELIVERED else None
    when = occurred_at or timezone.now()

    written: list[str] = []
    try:
        with transaction.atomic():
            locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
            replay = _replay(idempotency_key, locked)
            if replay is not None:
                return replay
            event = shipment_record_event(
                actor=actor,
                shipment=locked,
                status=wanted.value,
                occurred_at=when,
                source=source,
                idempotency_key=EVENT_KEY_PREFIX + idempotency_key,
                reason=failure_reason or None,
                reason_text=reason_text,
                request=request,
            ).event
            documents = {
                field: document_store(
                    actor=actor,
                    prepared=prepared,
                    shipment=locked,
                    request=request,
                    written=written,
                )
                for field, prepared in (
                    ("photo", prepared_photo),
                    ("signature", prepared_signature),
                )
                if prepared is not None
            }
            proof = ProofOfDelivery(
                tenant_id=locked.tenant_id,
                shipment=locked,
                event=event,
                outcome=wanted.value,
                recipient_name=name,
                device_location=where.sealed_text() if where is not None else "",
                photo=documents.get("photo"),
                signature=documents.get("signature"),
                idempotency_key=idempotency_key,
                recorded_by=actor.user,
            )
            with transaction.atomic():
                proof.save(force_insert=True)
            _audit(actor, proof, request)
    except IntegrityError:
        # The same key, committed meanwhile by a concurrent submit of the same form.
        for key in written:
            vault.delete(key)
        replay = _replay(idempotency_key, shipment)
        if replay is None:
            raise
        return replay
    except BaseException:
        for key in written:
            vault.delete(key)
        raise
    return PodResult(proof, replayed=False)


def _prepare_photo(photo: Upload | None) -> PreparedFile | None:
    if photo is None:
        return None
    prepared = document_prepare(
        data=photo.data, file_name=photo.file_name, kind=DocumentKind.POD_PHOTO
    )
    if not prepared.content_type.startswith("image/"):
        raise PhotoNotAnImage()
    return prepared


def _prepare_signature(signature: Upload | None) -> PreparedFile | None:
    if signature is None:
        return None
    prepared = document_prepare(
        data=signature.data, file_name=signature.file_name or "signature.png",
        kind=DocumentKind.POD_SIGNATURE,
    )  # fmt: skip
    if prepared.content_type != PNG:
        raise SignatureNotPng()
    return prepared


def _audit(actor: Principal, proof: ProofOfDelivery, request: HttpRequest | None) -> None:
    from logitrack.security.services import audit_record

    audit_record(
        action="proof_of_delivery_recorded",
        actor=actor_of(actor),
        tenant_id=proof.tenant_id,
        object_type="shipment",
        object_id=str(proof.shipment_id),
        details={
            "outcome": proof.outcome,
            "photo": proof.photo_id is not None,
            "signature": proof.signature_id is not None,
            "location": bool(proof.device_location),
        },
        request=request,
    )
