"""Writes to tenants, memberships, invitations and API keys.

Each service is keyword-only and atomic: it validates everything before writing, writes its audit
entry in the same transaction, and schedules e-mails with ``transaction.on_commit``. Objects come
from ``logitrack.tenancy.access``; the principal says who acts and with which permissions, and
each service checks them again, so a page that forgot a check still fails closed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from logitrack.core.errors import NotFound
from logitrack.core.identity import canonical_email
from logitrack.core.tenant import tenant_context
from logitrack.core.text import TextRefused, human_text
from logitrack.tenancy.api_keys import (
    CreatedApiKey,
    api_key_confirm,
    api_key_create,
    api_key_revoke,
    api_keys_suspend_for_guarantor,
)
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.emails import send_invitation_on_commit
from logitrack.tenancy.errors import (
    AlreadyMember,
    ConsentRequired,
    InvalidAddress,
    InvalidCompanyField,
    InvalidEmail,
    InvalidRole,
    InvalidTaxCode,
    InvitationDetailsMissing,
    InvitationInvalid,
    InvitationInviterNotAllowed,
    InvitationNeedsSignIn,
    InvitationWrongAccount,
    LastOwner,
    NotAllowed,
    RoleNotGrantable,
    TaxCodeTaken,
)
from logitrack.tenancy.geography import validate_province_and_ward
from logitrack.tenancy.middleware import SESSION_TENANT_KEY
from logitrack.tenancy.models import ApiKey, Industry, Invitation, Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import (
    API_KEY_PERMISSIONS,
    Permission,
    Role,
    permissions_from_values,
    permissions_of,
)
from logitrack.tenancy.selectors import memberships_of_user
from logitrack.tenancy.validators import (
    TaxpayerKind,
    normalise_tax_code,
    taxpayer_kind_for,
    validate_tax_code,
)

if TYPE_CHECKING:
    from logitrack.accounts.models import User
    from logitrack.security.actors import Actor

__all__ = [
    "CreatedApiKey",
    "CreatedInvitation",
    "RemovalEffects",
    "SignupResult",
    "api_key_confirm",
    "api_key_create",
    "api_key_revoke",
    "invitation_accept",
    "invitation_revoke",
    "membership_change_role",
    "membership_invite",
    "membership_remove",
    "tenant_signup",
    "tenant_switch",
    "tenant_update",
]

INVITATION_LIFETIME = timedelta(days=7)
COMPANY_NAME_MAX = 200
PERSON_NAME_MAX = 150
STREET_ADDRESS_MAX = 300


@dataclass(frozen=True)
class SignupResult:
    tenant: Tenant
    user: User
    membership: Membership


@dataclass(frozen=True)
class CreatedInvitation:
    """A new invitation and its token. The token is only ever in the e-mail: never show it."""

    invitation: Invitation
    token: str


@dataclass(frozen=True)
class RemovalEffects:
    """What removing (or demoting) a member takes with them: their pending invitations, which
    are withdrawn, and the API keys that answer for them, which are suspended for review."""

    invitations: list[Invitation]
    api_keys: list[ApiKey]


@dataclass(frozen=True)
class CompanyFields:
    name: str
    industry: str
    street_address: str
    province_code: int
    ward_code: int
    data_region: str


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- validation shared by signup and the company settings --------------------------------------


def clean_tax_code(raw: str) -> str:
    """The tax code in its stored form; InvalidTaxCode (with the validator's reason) otherwise."""
    try:
        value = normalise_tax_code(raw or "")
        validate_tax_code(value)
    except ValidationError as exc:
        raise InvalidTaxCode(exc.messages[0]) from exc
    return value


def clean_taxpayer_kind(tax_code: str, kind: str | None) -> TaxpayerKind:
    """The kind of taxpayer of a cleaned ``tax_code``; InvalidCompanyField on ``kind`` otherwise."""
    try:
        return taxpayer_kind_for(tax_code, kind)
    except ValidationError as exc:
        raise InvalidCompanyField(exc.messages[0], field="kind") from exc


def _company_text(value: str, *, field: str, message: str | Promise, limit: int) -> str:
    try:
        clean = human_text(value or "")
    except TextRefused as exc:
        raise InvalidCompanyField(exc.message, field=field) from exc
    if not clean or len(clean) > limit:
        raise InvalidCompanyField(message, field=field)
    return clean


def clean_company(
    *,
    name: str,
    industry: str,
    street_address: str,
    province_code: int | None,
    ward_code: int | None,
    data_region: str,
) -> CompanyFields:
    """Company details as stored; one TenancyError naming the field otherwise."""
    # The text layer ran already in the form or schema; services repeat it for other callers.
    clean_name = _company_text(
        name,
        field="name",
        message=_("Enter the company name (at most 200 characters)."),
        limit=COMPANY_NAME_MAX,
    )
    # Blank is allowed for companies created before the industry was asked; sign-up requires it.
    if industry and industry not in Industry.values:
        raise InvalidCompanyField(_("Choose an industry from the list."), field="industry")
    clean_street = _company_text(
        street_address,
        field="street_address",
        message=_("Enter the street address (at most 300 characters)."),
        limit=STREET_ADDRESS_MAX,
    )
    try:
        validate_province_and_ward(province_code, ward_code)
    except ValidationError as exc:
        raise InvalidAddress(exc.messages[0]) from exc
    if data_region not in Tenant.DataRegion.values:
        raise InvalidCompanyField(_("Choose where the data is stored."), field="data_region")
    # Both were checked just above; the asserts tell the type checker.
    assert province_code is not None
    assert ward_code is not None
    return CompanyFields(
        name=clean_name,
        industry=industry,
        street_address=clean_street,
        province_code=province_code,
        ward_code=ward_code,
        data_region=data_region,
    )


def clean_person_name(raw: str) -> str:
    """A person's full name as stored (text layer; 1 to 150 characters); InvalidFullName else."""
    from logitrack.accounts.errors import InvalidFullName

    try:
        name = human_text(raw or "")
    except TextRefused as exc:
        raise InvalidFullName(exc.message) from exc
    if not name or len(name) > PERSON_NAME_MAX:
        raise InvalidFullName()
    return name


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "company")[:50].strip("-") or "company"
    slug = base
    while Tenant.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _require(principal: Principal, permission: Permission) -> Tenant:
    if principal.tenant is None or not principal.has(permission):
        raise NotAllowed()
    return principal.tenant


