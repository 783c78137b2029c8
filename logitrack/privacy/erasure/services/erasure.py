"""Erase a person, driven by the data inventory: the first piece of the deletion machinery.

``person_erase`` is what every erasure of an account goes through: the under-16 path today, the
deletion of an account 30 days after it was closed (P8) later, with another ``Reason``. Nothing
here is written per model: the rows are found by ``locators`` (foreign keys to the user table,
and the few declared locators), and what happens to each field is its ``Erasure`` strategy in
the inventory (``logitrack.privacy.inventory.erasure_plan``):

- a row that is the person's own is deleted when its plan deletes every field; otherwise its
  ``delete`` fields are blanked, its ``anonymise`` fields replaced, its ``retain`` fields kept;
- a reference to the person from someone else's row is cleared (``delete`` or ``anonymise``)
  or kept (``retain``);
- the user row goes last (kept, blanked, when a retained reference still points at it);
- the person's data keys are destroyed (ADR 0005), so whatever copy of their encrypted values
  remains (a backup) cannot be read.

The audit chain is not touched: its entries name people by pseudonym and are retained. The
certificate (tables, counts, keys destroyed, when) is written to the chain and to the ledger row.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from logitrack.core.crypto.services import user_keys_destroy
from logitrack.privacy.erasure.locators import (
    ROW_ERASERS,
    ROW_LOCATORS,
    ForeignKeyLink,
    foreign_key_links,
    user_model,
)
from logitrack.privacy.erasure.models import PersonErasure
from logitrack.privacy.inventory import AnyField, Erasure, erasure_plan, for_model
from logitrack.security.actors import Actor
from logitrack.security.services import audit_record

ERASURE_ACTOR = Actor.system("erasure")
logger = logging.getLogger("logitrack.privacy.erasure")


def _is_encrypted(field: AnyField) -> bool:
    return bool(getattr(field, "encrypted", False)) or "encrypted" in type(field).__name__.lower()


def blank_value(field: AnyField) -> Any:
    """What a deleted value becomes when its row stays: NULL, the default, or empty."""
    if field.null:
        return None
    if field.has_default():
        return field.get_default()
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise ValueError(f"{field} has no empty value; classify it so that its row is deleted")


def anonymous_value(field: AnyField, pk: object) -> Any:
    """A value that keeps the row usable and identifies nobody."""
    if (
        field.is_relation
        or field.null
        or not isinstance(field, models.CharField | models.TextField)
    ):
        return blank_value(field)
    digest = hashlib.sha256(f"{field.model._meta.label_lower}:{pk}".encode()).hexdigest()
    token = f"erased-{digest[:12]}"
    if isinstance(field, models.EmailField):
        token = f"{token}@erased.invalid"
    return token[: field.max_length] if field.max_length else token


def _rewrite(rows: models.QuerySet[Any], names: tuple[str, ...], anonymise: tuple[str, ...]) -> int:
    """Blank ``names`` and anonymise ``anonymise`` on each row; encrypted fields seal per row."""
    model = rows.model
    fields = {f.name: f for f in model._meta.local_fields}
    changed = 0
    for row in rows:
        for name in names:
            setattr(row, fields[name].attname, blank_value(fields[name]))
        for name in anonymise:
            setattr(row, fields[name].attname, anonymous_value(fields[name], row.pk))
        extra = [
            index.name
            for name in (*names, *anonymise)
            if (index := getattr(fields[name], "blind_index_field", None)) is not None
        ]
        row.save(update_fields=[*names, *anonymise, *extra])
        changed += 1
    return changed


class _Tally:
    def __init__(self) -> None:
        self.tables: dict[str, Counter[str]] = {}

    def add(self, label: str, what: str, count: int) -> None:
        if count:
            self.tables.setdefault(label, Counter())[what] += count

    def add_deleted(self, counts: dict[str, int]) -> None:
        for label, count in counts.items():
            self.add(label.lower(), "rows_deleted", count)

    def as_list(self) -> list[dict[str, object]]:
        """One entry per table (or reference column), in name order: the audit chain's details
        take plain identifiers as keys, so the table's name is a value."""
        return [
            {"table": label, **dict(sorted(c.items()))} for label, c in sorted(self.tables.items())
        ]


def _erase_own_rows(rows: models.QuerySet[Any], tally: _Tally) -> None:
    model = rows.model
    label = model._meta.label_lower
    plan = erasure_plan(model)
    if plan.deletes_rows:
        _total, per_model = rows.delete()
        tally.add_deleted(per_model)
        return
    personal = {c.field.name for c in for_model(model)}
    delete = tuple(
        n for n in plan.delete if n in personal and not model._meta.get_field(n).primary_key
    )
    rewritten = _rewrite(rows, delete, plan.anonymise)
    tally.add(label, "rows_blanked", rewritten)
    if plan.retain:
        tally.add(label, "rows_with_retained_fields", rewritten)


