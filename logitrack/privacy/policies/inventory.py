"""What the policy versions and acceptances store, for the data inventory (logitrack.privacy).

A version is Logitrack's own text and names no one but the staff member who published it. An
acceptance is the proof that a person agreed to a version (Decree 13/2023 art. 11: consent must
be provable), kept while the account exists and deleted with it.
"""

from __future__ import annotations

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

_TEXT = not_personal(retention=Retention.REFERENCE, purpose=Purpose.LEGAL_COMPLIANCE)


def _acceptance(category: str) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.USER,
        purpose=Purpose.LEGAL_COMPLIANCE,
        basis=LegalBasis.LEGAL_OBLIGATION,
        retention=Retention.ACCOUNT_LIFETIME_PLUS_30D,
        erasure=Erasure.DELETE,
    )


register(
    "policies.PolicyVersion",
    {
        "id": _TEXT,
        "number": _TEXT,
        "status": _TEXT,
        "material": _TEXT,
        "summary": _TEXT,
        "body_vi": _TEXT,
        "body_en": _TEXT,
        "effective_at": _TEXT,
        "created_at": _TEXT,
        "updated_at": _TEXT,
        "published_at": _TEXT,
        # The privacy officer who published it; cleared if their account is deleted.
        "published_by": FieldClass(
            category="user.unique_id",
            subject=Subject.STAFF,
            purpose=Purpose.LEGAL_COMPLIANCE,
            basis=LegalBasis.LEGITIMATE_INTEREST,
            retention=Retention.ACCOUNT_LIFETIME_PLUS_30D,
            erasure=Erasure.DELETE,
        ),
    },
)
register(
    "policies.PolicyAcceptance",
    {
        "id": _acceptance("user.unique_id"),
        "user": _acceptance("user.unique_id"),
        "version": _acceptance("user.behavior"),
        "accepted_at": _acceptance("user.behavior"),
        "via": _acceptance("user.behavior"),
        "language": _acceptance("user.account.settings"),
        "ip_prefix": _acceptance("user.device.ip_address"),
        "user_agent": _acceptance("user.device"),
    },
)
