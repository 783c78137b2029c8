"""The breach register (policy section 5): register, assess, report, notify, close.

The status only moves forward: open → assessed → authority_reported → subjects_notified →
closed (``NEXT``); a step out of turn raises BreachWrongState and changes nothing. Every step
writes an audit entry in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.privacy.breaches.affected import affected_models, compute_affected
from logitrack.privacy.breaches.errors import BreachWrongState, InvalidBreach
from logitrack.privacy.breaches.models import COUNT_MAX, EARLIEST, ESCALATION_HOURS, Breach
from logitrack.privacy.breaches.services.common import clean_categories, staff_actor
from logitrack.security.services import audit_record

logger = logging.getLogger("logitrack.privacy.breaches")
S = Breach.Status
# The state each step requires, by the step's name.
REQUIRED: dict[str, frozenset[str]] = {
    "assess": frozenset({S.OPEN, S.ASSESSED}),
    "report": frozenset({S.ASSESSED}),
    "notify": frozenset({S.AUTHORITY_REPORTED}),
    "close": frozenset({S.SUBJECTS_NOTIFIED}),
}


@dataclass(frozen=True, kw_only=True)
class BreachInput:
    discovered_at: datetime
    occurred_from: datetime
    occurred_until: datetime
    nature: str
    description: str
    categories: list[str]
    affected_models: list[str]
    approx_subjects: int = 0
    approx_records: int = 0
    consequences: str = ""
    measures: str = ""


def _validated(data: BreachInput) -> list[str]:
    now = timezone.now()
    if data.occurred_from > data.occurred_until:
        raise InvalidBreach(field="occurred_until")
    if data.discovered_at > now or data.occurred_from > now:
        raise InvalidBreach(field="discovered_at")
    for name in ("discovered_at", "occurred_from"):
        if getattr(data, name) < EARLIEST:
            raise InvalidBreach(field=name)
    for name in ("approx_subjects", "approx_records"):
        if not 0 <= getattr(data, name) <= COUNT_MAX:
            raise InvalidBreach(field=name)
    if not data.nature or not data.description:
        raise InvalidBreach()
    categories = clean_categories(data.categories)
    known = {m.label for m in affected_models(categories)}
    if any(label.lower() not in known for label in data.affected_models):
        # A table that holds none of the categories cannot have leaked them.
        raise InvalidBreach(field="affected_models")
    return categories


def breach_register(*, actor: User, data: BreachInput) -> Breach:
    """Open a breach; the 72-hour report deadline runs from ``discovered_at``.

    Schedules the escalation e-mails (``tasks.breach_escalations_run``) at 48 and 66 hours after
    discovery when the task backend can defer work; ``logitrack breaches_escalate`` does the
    same from a scheduler otherwise. InvalidBreach or InvalidCategory change nothing.
    """
    audit_actor = staff_actor(actor)
    categories = _validated(data)
    with transaction.atomic():
        breach = Breach(
            discovered_at=data.discovered_at,
            occurred_from=data.occurred_from,
            occurred_until=data.occurred_until,
            nature=data.nature,
            description=data.description,
            categories=categories,
            affected_models=sorted({label.lower() for label in data.affected_models}),
            approx_subjects=data.approx_subjects,
            approx_records=data.approx_records,
            consequences=data.consequences,
            measures=data.measures,
            registered_by=actor,
        )
        breach.full_clean()
        breach.save()
        audit_record(
            action="breach_registered",
            actor=audit_actor,
            object_type="breach",
            object_id=str(breach.pk),
            details={"categories": categories, "tables": breach.affected_models},
        )
        transaction.on_commit(lambda: _schedule_escalations(breach))
    return breach


def _schedule_escalations(breach: Breach) -> None:
    from logitrack.privacy.breaches.tasks import breach_escalations_run

    if not breach_escalations_run.get_backend().supports_defer:
        return
    for hours in ESCALATION_HOURS:
        due = breach.discovered_at + timedelta(hours=hours)
        if due > timezone.now():
            breach_escalations_run.using(run_after=due).enqueue()
        else:
            breach_escalations_run.enqueue()


def _locked(breach: Breach, step: str) -> Breach:
    locked = Breach.objects.select_for_update().get(pk=breach.pk)
    if locked.status not in REQUIRED[step]:
        raise BreachWrongState()
    return locked


def breach_assess(*, actor: User, breach: Breach) -> Breach:
    """Compute the affected tenants and people (``affected.compute_affected``) and record the
    totals; may be repeated until the breach is reported."""
    audit_actor = staff_actor(actor)
    with transaction.atomic():
        locked = _locked(breach, "assess")
        result = compute_affected(locked)
        locked.status = S.ASSESSED
        locked.assessed_at = timezone.now()
        locked.computed_records = result.records
        locked.computed_subjects = result.subjects
        locked.save(
            update_fields=["status", "assessed_at", "computed_records", "computed_subjects"]
        )
        audit_record(
            action="breach_assessed",
            actor=audit_actor,
            object_type="breach",
            object_id=str(locked.pk),
            details={
                "records": result.records,
                "people": result.subjects,
                "tenants": result.tenants,
            },
        )
    return locked


def breach_report_downloaded(*, actor: User, breach: Breach) -> None:
    """Audit that the officer took the authority report (a read of a personal-data record)."""
    audit_record(
        action="breach_report_generated",
        actor=staff_actor(actor),
        object_type="breach",
        object_id=str(breach.pk),
        details={"status": breach.status},
    )


def breach_mark_reported(
    *, actor: User, breach: Breach, reported_at: datetime, reference: str
) -> Breach:
    """Record that the report reached the authority (A05) at ``reported_at``."""
    audit_actor = staff_actor(actor)
    if reported_at > timezone.now() or reported_at < breach.discovered_at or not reference:
        raise InvalidBreach(field="reported_at")
    with transaction.atomic():
        locked = _locked(breach, "report")
        locked.status = S.AUTHORITY_REPORTED
        locked.reported_at = reported_at
        locked.report_reference = reference
        locked.save(update_fields=["status", "reported_at", "report_reference"])
        late = reported_at > locked.report_due_at
        audit_record(
            action="breach_authority_reported",
            actor=audit_actor,
            object_type="breach",
            object_id=str(locked.pk),
            details={"late": late, "hours": _hours(locked.discovered_at, reported_at)},
        )
    return locked


def _hours(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 3600)


def breach_close(*, actor: User, breach: Breach) -> Breach:
    audit_actor = staff_actor(actor)
    with transaction.atomic():
        locked = _locked(breach, "close")
        locked.status = S.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        audit_record(
            action="breach_closed",
            actor=audit_actor,
            object_type="breach",
            object_id=str(locked.pk),
        )
    return locked
