"""The partners register (policy section 4): kept by the privacy officer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.privacy.breaches.errors import InvalidPartner, PartnerKeyTaken
from logitrack.privacy.breaches.models import Partner
from logitrack.privacy.breaches.register import DECLARED_PARTNERS
from logitrack.privacy.breaches.services.common import clean_categories, staff_actor
from logitrack.security.actors import Actor
from logitrack.security.services import audit_record


@dataclass(frozen=True, kw_only=True)
class PartnerInput:
    key: str
    name_vi: str
    name_en: str
    kind: str
    role: str
    country: str
    purpose_vi: str
    purpose_en: str
    categories: list[str]
    configured_by: str = ""
    active: bool = True


def _validated(data: PartnerInput) -> dict[str, object]:
    if data.kind not in Partner.Kind.values or data.role not in Partner.Role.values:
        raise InvalidPartner()
    country = data.country.strip().upper()
    if len(country) != 2 or not country.isascii() or not country.isalpha():
        raise InvalidPartner(field="country")
    if not (data.key and data.name_vi and data.name_en and data.purpose_vi and data.purpose_en):
        raise InvalidPartner()
    return {
        "name_vi": data.name_vi,
        "name_en": data.name_en,
        "kind": data.kind,
        "role": data.role,
        "country": country,
        "purpose_vi": data.purpose_vi,
        "purpose_en": data.purpose_en,
        "categories": clean_categories(data.categories),
        "configured_by": data.configured_by,
        "active": data.active,
    }


def partner_create(*, actor: User, data: PartnerInput) -> Partner:
    """Add a partner; InvalidPartner, InvalidCategory or PartnerKeyTaken change nothing."""
    audit_actor = staff_actor(actor)
    values = _validated(data)
    try:
        with transaction.atomic():
            partner = Partner(key=data.key, **values)
            partner.full_clean(validate_unique=False)
            partner.save()
            audit_record(
                action="partner_created",
                actor=audit_actor,
                object_type="partner",
                object_id=str(partner.pk),
                details={"key": partner.key, "categories": partner.categories},
            )
    except IntegrityError as exc:
        raise PartnerKeyTaken() from exc
    return partner


def partner_update(*, actor: User, partner: Partner, data: PartnerInput) -> Partner:
    """Change a partner's details (the key stays); the audit entry names the changed fields."""
    audit_actor = staff_actor(actor)
    values = _validated(data)
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        changed = sorted(name for name, value in values.items() if getattr(locked, name) != value)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.updated_at = timezone.now()
        locked.full_clean(validate_unique=False)
        locked.save()
        audit_record(
            action="partner_updated",
            actor=audit_actor,
            object_type="partner",
            object_id=str(locked.pk),
            details={"fields": changed},
        )
    return locked


def partners_seed() -> int:
    """Write the partners Logitrack ships configured to use (``register.DECLARED_PARTNERS``)
    that are missing; existing rows, which the officer may have edited, are left alone.
    Returns how many were added."""
    added = 0
    with transaction.atomic():
        for declared in DECLARED_PARTNERS:
            _, created = Partner.objects.get_or_create(
                key=declared.key,
                defaults={
                    "name_vi": declared.name_vi,
                    "name_en": declared.name_en,
                    "kind": declared.kind,
                    "role": declared.role,
                    "country": declared.country,
                    "purpose_vi": declared.purpose_vi,
                    "purpose_en": declared.purpose_en,
                    "categories": list(declared.categories),
                    "configured_by": declared.configured_by,
                    "active": declared.active,
                },
            )
            added += int(created)
        if added:
            audit_record(
                action="partner_seeded",
                actor=Actor.system("partners-seed"),
                object_type="partner",
                details={"added": added},
            )
    return added
