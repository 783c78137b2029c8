"""What the audit chain stores, for the data inventory (logitrack.privacy).

Entries are append-only and hashed into a chain, so erasure cannot touch them: every column is
retained, for the reason in ``logitrack.privacy.reasons.AUDIT_TRAIL``. People appear as actor
pseudonyms and object ids; the IP address and user agent are stored as received.
"""

from __future__ import annotations

from logitrack.privacy import reasons
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

_CHAIN = not_personal(
    retention=Retention.AUDIT,
    erasure=Erasure.RETAIN,
    reason=reasons.AUDIT_TRAIL,
    purpose=Purpose.AUTHENTICATE_SECURE,
)


def _about_actor(category: str) -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.USER,
        purpose=Purpose.AUTHENTICATE_SECURE,
        basis=LegalBasis.LEGAL_OBLIGATION,
        retention=Retention.AUDIT,
        erasure=Erasure.RETAIN,
        reason=reasons.AUDIT_TRAIL,
    )


register(
    "security.AuditEntry",
    {
        "id": _CHAIN,
        "sequence": _CHAIN,
        "created_at": _CHAIN,
        "actor_kind": _CHAIN,
        "actor_pseudonym": _about_actor("user.unique_id.pseudonymous"),
        "tenant_id": _CHAIN,
        "action": _about_actor("user.behavior"),
        "object_type": _CHAIN,
        # The id of the object acted on, which may be a person's account.
        "object_id": _about_actor("user.unique_id"),
        "ip": _about_actor("user.device.ip_address"),
        "user_agent": _about_actor("user.device"),
        "request_id": _CHAIN,
        # Identifiers, codes and counts; validation refuses e-mail addresses and phone numbers.
        "details": _about_actor("user.behavior"),
        "previous_hash": _CHAIN,
        "entry_hash": _CHAIN,
    },
)
register("security.AuditChainHead", {"id": _CHAIN, "sequence": _CHAIN, "entry_hash": _CHAIN})
