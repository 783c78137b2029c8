"""Purposes a tenant declares, and the consignees its consents are about."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from logitrack.core.tenant import tenant_context
from logitrack.privacy.consent.errors import (
    ContactMissing,
    InvalidPurpose,
    NotAllowed,
    PurposeCodeTaken,
)
from logitrack.privacy.consent.models import ConsigneeContact, TenantPurpose
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission

CODE_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?\Z")


def _tenant(principal: Principal) -> int:
    if principal.tenant_id is None or not principal.has(Permission.CONSENTS_MANAGE):
        raise NotAllowed()
    return principal.tenant_id


def tenant_purpose_declare(
    *,
    actor: Principal,
    code: str,
    name_vi: str,
    name_en: str,
    description_vi: str,
    description_en: str,
) -> TenantPurpose:
    """A purpose of the principal's tenant (``consents.manage``), named and described in both
    languages; ``code`` is 1-40 lowercase letters, digits and inner hyphens, unique in the tenant.

    Its consents are keyed ``tenant.<code>``. Raises InvalidPurpose, PurposeCodeTaken, NotAllowed.
    """
    from logitrack.security.services import audit_record

    tenant_id = _tenant(actor)
    code = code.strip().lower()
    texts = (name_vi, name_en, description_vi, description_en)
    if (
        CODE_PATTERN.match(code) is None
        or not all(t.strip() for t in texts)
        or max(len(name_vi), len(name_en)) > 150
        or max(len(description_vi), len(description_en)) > 1000
    ):
        raise InvalidPurpose()
    try:
        with tenant_context(tenant_id), transaction.atomic():
            if TenantPurpose.objects.filter(code=code).exists():
                raise PurposeCodeTaken()
            purpose = TenantPurpose(
                tenant_id=tenant_id,
                code=code,
                name_vi=name_vi,
                name_en=name_en,
                description_vi=description_vi,
                description_en=description_en,
            )
            purpose.save()
            audit_record(
                action="consent_purpose_declared",
                actor=actor_of(actor),
                tenant_id=tenant_id,
                object_type="consent.tenantpurpose",
                object_id=str(purpose.pk),
                details={"code": code},
            )
    except IntegrityError as exc:
        raise PurposeCodeTaken() from exc
    return purpose


def consignee_contact_find_or_create(
    *, actor: Principal, email: str = "", phone: str = "", name: str = ""
) -> ConsigneeContact:
    """The principal's tenant's consignee with this canonical e-mail address (already
    canonical: the form or schema made it so) or E.164 phone number, created when there is none.

    The e-mail address is looked up first; a phone number fills in a record found by address.
    Raises ContactMissing without either, NotAllowed without ``consents.manage``.
    """
    from logitrack.security.services import audit_record

    tenant_id = _tenant(actor)
    if not email and not phone:
        raise ContactMissing()
    with tenant_context(tenant_id), transaction.atomic():
        found: ConsigneeContact | None = None
        if email:
            found = ConsigneeContact.objects.filter(email=email).first()
        if found is None and phone:
            found = ConsigneeContact.objects.filter(phone=phone).first()
        if found is not None:
            return found
        contact = ConsigneeContact(tenant_id=tenant_id, email=email, phone=phone, name=name)
        contact.save()
        audit_record(
            action="consent_consignee_added",
            actor=actor_of(actor),
            tenant_id=tenant_id,
            object_type="consent.consigneecontact",
            object_id=str(contact.pk),
        )
    return contact