# --- tenants -----------------------------------------------------------------------------------


def tenant_signup(
    *,
    company_name: str,
    tax_code: str,
    industry: str,
    street_address: str,
    province_code: int | None,
    ward_code: int | None,
    data_region: str,
    owner_full_name: str,
    owner_email: str,
    owner_password: str,
    owner_date_of_birth: date,
    privacy_consent: bool,
    language: str = "vi",
    kind: str | None = None,
    request: HttpRequest | None = None,
) -> SignupResult:
    """Create a company, its owner's account and the owner membership, all or nothing.

    Invariants: the age check runs first, so nothing of a person under 16 is stored; the date of
    birth of an accepted owner is stored encrypted, under the person's own key; every field is
    validated before the first write; a taken tax code or e-mail raises with nothing written;
    the owner's address gets a verification e-mail
    once the transaction commits.
    """
    from logitrack.accounts.errors import EmailTaken
    from logitrack.accounts.models import User
    from logitrack.accounts.services import ensure_minimum_age, password_check, user_create
    from logitrack.privacy.policies.services import policy_accept_current
    from logitrack.security.actors import Actor
    from logitrack.security.services import audit_record

    ensure_minimum_age(owner_date_of_birth)
    if not privacy_consent:
        raise ConsentRequired()
    if not industry:
        raise InvalidCompanyField(_("Choose an industry from the list."), field="industry")
    company = clean_company(
        name=company_name,
        industry=industry,
        street_address=street_address,
        province_code=province_code,
        ward_code=ward_code,
        data_region=data_region,
    )
    clean_code = clean_tax_code(tax_code)
    clean_kind = clean_taxpayer_kind(clean_code, kind)
    owner_full_name = clean_person_name(owner_full_name)
    email = _clean_email(owner_email)
    password_check(owner_password, user=User(email=email, full_name=owner_full_name))
    try:
        with transaction.atomic():
            if Tenant.objects.filter(tax_code=clean_code).exists():
                raise TaxCodeTaken()
            if User.objects.filter(email=email).exists():
                raise EmailTaken()
            tenant = Tenant(
                slug=_unique_slug(company.name),
                tax_code=clean_code,
                kind=clean_kind,
                **company.__dict__,
            )
            tenant.full_clean()
            tenant.save()
            user = user_create(
                actor=Actor.anonymous(),
                email=email,
                password=owner_password,
                full_name=owner_full_name,
                date_of_birth=owner_date_of_birth,
                language=language,
            )
            with tenant_context(tenant):
                membership = Membership.objects.create(user=user, role=Role.OWNER)
            owner = Actor.user(user)
            audit_record(
                action="tenant_created",
                actor=owner,
                tenant_id=tenant.pk,
                object_type="tenant",
                object_id=str(tenant.pk),
                details={"data_region": tenant.data_region},
                request=request,
            )
            audit_record(
                action="consent_granted",
                actor=owner,
                tenant_id=tenant.pk,
                object_type="user",
                object_id=str(user.pk),
                details={"document": "privacy_policy", "via": "signup"},
                request=request,
            )
            policy_accept_current(
                user=user, via="signup", language=language, tenant_id=tenant.pk, request=request
            )
    except IntegrityError:
        # A concurrent signup took the tax code or the address between our check and insert.
        if Tenant.objects.filter(tax_code=clean_code).exists():
            raise TaxCodeTaken() from None
        if User.objects.filter(email=email).exists():
            raise EmailTaken() from None
        raise
    return SignupResult(tenant=tenant, user=user, membership=membership)


