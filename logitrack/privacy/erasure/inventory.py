"""What the erasure ledger and the under-16 reports store (logitrack.privacy).

The ledger names a person by their id only and is kept: it is the evidence that the erasure was
done on time, and the list a restored backup must erase again (P8). A report's references to
the reported person and to the reporter are cleared by the erasure like every reference to a
person; a visitor's address is kept only until the report is decided.
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

EVIDENCE = _(
    "Evidence that a person's data was erased on time, and the list of erasures a restored "
    "backup must apply again; it names the person only by an internal id."
)

_RECORD = not_personal(
    retention=Retention.AUDIT,
    erasure=Erasure.RETAIN,
    reason=EVIDENCE,
    purpose=Purpose.LEGAL_COMPLIANCE,
)


def _reference(subject: Subject = Subject.USER) -> FieldClass:
    return FieldClass(
        category="user.unique_id",
        subject=subject,
        purpose=Purpose.LEGAL_COMPLIANCE,
        basis=LegalBasis.LEGAL_OBLIGATION,
        retention=Retention.AUDIT,
        erasure=Erasure.DELETE,
    )


register(
    "erasure.PersonErasure",
    {
        "id": _RECORD,
        "user_id": FieldClass(
            category="user.unique_id",
            subject=Subject.USER,
            purpose=Purpose.LEGAL_COMPLIANCE,
            basis=LegalBasis.LEGAL_OBLIGATION,
            retention=Retention.AUDIT,
            erasure=Erasure.RETAIN,
            reason=EVIDENCE,
        ),
        "reason": _RECORD,
        "status": _RECORD,
        "scheduled_at": _RECORD,
        "erase_after": _RECORD,
        "due_at": _RECORD,
        "completed_at": _RECORD,
        "cancelled_at": _RECORD,
        "certificate": _RECORD,
    },
)

register(
    "erasure.UnderageReport",
    {
        "id": _RECORD,
        "subject": _reference(),
        "source": _RECORD,
        "status": _RECORD,
        "reporter": _reference(),
        "tenant": _RECORD,
        "reporter_email": FieldClass(
            category="user.contact.email",
            subject=Subject.VISITOR,
            purpose=Purpose.LEGAL_COMPLIANCE,
            basis=LegalBasis.LEGAL_OBLIGATION,
            retention=Retention.SHORT_LIVED,
            erasure=Erasure.DELETE,
        ),
        "created_at": _RECORD,
        "decided_at": _RECORD,
        "decided_by": _reference(Subject.STAFF),
        "erasure": _RECORD,
    },
)
