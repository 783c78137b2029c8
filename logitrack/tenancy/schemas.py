"""Request and response bodies of the tenancy API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema


class SignupIn(Schema):
    company_name: str = Field(max_length=200)
    tax_code: str = Field(max_length=20)
    industry: str = Field(max_length=100)
    street_address: str = Field(max_length=300)
    province_code: int
    ward_code: int
    data_region: str = "vietnam"
    owner_full_name: str = Field(max_length=150)
    owner_email: str = Field(max_length=254)
    owner_password: str = Field(max_length=1024)
    owner_date_of_birth: date
    privacy_consent: bool
    language: Literal["vi", "en"] = "vi"


class TenantOut(Schema):
    id: int
    name: str
    tax_code: str
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

    name: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=100)
    street_address: str | None = Field(default=None, max_length=300)
    province_code: int | None = None
    ward_code: int | None = None
    data_region: str | None = None


class MyMembershipOut(Schema):
    tenant_id: int
    tenant_name: str
    role: str
    current: bool


class TenantSwitchIn(Schema):
    tenant_id: int


class MemberOut(Schema):
    id: int
    user_id: int
    full_name: str
    email: str
    role: str
    joined_at: datetime


class RoleIn(Schema):
    role: str = Field(max_length=32)


class InvitationIn(Schema):
    email: str = Field(max_length=254)
    role: str = Field(max_length=32)


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    created_at: datetime
    expires_at: datetime


class InvitationAcceptIn(Schema):
    token: str = Field(max_length=100)
    full_name: str = Field(default="", max_length=150)
    password: str = Field(default="", max_length=1024)
    date_of_birth: date | None = None
    privacy_consent: bool = False
    language: Literal["vi", "en"] = "vi"


class InvitationAcceptedOut(Schema):
    membership_id: int
    tenant_id: int
    role: str


class ApiKeyIn(Schema):
    name: str = Field(max_length=100)
    permissions: list[str] = Field(max_length=50)
    expires_at: datetime


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
