"""The 72-hour timer and the escalation e-mails at 48 and 66 hours."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from logitrack.privacy.breaches.models import Breach, BreachEscalation
from logitrack.privacy.breaches.selectors import breach_timer
from logitrack.privacy.breaches.services.breaches import breach_assess, breach_mark_reported
from logitrack.privacy.breaches.tasks import breach_escalations_run, escalations_due
from logitrack.privacy.breaches.tests.helpers import make_breach, make_officer
from logitrack.security.models import AuditEntry

pytestmark = pytest.mark.django_db


def _discovered(hours: float) -> tuple[Breach, object]:
    officer = make_officer()
    breach = make_breach(officer, discovered_at=timezone.now() - timedelta(hours=hours))
    return breach, officer


def test_the_timer_counts_down_from_discovery_and_turns_overdue_after_72_hours() -> None:
    breach, _ = _discovered(10)

    timer = breach_timer(breach)
    late = breach_timer(breach, now=breach.discovered_at + timedelta(hours=73))

    assert timer.due_at == breach.discovered_at + timedelta(hours=72)
    assert (timer.overdue, timer.hours_left) == (False, 61)
    assert late.overdue


def test_nothing_is_escalated_before_48_hours() -> None:
    _discovered(47)

    assert breach_escalations_run.call() == 0
    assert mail.outbox == []
    assert not BreachEscalation.objects.exists()


def test_an_unreported_breach_is_escalated_to_every_officer_once_per_stage() -> None:
    breach, officer = _discovered(49)
    second = make_officer(language="vi")

    assert breach_escalations_run.call() == 2
    assert breach_escalations_run.call() == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted([officer.email, second.email])  # type: ignore[attr-defined]
    english = next(m for m in mail.outbox if m.to[0] == officer.email)  # type: ignore[attr-defined]
    assert english.subject == f"Breach {breach.pk} is still unreported 48 hours after discovery"
    assert f"/staff/privacy/breaches/{breach.pk}/" in english.body
    assert list(BreachEscalation.objects.values_list("hours", flat=True)) == [48]
    assert AuditEntry.objects.filter(action="breach_escalated").count() == 1


def test_past_66_hours_both_stages_are_due_and_a_reported_breach_is_never_escalated() -> None:
    breach, _officer = _discovered(67)
    reported, _ = _discovered(67)
    reported = breach_assess(actor=reported.registered_by, breach=reported)
    breach_mark_reported(
        actor=reported.registered_by,
        breach=reported,
        reported_at=timezone.now(),
        reference="A05-1",
    )

    due = escalations_due(timezone.now())

    assert [(b.pk, hours) for b, hours in due] == [(breach.pk, 48), (breach.pk, 66)]
