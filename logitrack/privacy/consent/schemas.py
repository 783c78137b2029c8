"""Schemas of the consents API (/api/v1/consents)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from logitrack.core.ids import Id
from logitrack.core.schemas import Code, EmailText, HumanText, MultilineText


class SubjectIn(Schema):
    """Whose consent: a driver by id, or a consignee by id or by e-mail address / phone number
    (found, or added, among the tenant's consignees)."""

    kind: Literal["consignee", "driver"]
    id: Id | None = None
    email: EmailText | None = Field(default=None, max_length=254)
    phone: Code | None = Field(default=None, max_length=32)


class ConsentIn(Schema):
    subject: SubjectIn
    purpose: HumanText = Field(
        max_length=64,
        description="A fixed purpose (marketing_email, marketing_sms, usage_analytics, "
        "advertising_measurement) or tenant.<code> of a declared one.",
    )
    action: Literal["grant", "withdraw"]
    method: Literal["api", "import", "phone", "paper"] = "api"
    notice_text: MultilineText = Field(
        default="",
        max_length=4000,
        description="The notice the person was shown, exactly; empty for the standard notice.",
    )
    language: Literal["vi", "en"] = "vi"


class ConsentOut(Schema):
    id: int | None
    subject_kind: Literal["consignee", "driver"]
    subject_id: int
    purpose: str
    action: Literal["grant", "withdraw"]
    method: str
    occurred_at: datetime | None
    policy_version: str
    notice_language: str
    notice_text: str
    gpc: bool
    refused_by_gpc: bool


class ConsentListedOut(ConsentOut):
    """A current consent with whom it is about, so that a caller can match it: the consignee's
    name, e-mail address and phone number as the tenant holds them (null when not given), or
    the driver's name (``subject_id`` is the driver's id)."""

    name: str | None
    email: str | None
    phone: str | None


class ConsentRecordedOut(ConsentOut):
    changed: bool = Field(description="False when the choice was already the current one.")


class CampaignIn(Schema):
    """A newsletter or promotion to the tenant's consignees and drivers who hold a current
    consent for the channel; both languages are required (a consignee's language is unknown,
    so an e-mail carries both)."""

    channel: Literal["email", "sms"]
    subject_vi: HumanText = Field(max_length=200)
    subject_en: HumanText = Field(max_length=200)
    body_vi: MultilineText = Field(max_length=5000)
    body_en: MultilineText = Field(max_length=5000)


class CampaignOut(Schema):
    id: int
    channel: Literal["email", "sms"]
    subject_vi: str
    subject_en: str
    status: Literal["queued", "sending", "done", "failed"]
    audience: int = Field(description="People holding a current consent when it was created.")
    total: int = Field(description="People the job considered (consignees and drivers).")
    processed: int
    sent: int
    skipped: int = Field(description="Left out: no current consent, no address, or sent before.")
    created_at: datetime
    finished_at: datetime | None