def tenant_update(
    *,
    principal: Principal,
    name: str,
    industry: str,
    street_address: str,
    province_code: int | None,
    ward_code: int | None,
    data_region: str,
    request: HttpRequest | None = None,
) -> Tenant:
    """Change the principal's company profile. The tax code cannot change after creation.

    Invariants: needs ``tenant.manage``; every field is validated before writing; the audit entry
    names the fields that changed, not their values.
    """
    from logitrack.security.services import audit_record

    tenant = _require(principal, Permission.TENANT_MANAGE)
    company = clean_company(
        name=name,
        industry=industry,
        street_address=street_address,
        province_code=province_code,
        ward_code=ward_code,
        data_region=data_region,
    )
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        changed = [key for key, value in company.__dict__.items() if getattr(locked, key) != value]
        if not changed:
            return locked
        for key in changed:
            setattr(locked, key, getattr(company, key))
        locked.full_clean()
        locked.save(update_fields=changed)
        audit_record(
            action="tenant_updated",
            actor=actor_of(principal),
            tenant_id=locked.pk,
            object_type="tenant",
            object_id=str(locked.pk),
            details={"fields": changed},
            request=request,
        )
    return locked


def tenant_switch(*, user: User, tenant_id: int, session: SessionBase) -> Membership:
    """Make ``tenant_id`` the tenant ``user`` acts in from the next request on.

    Invariants: only a tenant the person is an active member of; any other id, existing or not,
    raises NotFound("tenant_not_found") and leaves the session as it was.
    """
    membership = memberships_of_user(user=user).filter(tenant_id=tenant_id).first()
    if membership is None:
        raise NotFound("tenant_not_found")
    session[SESSION_TENANT_KEY] = membership.tenant_id
    return membership


# --- members and invitations -------------------------------------------------------------------


