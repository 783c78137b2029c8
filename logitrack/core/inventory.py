"""What the core app stores, for the data inventory (logitrack.privacy): the wrapped data keys.

Erasing a person or closing a tenant destroys the owner's key ring: ``wrapped_key`` is wiped,
which makes every value encrypted under it unreadable, in backups too; the row stays.
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

# A destroyed key's row is a record of the erasure: it is kept as long as the audit chain.
_KEY_RECORD = not_personal(
    retention=Retention.AUDIT,
    erasure=Erasure.RETAIN,
    reason=reasons.KEY_RECORD,
    purpose=Purpose.AUTHENTICATE_SECURE,
)


register(
    "core.DataKey",
    {
        "id": _KEY_RECORD,
        "ring": _KEY_RECORD,
        "version": _KEY_RECORD,
        "owner_kind": _KEY_RECORD,
        # A tenant's or a person's primary key, or a blind index's field label.
        "owner_id": FieldClass(
            category="user.unique_id.pseudonymous",
            subject=Subject.USER,
            purpose=Purpose.AUTHENTICATE_SECURE,
            basis=LegalBasis.CONTRACT,
            retention=Retention.AUDIT,
            erasure=Erasure.RETAIN,
            reason=reasons.KEY_RECORD,
        ),
        "state": _KEY_RECORD,
        "master_key_id": _KEY_RECORD,
        "wrapped_key": not_personal(
            retention=Retention.AUDIT,
            erasure=Erasure.DELETE,
            category="system.authentication",
            purpose=Purpose.AUTHENTICATE_SECURE,
        ),
        "created_at": _KEY_RECORD,
        "retired_at": _KEY_RECORD,
        "destroyed_at": _KEY_RECORD,
    },
)

# The scheduler's claims (docs/adr/0038): which period of which platform job was enqueued.
_SCHEDULE = not_personal(retention=Retention.SHORT_LIVED)
register(
    "core.ScheduledRun",
    {name: _SCHEDULE for name in ("id", "job", "period_start", "enqueued_at", "task_id")},
)
