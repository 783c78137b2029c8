"""The erasure ledger across a backup restore (issue P8 points 5 and 6).

A restore puts back the database as it was when the backup was taken, people erased since then
included. ``erasure_ledger_read`` takes the finished erasures from the live database before the
restore (ids and dates only, no personal data); ``erasure_ledger_reapply`` runs them again on the
restored database through ``person_erase``, so nobody erased comes back. Point 6 (tenants and
deleted accounts) adds its own entries here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from logitrack.privacy.erasure.locators import user_model
from logitrack.privacy.erasure.models import PersonErasure
from logitrack.privacy.erasure.services.erasure import person_erase
from logitrack.security.actors import Actor


@dataclass(frozen=True)
class LedgerEntry:
    user_id: int
    reason: str
    scheduled_at: datetime
    erase_after: datetime
    due_at: datetime


def erasure_ledger_read() -> list[LedgerEntry]:
    """Every finished erasure of the live database, oldest first."""
    return [
        LedgerEntry(e.user_id, e.reason, e.scheduled_at, e.erase_after, e.due_at)
        for e in PersonErasure.objects.filter(status=PersonErasure.Status.DONE).order_by("pk")
    ]


def erasure_ledger_reapply(entries: list[LedgerEntry], *, actor: Actor) -> int:
    """Erase again, in the current (just restored) database, each person of ``entries`` whose
    erasure is not done there; return how many were erased now.

    Invariants: idempotent (a person already erased in the restored data is left alone); each
    erasure is atomic (``person_erase``); the restored account is switched off before its keys
    are destroyed, as ``user_keys_destroy`` requires.
    """
    erased = 0
    for entry in entries:
        with transaction.atomic():
            if PersonErasure.objects.filter(
                user_id=entry.user_id, status=PersonErasure.Status.DONE
            ).exists():
                continue
            erasure = PersonErasure.objects.filter(
                user_id=entry.user_id, status=PersonErasure.Status.SCHEDULED
            ).first()
            if erasure is None:
                erasure = PersonErasure.objects.create(
                    user_id=entry.user_id,
                    reason=entry.reason,
                    scheduled_at=entry.scheduled_at,
                    erase_after=entry.erase_after,
                    due_at=entry.due_at,
                )
            user_model()._base_manager.filter(pk=entry.user_id).update(is_active=False)
            person_erase(erasure=erasure, actor=actor)
        erased += 1
    return erased