def _clean_email(raw: str) -> str:
    """``raw``'s canonical address (logitrack.core.identity); InvalidEmail with its code if none."""
    try:
        return canonical_email(raw or "")
    except ValidationError as exc:
        error = InvalidEmail(exc.message)
        error.code = exc.code or error.code
        raise error from exc


def _clean_role(raw: str) -> Role:
    try:
        return Role(raw)
    except ValueError as exc:
        raise InvalidRole() from exc


def _ensure_can_grant(principal: Principal, *roles: str) -> None:
    """Nobody grants or takes away more than they hold (an admin cannot touch an owner)."""
    needed: frozenset[Permission] = frozenset().union(*(permissions_of(role) for role in roles))
    if not needed <= principal.permissions:
        raise RoleNotGrantable()


def membership_invite(
    *, principal: Principal, email: str, role: str, request: HttpRequest | None = None
) -> CreatedInvitation:
    """Invite ``email`` to the principal's company as ``role``; the e-mail goes on commit.

    Invariants: needs ``members.manage`` and every permission of ``role``; an address that is
    already a member is refused; a pending invitation to the same address is withdrawn and
    replaced, so only the newest link works; the token is stored only as its SHA-256, and the
    audit entry holds the role, never the address.
    """
    from logitrack.security.services import audit_record

    tenant = _require(principal, Permission.MEMBERS_MANAGE)
    clean_role = _clean_role(role)
    _ensure_can_grant(principal, clean_role)
    address = _clean_email(email)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        if Membership.objects.filter(user__email=address).exists():
            raise AlreadyMember()
        replaced = Invitation.objects.select_for_update().filter(
            email=address, accepted_at__isnull=True, revoked_at__isnull=True
        )
        for old in replaced:
            _withdraw(old, now)
        invitation = Invitation(
            tenant=tenant,
            email=address,
            role=clean_role,
            token_hash=invitation_token_hash(token),
            invited_by=principal.user,
            invited_by_api_key_id=principal.api_key_id,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        invitation.full_clean()
        invitation.save()
        audit_record(
            action="invitation_created",
            actor=actor_of(principal),
            tenant_id=tenant.pk,
            object_type="invitation",
            object_id=str(invitation.pk),
            details={"role": clean_role.value},
            request=request,
        )
        send_invitation_on_commit(invitation, tenant, token)
    return CreatedInvitation(invitation=invitation, token=token)


def _withdraw(invitation: Invitation, now: datetime) -> None:
    invitation.revoked_at = now
    invitation.email = ""
    invitation.save(update_fields=["revoked_at", "email"])


def _grantable_by(permissions: frozenset[Permission], needed: Permission) -> frozenset[Permission]:
    """What a holder of ``permissions`` may hand on: nothing without ``needed`` (the permission
    to invite or to create keys), else their own permissions."""
    return permissions if needed in permissions else frozenset()


def inviter_permissions(invitation: Invitation) -> frozenset[Permission]:
    """What whoever sent ``invitation`` may grant now; call with its tenant bound.

    A person: the permissions of their current level in the tenant (none once removed, or while
    their account is suspended). An API
    key: its permissions while it is usable (not revoked, suspended or expired). Nobody (the
    sender's account or key is gone): none. Without ``members.manage`` the answer is empty.
    """
    held: frozenset[Permission] = frozenset()
    if invitation.invited_by_api_key_id is not None:
        key = ApiKey.objects.filter(pk=invitation.invited_by_api_key_id).first()
        if key is not None and key.is_usable():
            held = permissions_from_values(key.permissions) & API_KEY_PERMISSIONS
    elif invitation.invited_by_id is not None:
        # A suspended account (is_active off) grants nothing, as it signs in to nothing.
        role = (
            Membership.objects.filter(user_id=invitation.invited_by_id, user__is_active=True)
            .values_list("role", flat=True)
            .first()
        )
        held = permissions_of(role) if role is not None else frozenset()
    return _grantable_by(held, Permission.MEMBERS_MANAGE)


def _inviter_can_grant(invitation: Invitation) -> bool:
    held = inviter_permissions(invitation)
    return bool(held) and permissions_of(invitation.role) <= held


def _withdraw_sent_by(
    *,
    principal: Principal,
    user_id: int,
    inviter_permissions_now: frozenset[Permission],
    reason: str,
    request: HttpRequest | None,
) -> list[Invitation]:
    """Withdraw the pending invitations person ``user_id`` sent in the bound tenant that they
    could not send with ``inviter_permissions_now``; each is audited as ``invitation_revoked``
    with ``reason``. Call inside the caller's transaction."""
    from logitrack.security.services import audit_record

    grantable = _grantable_by(inviter_permissions_now, Permission.MEMBERS_MANAGE)
    now = timezone.now()
    withdrawn: list[Invitation] = []
    pending = Invitation.objects.select_for_update().filter(
        invited_by_id=user_id, accepted_at__isnull=True, revoked_at__isnull=True
    )
    for invitation in pending.order_by("pk"):
        if grantable and permissions_of(invitation.role) <= grantable:
            continue
        _withdraw(invitation, now)
        audit_record(
            action="invitation_revoked",
            actor=actor_of(principal),
            tenant_id=invitation.tenant_id,
            object_type="invitation",
            object_id=str(invitation.pk),
            details={"reason": reason},
            request=request,
        )
        withdrawn.append(invitation)
    return withdrawn


def invitation_revoke(
    *, principal: Principal, invitation: Invitation, request: HttpRequest | None = None
) -> Invitation:
    """Withdraw a pending invitation: its link stops working and its address is erased."""
    from logitrack.security.services import audit_record

    _require(principal, Permission.MEMBERS_MANAGE)
    with transaction.atomic():
        locked: Invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None or locked.revoked_at is not None:
            raise NotFound("invitation_not_found")
        _withdraw(locked, timezone.now())
        audit_record(
            action="invitation_revoked",
            actor=actor_of(principal),
            tenant_id=locked.tenant_id,
            object_type="invitation",
            object_id=str(locked.pk),
            request=request,
        )
    return locked


def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None,
    full_name: str = "",
    password: str = "",
    date_of_birth: date | None = None,
    privacy_consent: bool = False,
    language: str = "vi",
    request: HttpRequest | None = None,
) -> Membership:
    """Turn a pending invitation (from ``access_invitation_by_token``) into a membership.

    ``user`` is the signed-in person, if any. When an account with the invited address exists,
    only that person, signed in, may accept. Otherwise the invitee creates their account here:
    full name, password, date of birth and consent to the privacy policy.

    Invariants: the invitation is used once (its row is locked, then marked accepted and its
    address erased); a person under 16 is refused, nothing of theirs is created, and the
    invitation, which holds their address, is withdrawn and erased at once (policy section 9);
    whoever sent it must still be able to grant its level now (``inviter_permissions``), else
    InvitationInviterNotAllowed, nothing is created and the invitation is withdrawn, audited
    (ADR 0015).
    """
    from logitrack.accounts.errors import UnderMinimumAge
    from logitrack.accounts.models import User
    from logitrack.accounts.services import ensure_minimum_age, password_check, user_create
    from logitrack.privacy.policies.services import policy_accept_current
    from logitrack.security.actors import Actor
    from logitrack.security.services import audit_record

    with tenant_context(invitation.tenant_id):
        _refuse_unless_inviter_can_grant(invitation, user, request)
        # Both addresses are stored canonical: equality is the comparison.
        existing = User.objects.filter(email=invitation.email).first()
        if existing is not None:
            if user is None:
                raise InvitationNeedsSignIn()
            if user.pk != existing.pk:
                raise InvitationWrongAccount()
        else:
            if user is not None:
                raise InvitationWrongAccount()
            if not full_name.strip() or not password or date_of_birth is None:
                raise InvitationDetailsMissing()
            full_name = clean_person_name(full_name)
            try:
                ensure_minimum_age(date_of_birth)
            except UnderMinimumAge:
                _withdraw_pending(
                    invitation, request, actor=Actor.anonymous(), reason="under_minimum_age"
                )
                raise
            if not privacy_consent:
                raise ConsentRequired()
            password_check(password, user=User(email=invitation.email, full_name=full_name))
        with transaction.atomic():
            locked = _lock_pending(invitation)
            if existing is None:
                # The link reached this address, which proves it: no verification e-mail needed.
                member = user_create(
                    actor=Actor.anonymous(),
                    email=locked.email,
                    password=password,
                    full_name=full_name,
                    date_of_birth=date_of_birth,
                    language=language,
                    email_verified=True,
                )
                audit_record(
                    action="consent_granted",
                    actor=Actor.user(member),
                    tenant_id=locked.tenant_id,
                    object_type="user",
                    object_id=str(member.pk),
                    details={"document": "privacy_policy", "via": "invitation"},
                    request=request,
                )
                policy_accept_current(
                    user=member,
                    via="invitation",
                    language=language,
                    tenant_id=locked.tenant_id,
                    request=request,
                )
            else:
                member = existing
                if Membership.objects.filter(user=member).exists():
                    raise AlreadyMember()
            membership: Membership = Membership.objects.create(user=member, role=locked.role)
            locked.accepted_at = timezone.now()
            locked.email = ""
            locked.save(update_fields=["accepted_at", "email"])
            audit_record(
                action="invitation_accepted",
                actor=Actor.user(member),
                tenant_id=locked.tenant_id,
                object_type="membership",
                object_id=str(membership.pk),
                details={"invitation_id": locked.pk, "role": locked.role},
                request=request,
            )
    return membership


