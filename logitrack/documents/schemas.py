"""Bodies of the documents API (uploads are multipart forms, see ``api``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from logitrack.core.schemas import Code, HumanText


class DocumentOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    sha256: str
    file_name: str
    created_at: datetime
    has_thumbnail: bool
    thumbnail_state: str = Field(
        description="ready, pending (a PDF's first page is being drawn), failed (it could not "
        "be drawn: a damaged file or a decompression bomb) or none (CSV, XLSX)"
    )
    download_url: str
    thumbnail_url: str | None


class ProofOfDeliveryIn(Schema):
    """The multipart form fields of a proof of delivery (files: ``photo``, ``signature``)."""

    outcome: Code = Field(description="delivered or failed_attempt")
    idempotency_key: Code = Field(description="8-64 of A-Z a-z 0-9 _ -; resend it on retries")
    recipient_name: HumanText = Field(default="", max_length=150)
    failure_reason: Code = Field(default="", max_length=32)
    reason_text: HumanText = Field(default="", max_length=500)
    latitude: Decimal | None = Field(default=None, ge=-90, le=90)
    longitude: Decimal | None = Field(default=None, ge=-180, le=180)
    accuracy_m: int | None = Field(default=None, ge=0, le=100_000)


class ProofOfDeliveryOut(Schema):
    waybill: str
    status: str
    outcome: str
    replayed: bool
    event_id: int
    photo: DocumentOut | None
    signature: DocumentOut | None
    recorded_at: datetime
