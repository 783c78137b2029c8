"""Reads of the partners register, disclosure log and breach register.

``disclosures_for_subject`` is what a person's access export (P8) calls to list the disclosures
of their data; the staff selectors take the privacy officer as ``actor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.privacy import taxonomy
from logitrack.privacy.breaches.models import (
    AffectedSubject,
    AffectedTenant,
    Breach,
    BreachNotice,
    Disclosure,
    DisclosureSubject,
    Partner,
    SubjectKind,
)
from logitrack.privacy.breaches.register import category_covers
from logitrack.privacy.inventory import INVENTORY


def _officer(actor: User) -> None:
    if not actor.is_active or actor.platform_role != User.PlatformRole.PRIVACY_OFFICER:
        raise PermissionError("only a privacy officer reads the registers")


def partners_published() -> QuerySet[Partner]:
    """The partners in use, for the public page (policy section 4)."""
    return Partner.objects.filter(active=True).order_by("kind", "name_en")


def partners_all(*, actor: User) -> QuerySet[Partner]:
    _officer(actor)
    return Partner.objects.order_by("kind", "name_en")


def partners_receiving(category: str) -> list[Partner]:
    """The active partners that receive ``category`` (a partner declared for ``user`` receives
    every ``user.*`` category)."""
    return [
        p
        for p in partners_published()
        if any(category_covers(declared, category) for declared in p.categories)
    ]


def disclosures_all(*, actor: User) -> QuerySet[Disclosure]:
    _officer(actor)
    return (
        Disclosure.objects.select_related("partner", "recorded_by", "decided_by")
        .annotate(subject_count=Count("subjects"))
        .order_by("-recorded_at", "-pk")
    )


@dataclass(frozen=True)
class DisclosureRecord:
    """One approved disclosure of a person's data, as their access export shows it."""

    kind: str
    recipient: str
    legal_basis: str
    request_reference: str
    categories: tuple[str, ...]
    description: str
    disclosed_at: datetime


def disclosures_for_subject(*, kind: str, ref: str) -> list[DisclosureRecord]:
    """Every approved disclosure that included person ``kind``/``ref`` (``SubjectKind``: "user"
    and a user id, "consignee" and an order id, "driver" and a driver id), oldest first.

    For the access export (P8), which has already established who the person is; pending and
    rejected entries are left out because nothing was handed over on their account.
    Raises ValueError for an unknown ``kind``.
    """
    if kind not in SubjectKind.values:
        raise ValueError(f"unknown subject kind {kind!r}")
    rows = (
        DisclosureSubject.objects.filter(
            subject_kind=kind,
            subject_ref=str(ref),
            disclosure__status=Disclosure.Status.APPROVED,
        )
        .select_related("disclosure", "disclosure__partner")
        .order_by("disclosure__disclosed_at", "disclosure_id")
    )
    return [
        DisclosureRecord(
            kind=row.disclosure.kind,
            recipient=row.disclosure.partner.name
            if row.disclosure.partner is not None
            else row.disclosure.requesting_body,
            legal_basis=row.disclosure.legal_basis,
            request_reference=row.disclosure.request_reference,
            categories=tuple(row.disclosure.categories),
            description=row.disclosure.description,
            disclosed_at=row.disclosure.disclosed_at,
        )
        for row in rows
    ]


def breaches_all(*, actor: User) -> QuerySet[Breach]:
    _officer(actor)
    return Breach.objects.order_by("-discovered_at", "-pk")


@dataclass(frozen=True)
class Timer:
    """Where a breach stands against the 72-hour report deadline."""

    due_at: datetime
    reported: bool
    overdue: bool
    seconds_left: int

    @property
    def hours_left(self) -> int:
        return max(0, self.seconds_left) // 3600

    @property
    def minutes_left(self) -> int:
        return (max(0, self.seconds_left) % 3600) // 60


def breach_timer(breach: Breach, now: datetime | None = None) -> Timer:
    now = now or timezone.now()
    reported_at = breach.reported_at
    reference = reported_at or now
    left = int((breach.report_due_at - reference).total_seconds())
    return Timer(
        due_at=breach.report_due_at,
        reported=reported_at is not None,
        overdue=left < 0,
        seconds_left=left,
    )


@dataclass(frozen=True)
class AffectedSummary:
    records: int
    people: int
    by_kind: dict[str, int]
    tenants: list[tuple[int, str, int, int, int]]  # id, name, records, people, audit events
    notices: dict[str, int]


def breach_summary(breach: Breach) -> AffectedSummary:
    """The computed counts: by subject kind, by tenant (with names), and notices by status."""
    from logitrack.tenancy.models import Tenant

    by_kind = dict(
        AffectedSubject.objects.filter(breach=breach)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("ref", distinct=True))
    )
    tenants = list(AffectedTenant.objects.filter(breach=breach).order_by("tenant_id"))
    names = dict(
        Tenant.objects.filter(pk__in=[t.tenant_id for t in tenants]).values_list("pk", "name")
    )
    notices = dict(
        BreachNotice.objects.filter(breach=breach)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return AffectedSummary(
        records=breach.computed_records,
        people=breach.computed_subjects,
        by_kind={str(k): int(v) for k, v in by_kind.items()},
        tenants=[
            (t.tenant_id, names.get(t.tenant_id, ""), t.records, t.subjects, t.audit_events)
            for t in tenants
        ],
        notices={str(k): int(v) for k, v in notices.items()},
    )


def category_labels(categories: list[str]) -> list[str]:
    """Readable names of taxonomy keys, in the active language (``taxonomy.category_name``):
    people who receive a notice read "Phone number", never ``user.contact.phone_number``."""
    return [taxonomy.category_name(c) for c in categories]


def personal_categories() -> list[str]:
    """Every personal-data category the inventory uses, for the breach and disclosure forms."""
    return sorted(
        {
            c.classification.category
            for c in INVENTORY.classified_fields()
            if taxonomy.is_personal_category(c.classification.category)
        }
    )


def escalation_window(breach: Breach) -> tuple[datetime, datetime]:
    return breach.discovered_at + timedelta(hours=48), breach.report_due_at