def _lock_pending(invitation: Invitation) -> Invitation:
    """The invitation's row, locked, while still pending and still grantable by its sender."""
    locked: Invitation | None = (
        Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    )
    if locked is None or not locked.is_pending():
        raise InvitationInvalid()
    # The inviter may have lost the permission since the first check: refuse (not audited here,
    # the transaction rolls back; the next attempt withdraws it, audited).
    if not _inviter_can_grant(locked):
        raise InvitationInviterNotAllowed()
    return locked


def _refuse_unless_inviter_can_grant(
    invitation: Invitation, user: User | None, request: HttpRequest | None
) -> None:
    """Withdraw ``invitation`` (audited) and raise InvitationInviterNotAllowed when whoever sent
    it can no longer grant its level; nothing else is written."""
    from logitrack.security.actors import Actor

    if _inviter_can_grant(invitation):
        return
    actor = Actor.user(user) if user is not None else Actor.anonymous()
    _withdraw_pending(invitation, request, actor=actor, reason="inviter_not_allowed")
    raise InvitationInviterNotAllowed()


def _withdraw_pending(
    invitation: Invitation, request: HttpRequest | None, *, actor: Actor, reason: str
) -> None:
    """Withdraw a still-pending invitation at once, in its own transaction, audited with
    ``reason``, so that the withdrawal stands although the caller then raises."""
    from logitrack.security.services import audit_record

    with transaction.atomic():
        locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        if locked is None or locked.revoked_at is not None or locked.accepted_at is not None:
            return
        _withdraw(locked, timezone.now())
        audit_record(
            action="invitation_revoked",
            actor=actor,
            tenant_id=locked.tenant_id,
            object_type="invitation",
            object_id=str(locked.pk),
            details={"reason": reason},
            request=request,
        )


