"""Request and response bodies of the /api/v1/me endpoints."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from logitrack.core.schemas import Code, HumanText, IsoDate, SecretText


class MeOut(Schema):
    id: int
    email: str
    email_verified: bool
    full_name: str
    phone: str
    language: str
    time_zone: str


class MePatch(Schema):
    """Only the fields sent are changed; ``phone: ""`` removes the phone number."""

    full_name: HumanText | None = Field(default=None, max_length=300)
    phone: Code | None = Field(default=None, max_length=32)
    language: HumanText | None = Field(default=None, max_length=8)
    time_zone: HumanText | None = Field(default=None, max_length=64)
    # A date under 16 suspends the account (policy section 9): 403 ``account_suspended``.
    date_of_birth: IsoDate | None = None


class PasswordChangeIn(Schema):
    current_password: SecretText = Field(max_length=1024)
    new_password: SecretText = Field(max_length=1024)


class SessionOut(Schema):
    id: int
    created_at: datetime
    last_seen_at: datetime
    ip_address: str | None
    device: str
    current: bool
