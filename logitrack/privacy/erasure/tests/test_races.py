"""Races between the privacy officer's decisions and the erasure, on PostgreSQL's row locks
(SQLite serialises writers by its IMMEDIATE transactions, so none can happen there)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction

from logitrack.accounts.models import User
from logitrack.privacy.erasure.errors import ErasureAlreadyDone
from logitrack.privacy.erasure.models import PersonErasure, UnderageReport
from logitrack.privacy.erasure.services.children import (
    underage_report_by_colleague,
    underage_report_cancel,
)
from logitrack.privacy.erasure.services.erasure import person_erase
from logitrack.privacy.erasure.tests.helpers import erasure_of, make_company, make_officer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _run(*jobs: tuple[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each job in its own thread (own connection); outcome by name: result or exception."""
    outcomes: dict[str, Any] = {}

    def run(name: str, job: Callable[[], Any]) -> None:
        try:
            outcomes[name] = job()
        except Exception as exc:  # the outcome under test may be an error
            outcomes[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=job, name=job[0]) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_a_cancel_during_the_erasure_waits_and_is_refused_without_a_deadlock() -> None:
    """The erasure holds its ledger row when the officer cancels: the cancel must wait for it
    (not take the report's lock first, which the erasure needs next) and then be refused."""
    company = make_company()
    child = company.child.user
    report = underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=child
    )
    erasure = erasure_of(child.pk)
    officer = make_officer()
    holding = threading.Event()

    def erase() -> dict[str, Any]:
        with transaction.atomic():
            PersonErasure.objects.select_for_update().get(pk=erasure.pk)
            holding.set()
            time.sleep(1.5)  # the cancel starts meanwhile
            return person_erase(erasure=erasure)

    def cancel() -> UnderageReport:
        holding.wait(10)
        time.sleep(0.3)
        return underage_report_cancel(officer=officer, report=report)

    outcomes = _run(("erase", erase), ("cancel", cancel))

    assert isinstance(outcomes["erase"], dict), outcomes
    assert isinstance(outcomes["cancel"], ErasureAlreadyDone), outcomes
    assert erasure_of(child.pk).status == PersonErasure.Status.DONE
    assert not User.objects.filter(pk=child.pk).exists()
    assert UnderageReport.objects.get(pk=report.pk).status == UnderageReport.Status.ERASED


def test_two_runs_of_one_erasure_at_once_erase_once() -> None:
    """The job and the sweep (or a job delivered twice) at the same moment: one certificate."""
    from logitrack.security.models import AuditEntry

    company = make_company()
    underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=company.child.user
    )
    erasure = erasure_of(company.child.user.pk)

    outcomes = _run(
        ("one", lambda: person_erase(erasure=erasure)),
        ("two", lambda: person_erase(erasure=erasure)),
    )

    assert outcomes["one"] == outcomes["two"], outcomes
    assert AuditEntry.objects.filter(action="privacy_erasure_certificate").count() == 1


def test_two_officers_confirming_one_report_at_once_suspend_once() -> None:
    from logitrack.privacy.erasure.errors import ReportWrongState
    from logitrack.privacy.erasure.services.children import (
        underage_report_by_visitor,
        underage_report_confirm,
    )
    from logitrack.security.models import AuditEntry

    company = make_company()
    report = underage_report_by_visitor(
        account_email=company.child.user.email, reporter_email="parent@example.vn"
    )
    assert report is not None
    first, second = make_officer(), make_officer()

    outcomes = _run(
        ("first", lambda: underage_report_confirm(officer=first, report=report)),
        ("second", lambda: underage_report_confirm(officer=second, report=report)),
    )

    kinds = sorted(type(o).__name__ for o in outcomes.values())
    assert kinds == ["ReportWrongState", "UnderageReport"], outcomes
    assert any(isinstance(o, ReportWrongState) for o in outcomes.values())
    assert AuditEntry.objects.filter(action="account_suspended").count() == 1
    assert PersonErasure.objects.filter(user_id=company.child.user.pk).count() == 1


def test_a_confirm_while_the_erasure_runs_waits_and_is_refused_without_a_deadlock() -> None:
    """The person's erasure (from a colleague's report) holds its ledger row when the officer
    confirms a visitor's report about them: the confirm must wait for it (not lock the report
    and the account first, which the erasure needs next) and is then refused; the visitor's
    report ends erased, its address cleared."""
    from logitrack.privacy.erasure.services.children import (
        underage_report_by_visitor,
        underage_report_confirm,
    )

    company = make_company()
    child = company.child.user
    waiting = underage_report_by_visitor(account_email=child.email, reporter_email="p@example.vn")
    assert waiting is not None
    underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=child
    )
    erasure = erasure_of(child.pk)
    officer = make_officer()
    holding = threading.Event()

    def erase() -> dict[str, Any]:
        with transaction.atomic():
            PersonErasure.objects.select_for_update().get(pk=erasure.pk)
            holding.set()
            time.sleep(1.5)  # the confirm starts meanwhile
            return person_erase(erasure=erasure)

    def confirm() -> UnderageReport:
        holding.wait(10)
        time.sleep(0.3)
        return underage_report_confirm(officer=officer, report=waiting)

    outcomes = _run(("erase", erase), ("confirm", confirm))

    assert isinstance(outcomes["erase"], dict), outcomes
    assert isinstance(outcomes["confirm"], ErasureAlreadyDone), outcomes
    final = UnderageReport.objects.get(pk=waiting.pk)
    assert final.status == UnderageReport.Status.ERASED
    assert final.reporter_email == ""
    assert not User.objects.filter(pk=child.pk).exists()


def test_a_confirm_during_a_cancel_of_another_report_still_suspends() -> None:
    """The officer cancels a colleague's mistaken report while another officer confirms a
    visitor's report about the same person: the confirmed report must end with the account
    suspended and a scheduled erasure, not attached to the erasure the cancel just cancelled."""
    from logitrack.privacy.erasure.services.children import (
        underage_report_by_visitor,
        underage_report_confirm,
    )

    company = make_company()
    child = company.child.user
    waiting = underage_report_by_visitor(account_email=child.email, reporter_email="p@example.vn")
    assert waiting is not None
    mistaken = underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=child
    )
    first = erasure_of(child.pk)
    cancelling, confirming = make_officer(), make_officer()
    holding = threading.Event()

    def cancel() -> UnderageReport:
        with transaction.atomic():
            PersonErasure.objects.select_for_update().get(pk=first.pk)
            holding.set()
            time.sleep(1.5)  # the confirm starts meanwhile
            return underage_report_cancel(officer=cancelling, report=mistaken)

    def confirm() -> UnderageReport:
        holding.wait(10)
        time.sleep(0.3)
        return underage_report_confirm(officer=confirming, report=waiting)

    outcomes = _run(("cancel", cancel), ("confirm", confirm))

    assert isinstance(outcomes["cancel"], UnderageReport), outcomes
    assert isinstance(outcomes["confirm"], UnderageReport), outcomes
    confirmed = UnderageReport.objects.get(pk=waiting.pk)
    assert confirmed.status == UnderageReport.Status.SUSPENDED
    assert confirmed.erasure is not None
    assert confirmed.erasure.status == PersonErasure.Status.SCHEDULED
    assert User.objects.get(pk=child.pk).is_active is False