def _lock_owners_and(membership: Membership) -> tuple[list[int], Membership]:
    """Lock the tenant's owner rows, then the target row, always in that order.

    Concurrent role changes and removals therefore queue on the owners: the second one sees the
    first one's result, so two owners demoting each other cannot leave the company ownerless.
    """
    owners = list(
        Membership.objects.select_for_update()
        .filter(role=Role.OWNER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    target = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if target is None:
        raise NotFound("membership_not_found")
    return owners, target


def membership_change_role(
    *,
    principal: Principal,
    membership: Membership,
    role: str,
    request: HttpRequest | None = None,
) -> Membership:
    """Give a member another account level.

    Invariants: needs ``members.manage`` and every permission of both the old and the new
    level (so only an owner grants or takes away "owner"); the last owner cannot be demoted
    (LastOwner, nothing changed); the change is audited as ``privilege_permissions_changed``.
    In the same transaction, the member's pending invitations that the new level could not send
    are withdrawn, and the API keys answering for them that the new level could not create are
    suspended for an owner's review (both audited; ADR 0015).
    """
    from logitrack.security.services import audit_record

    _require(principal, Permission.MEMBERS_MANAGE)
    new_role = _clean_role(role)
    with transaction.atomic():
        owners, target = _lock_owners_and(membership)
        old_role = target.role
        if old_role == new_role:
            return target
        _ensure_can_grant(principal, old_role, new_role)
        if old_role == Role.OWNER and owners == [target.pk]:
            raise LastOwner()
        target.role = new_role
        target.save(update_fields=["role"])
        audit_record(
            action="privilege_permissions_changed",
            actor=actor_of(principal),
            tenant_id=target.tenant_id,
            object_type="membership",
            object_id=str(target.pk),
            details={"from": old_role, "to": new_role.value},
            request=request,
        )
        _follow_the_member(
            principal=principal,
            user_id=target.user_id,
            permissions_now=permissions_of(new_role),
            removed=False,
            request=request,
        )
    return target


def _follow_the_member(
    *,
    principal: Principal,
    user_id: int,
    permissions_now: frozenset[Permission],
    removed: bool,
    request: HttpRequest | None,
) -> RemovalEffects:
    """Withdraw what a removed or re-levelled member sent and can no longer grant, and suspend
    the keys answering for them that they could no longer create."""
    invitations = _withdraw_sent_by(
        principal=principal,
        user_id=user_id,
        inviter_permissions_now=permissions_now,
        reason="inviter_removed" if removed else "inviter_level_changed",
        request=request,
    )
    reason = ApiKey.SuspensionReason.CREATOR_REMOVED if removed else (
        ApiKey.SuspensionReason.CREATOR_DEMOTED
    )  # fmt: skip
    api_keys = api_keys_suspend_for_guarantor(
        principal=principal,
        user_id=user_id,
        guarantor_permissions=permissions_now,
        reason=reason.value,
        request=request,
    )
    return RemovalEffects(invitations=invitations, api_keys=api_keys)


def membership_remove(
    *, principal: Principal, membership: Membership, request: HttpRequest | None = None
) -> RemovalEffects:
    """Remove a member from the company (their account stays; other memberships too).

    Invariants: needs ``members.manage`` and every permission of the member's level; the last
    owner cannot be removed (LastOwner, nothing changed). In the same transaction, every pending
    invitation the member sent is withdrawn and every usable API key answering for them is
    suspended until an owner confirms or revokes it (both audited; ADR 0015). Returns those.
    """
    from logitrack.security.services import audit_record

    _require(principal, Permission.MEMBERS_MANAGE)
    with transaction.atomic():
        owners, target = _lock_owners_and(membership)
        _ensure_can_grant(principal, target.role)
        if target.role == Role.OWNER and owners == [target.pk]:
            raise LastOwner()
        target_id, old_role = target.pk, target.role
        target.delete()
        audit_record(
            action="membership_removed",
            actor=actor_of(principal),
            tenant_id=principal.tenant_id,
            object_type="membership",
            object_id=str(target_id),
            details={"role": old_role},
            request=request,
        )
        return _follow_the_member(
            principal=principal,
            user_id=target.user_id,
            permissions_now=frozenset(),
            removed=True,
            request=request,
        )
