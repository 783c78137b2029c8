"""What the partners register, disclosure log and breach register store (logitrack.privacy).

Partners are companies: nothing personal. Disclosures and breaches are records Logitrack must
keep to answer to the authority (Law 91/2025/QH15, Decree 356/2025/ND-CP): the references to the
people concerned are retained for the audit retention period, for the reason below, and name
people only by an id (never a name or an address).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logitrack.privacy.inventory import (
    Erasure,
    FieldClass,
    LegalBasis,
    Purpose,
    Retention,
    Subject,
    not_personal,
    register,
)

ACCOUNTABILITY = _(
    "Evidence of a disclosure or a breach that Logitrack must be able to show the authority "
    "(Law 91/2025/QH15); it names people only by an internal id."
)

_REF = not_personal(retention=Retention.REFERENCE)
_RECORD = not_personal(
    retention=Retention.AUDIT,
    erasure=Erasure.RETAIN,
    reason=ACCOUNTABILITY,
    purpose=Purpose.LEGAL_COMPLIANCE,
)


def _kept(category: str, subject: Subject = Subject.USER) -> FieldClass:
    return FieldClass(
        category=category,
        subject=subject,
        purpose=Purpose.LEGAL_COMPLIANCE,
        basis=LegalBasis.LEGAL_OBLIGATION,
        retention=Retention.AUDIT,
        erasure=Erasure.RETAIN,
        reason=ACCOUNTABILITY,
    )


_STAFF = _kept("user.unique_id", Subject.STAFF)

register(
    "breaches.Partner",
    {
        name: _REF
        for name in (
            "id",
            "key",
            "name_vi",
            "name_en",
            "kind",
            "role",
            "country",
            "purpose_vi",
            "purpose_en",
            "categories",
            "configured_by",
            "active",
            "created_at",
            "updated_at",
        )
    },
)
register(
    "breaches.Disclosure",
    {
        "id": _RECORD,
        "kind": _RECORD,
        "status": _RECORD,
        "tenant_id": _RECORD,
        "requesting_body": _RECORD,
        "partner": _RECORD,
        "legal_basis": _RECORD,
        "request_reference": _RECORD,
        "categories": _RECORD,
        # Free text of what was handed over; may describe the person's data.
        "description": _kept("user.content"),
        "disclosed_at": _RECORD,
        "recorded_by": _STAFF,
        "recorded_at": _RECORD,
        "decided_by": _STAFF,
        "decided_at": _RECORD,
    },
)
register(
    "breaches.DisclosureSubject",
    {
        "id": _RECORD,
        "disclosure": _RECORD,
        "subject_kind": _RECORD,
        "subject_ref": _kept("user.unique_id"),
    },
)
register(
    "breaches.Breach",
    {
        name: _RECORD
        for name in (
            "id",
            "status",
            "discovered_at",
            "occurred_from",
            "occurred_until",
            "nature",
            "description",
            "categories",
            "affected_models",
            "approx_subjects",
            "approx_records",
            "consequences",
            "measures",
            "registered_at",
            "assessed_at",
            "computed_subjects",
            "computed_records",
            "reported_at",
            "report_reference",
            "notified_at",
            "closed_at",
        )
    }
    | {"registered_by": _STAFF},
)
register(
    "breaches.AffectedTenant",
    {
        name: _RECORD
        for name in ("id", "breach", "tenant_id", "records", "subjects", "audit_events")
    },
)
register(
    "breaches.AffectedSubject",
    {
        "id": _RECORD,
        "breach": _RECORD,
        "kind": _RECORD,
        "ref": _kept("user.unique_id"),
        "tenant_key": _RECORD,
    },
)
register(
    "breaches.BreachNotice",
    {
        "id": _RECORD,
        "breach": _RECORD,
        "audience": _RECORD,
        "recipient_key": _kept("user.unique_id"),
        "tenant_key": _RECORD,
        "language": _kept("user.demographic.language"),
        "status": _RECORD,
        "queued_at": _RECORD,
        "sent_at": _RECORD,
    },
)
register(
    "breaches.BreachEscalation",
    {name: _RECORD for name in ("id", "breach", "hours", "sent_at")},
)
