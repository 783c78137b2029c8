"""Request and response bodies of the tenancy API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from logitrack.core.ids import Id
from logitrack.core.schemas import (
    Code,
    EmailText,
    HumanText,
    IsoDate,
    IsoDateTime,
    OpaqueText,
    SecretText,
)


class SignupIn(Schema):
    """``kind`` may be left out for a 10-digit code (an enterprise) and a branch code."""

    company_name: HumanText = Field(max_length=200)
    tax_code: Code = Field(max_length=20)
    kind: HumanText | None = Field(default=None, max_length=32)
    industry: HumanText = Field(max_length=100)
    street_address: HumanText = Field(max_length=300)
    province_code: Id
    ward_code: Id
    data_region: HumanText = "vietnam"
    owner_full_name: HumanText = Field(max_length=150)
    owner_email: EmailText = Field(max_length=254)
    owner_password: SecretText = Field(max_length=1024)
    owner_date_of_birth: IsoDate
    privacy_consent: bool
    language: Literal["vi", "en"] = "vi"


class TenantOut(Schema):
    id: int
    name: str
    tax_code: str
    kind: str
    industry: str
    street_address: str
    province_code: int
    province_name: str
    ward_code: int
    ward_name: str
    data_region: str
    status: str
    created_at: datetime


class SignupAccepted(Schema):
    """The answer to every valid sign-up, whether or not the address already has an account
    (docs/adr/0012): the owner confirms the address through the e-mail, then signs in."""

    status: Literal["check_email"]
    message: str


class TenantUpdateIn(Schema):
    """Only the fields sent change; the tax code cannot change after sign-up."""

    name: HumanText | None = Field(default=None, max_length=200)
    industry: HumanText | None = Field(default=None, max_length=100)
    street_address: HumanText | None = Field(default=None, max_length=300)
    province_code: Id | None = None
    ward_code: Id | None = None
    data_region: HumanText | None = Field(default=None, max_length=32)


class MyMembershipOut(Schema):
    tenant_id: int
    tenant_name: str
    role: str
    current: bool


class TenantSwitchIn(Schema):
    tenant_id: Id


class MemberOut(Schema):
    id: int
    user_id: int
    full_name: str
    email: str
    role: str
    joined_at: datetime


class RoleIn(Schema):
    role: HumanText = Field(max_length=32)


class InvitationIn(Schema):
    email: EmailText = Field(max_length=254)
    role: HumanText = Field(max_length=32)


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    created_at: datetime
    expires_at: datetime


class InvitationAcceptIn(Schema):
    token: OpaqueText = Field(max_length=100)
    full_name: HumanText = Field(default="", max_length=150)
    password: SecretText = Field(default="", max_length=1024)
    date_of_birth: IsoDate | None = None
    privacy_consent: bool = False
    language: Literal["vi", "en"] = "vi"


class InvitationAcceptedOut(Schema):
    membership_id: int
    tenant_id: int
    role: str


class ApiKeyIn(Schema):
    name: HumanText = Field(max_length=100)
    permissions: list[HumanText] = Field(max_length=50)
    expires_at: IsoDateTime


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str
    permissions: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    active: bool
    suspended_at: datetime | None = Field(
        description="Set while the key waits for an owner's review; it is refused meanwhile."
    )
    suspension_reason: str = Field(description="creator_removed, creator_demoted, or empty.")


class ApiKeyCreatedOut(ApiKeyOut):
    token: str = Field(description="The key itself. Shown only in this answer; store it safely.")


class UnitOut(Schema):
    code: int
    name: str


class PermissionRowOut(Schema):
    code: str
    label: str
    roles: list[str]


class PermissionMatrixOut(Schema):
    roles: list[str]
    permissions: list[PermissionRowOut]