def _erase_references(link: ForeignKeyLink, user: Any, tally: _Tally) -> bool:
    """Clear references to the person from other people's rows; True when one is retained."""
    strategy = {c.field.name: c.classification.erasure for c in for_model(link.model)}[
        link.field.name
    ]
    rows = link.rows(user)
    if strategy == Erasure.RETAIN:
        kept: int = rows.count()
        tally.add(link.label, "references_retained", kept)
        return kept > 0
    cleared = rows.update(**{link.field.attname: None})
    tally.add(link.label, "references_cleared", cleared)
    return False


def _plan_and_erase(user: Any) -> tuple[_Tally, bool]:
    tally = _Tally()
    retained = False
    user_label = user._meta.label_lower
    # Locators first: the session locator reads the person's UserSession rows, which go below.
    for label, rows in [(label, locate(user)) for label, locate in ROW_LOCATORS.items()]:
        if not rows.exists():
            continue
        if label in ROW_ERASERS:
            tally.add(label, "rows_withdrawn", ROW_ERASERS[label](rows))
        else:
            _erase_own_rows(rows, tally)
    for link in foreign_key_links():
        if link.owned:
            if link.field.remote_field.on_delete is models.PROTECT:
                retained = _erase_references(link, user, tally) or retained
            else:
                _erase_own_rows(link.rows(user), tally)
        else:
            retained = _erase_references(link, user, tally) or retained
    user_rows = user_model()._base_manager.filter(pk=user.pk)
    if retained:
        plan = erasure_plan(user_model())
        fields = tuple(n for n in plan.delete if not user._meta.get_field(n).primary_key)
        tally.add(user_label, "rows_blanked", _rewrite(user_rows, (), (*fields, *plan.anonymise)))
    else:
        _total, per_model = user_rows.delete()
        tally.add_deleted(per_model)
    return tally, retained


def person_erase(*, erasure: PersonErasure, actor: Actor = ERASURE_ACTOR) -> dict[str, Any]:
    """Erase the person of a scheduled ``erasure`` now; return its certificate.

    Invariants: idempotent (an erasure already done returns its certificate and writes
    nothing; a cancelled one raises ``ErasureCancelled``); atomic: the rows, the key destruction,
    the ledger row and the certificate in the audit chain commit together; the account must
    already be suspended (``user_keys_destroy`` refuses an active account); audit entries are
    never rewritten.
    """
    from logitrack.privacy.erasure.errors import ErasureCancelled

    with transaction.atomic():
        locked = PersonErasure.objects.select_for_update().get(pk=erasure.pk)
        if locked.status == PersonErasure.Status.DONE:
            return dict(locked.certificate)
        if locked.status == PersonErasure.Status.CANCELLED:
            raise ErasureCancelled()
        user = user_model()._base_manager.filter(pk=locked.user_id).first()
        tables: list[dict[str, object]] = []
        keys = 0
        from logitrack.privacy.erasure.models import UnderageReport

        # The reports about the person end with them: those of this erasure and any still
        # awaiting the officer. A visitor's address was kept only to ask them before a decision.
        UnderageReport.objects.filter(
            Q(erasure=locked, status=UnderageReport.Status.SUSPENDED)
            | Q(
                subject_id=locked.user_id,
                status=UnderageReport.Status.AWAITING_CONFIRMATION,
            )
        ).update(status=UnderageReport.Status.ERASED, subject=None, reporter_email="")
        if user is not None:
            keys = user_keys_destroy(actor=actor, user_id=int(user.pk))
            tally, _retained = _plan_and_erase(user)
            tables = tally.as_list()
        now = timezone.now()
        certificate: dict[str, Any] = {
            "erasure": locked.pk,
            "reason": locked.reason,
            "erased_at": now.isoformat(),
            "due_at": locked.due_at.isoformat(),
            "on_time": now <= locked.due_at,
            "tables": tables,
            "data_keys_destroyed": keys,
        }
        locked.status = PersonErasure.Status.DONE
        locked.completed_at = now
        locked.certificate = certificate
        locked.save(update_fields=["status", "completed_at", "certificate"])
        audit_record(
            action="privacy_erasure_certificate",
            actor=actor,
            object_type="person_erasure",
            object_id=str(locked.pk),
            details=certificate,
        )
    return certificate


def erasures_due(now: Any = None) -> models.QuerySet[PersonErasure]:
    """Scheduled erasures whose time has come (the sweep's work list)."""
    return PersonErasure.objects.filter(
        status=PersonErasure.Status.SCHEDULED, erase_after__lte=now or timezone.now()
    ).order_by("erase_after", "pk")


def erasures_run(now: Any = None) -> int:
    """Erase every person whose erasure is due; return how many were erased now.

    Invariants: one erasure that fails (its own transaction is rolled back) does not hold back
    the others, which have the same 24-hour promise; once every due erasure was tried, the
    failures raise ``ErasuresFailed`` (naming erasure ids only), so the job and the command
    report them and the next sweep tries them again.
    """
    from logitrack.privacy.erasure.errors import ErasuresFailed

    done = 0
    failed: list[int] = []
    for erasure in list(erasures_due(now)):
        try:
            person_erase(erasure=erasure)
        except Exception:
            logger.exception("erasure not done", extra={"erasure": erasure.pk})
            failed.append(erasure.pk)
            continue
        done += 1
    if failed:
        raise ErasuresFailed(erased=done, failed=failed)
    return done
