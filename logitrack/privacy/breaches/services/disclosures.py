"""The disclosure log: what personal data left Logitrack, to whom, on what basis (policy §4).

Four eyes: the person who records a disclosure cannot approve it (SameApprover); the database
refuses it too (constraint ``breaches_disclosure_four_eyes``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.core.ids import ID_MAX, ID_MIN
from logitrack.privacy.breaches.errors import (
    DisclosureNotPending,
    InvalidDisclosure,
    SameApprover,
)
from logitrack.privacy.breaches.models import (
    EARLIEST,
    Disclosure,
    DisclosureSubject,
    Partner,
    SubjectKind,
)
from logitrack.privacy.breaches.services.common import clean_categories, staff_actor
from logitrack.security.services import audit_record


@dataclass(frozen=True, kw_only=True)
class DisclosureInput:
    kind: str
    requesting_body: str
    legal_basis: str
    categories: list[str]
    description: str
    disclosed_at: datetime
    tenant_id: int | None = None
    partner: Partner | None = None
    request_reference: str = ""
    # (kind, reference): ("user", "12"), ("consignee", "34") for an order's consignee...
    subjects: list[tuple[str, str]] = field(default_factory=list)


def _subjects(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs with each reference in the one spelling the access export looks up
    (``selectors.disclosures_for_subject``: ``str(id)``), without repeats: "012" is 12, and an
    id no row can have (0, above ID_MAX, not ASCII digits) is refused."""
    cleaned: list[tuple[str, str]] = []
    for kind, raw in pairs:
        ref = raw.strip()
        if kind not in SubjectKind.values or not (ref.isascii() and ref.isdigit()):
            raise InvalidDisclosure(field="subjects")
        number = int(ref)
        if not ID_MIN <= number <= ID_MAX:
            raise InvalidDisclosure(field="subjects")
        cleaned.append((kind, str(number)))
    return list(dict.fromkeys(cleaned))


def disclosure_record(*, actor: User, data: DisclosureInput) -> Disclosure:
    """Record a disclosure, awaiting a second officer's approval. Bad input changes nothing."""
    audit_actor = staff_actor(actor)
    if data.kind not in Disclosure.Kind.values:
        raise InvalidDisclosure(field="kind")
    if data.kind == Disclosure.Kind.CONSENTED and data.partner is None and not data.subjects:
        # A consented disclosure is one a person asked for: it names the person.
        raise InvalidDisclosure(field="subjects")
    if not (data.requesting_body and data.legal_basis and data.description):
        raise InvalidDisclosure()
    if not EARLIEST <= data.disclosed_at <= timezone.now():
        raise InvalidDisclosure(field="disclosed_at")
    if data.tenant_id is not None and not ID_MIN <= data.tenant_id <= ID_MAX:
        raise InvalidDisclosure(field="tenant_id")
    categories = clean_categories(data.categories)
    subjects = _subjects(data.subjects)
    with transaction.atomic():
        disclosure = Disclosure(
            kind=data.kind,
            tenant_id=data.tenant_id,
            requesting_body=data.requesting_body,
            partner=data.partner,
            legal_basis=data.legal_basis,
            request_reference=data.request_reference,
            categories=categories,
            description=data.description,
            disclosed_at=data.disclosed_at,
            recorded_by=actor,
        )
        disclosure.full_clean()
        disclosure.save()
        DisclosureSubject.objects.bulk_create(
            DisclosureSubject(disclosure=disclosure, subject_kind=kind, subject_ref=ref)
            for kind, ref in subjects
        )
        audit_record(
            action="disclosure_recorded",
            actor=audit_actor,
            tenant_id=data.tenant_id,
            object_type="disclosure",
            object_id=str(disclosure.pk),
            details={"kind": data.kind, "categories": categories, "subjects": len(subjects)},
        )
    return disclosure


def disclosure_decide(*, actor: User, disclosure: Disclosure, approve: bool) -> Disclosure:
    """Approve or reject a pending disclosure. SameApprover when ``actor`` recorded it,
    DisclosureNotPending when it was decided already; both change nothing."""
    audit_actor = staff_actor(actor)
    with transaction.atomic():
        locked = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
        if locked.recorded_by_id == actor.pk:
            raise SameApprover()
        if locked.status != Disclosure.Status.PENDING:
            raise DisclosureNotPending()
        locked.status = Disclosure.Status.APPROVED if approve else Disclosure.Status.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            action="disclosure_approved" if approve else "disclosure_rejected",
            actor=audit_actor,
            tenant_id=locked.tenant_id,
            object_type="disclosure",
            object_id=str(locked.pk),
        )
    return locked
