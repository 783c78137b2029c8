"""Reports that a user is under 16 (privacy policy section 9): suspend at once, erase within 24 h.

Who may report, and how a mistaken report is limited (docs/adr/0037):

- a person signed in to a company may report another member of that same company; a tenant
  admin is such a person; the account is suspended at once;
- Logitrack's privacy officer may report anyone; suspended at once;
- the person themselves, by correcting their date of birth to one under 16; suspended at once;
- a visitor without an account names the account's e-mail address and their own: nothing is
  suspended until the privacy officer confirms (a form anyone can post must not switch off
  someone else's account);
- until the erasure runs (20 hours later, due within 24) the privacy officer may cancel a
  mistaken report: the account is reactivated and the erasure cancelled, audited; sessions and
  API keys stay revoked.

Every report, suspension, confirmation, dismissal and cancellation is audited with its actor.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from logitrack.accounts.models import User, UserSession
from logitrack.core.identity import canonical_email_or_none
from logitrack.privacy.erasure.errors import (
    AccountAlreadySuspended,
    ErasureAlreadyDone,
    ReportNotAllowed,
    ReportWrongState,
)
from logitrack.privacy.erasure.models import (
    ERASURE_DEADLINE,
    ERASURE_DELAY,
    PersonErasure,
    UnderageReport,
)
from logitrack.security.actors import Actor
from logitrack.security.models import AuditEntry
from logitrack.security.services import audit_record
from logitrack.tenancy.api_keys import api_keys_revoke_of_user
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role

PRIVACY_OFFICER = User.PlatformRole.PRIVACY_OFFICER
REASON = "under_16"
# Reports that still need the privacy officer: to confirm or dismiss, or to cancel in time.
OPEN_STATUSES = (UnderageReport.Status.AWAITING_CONFIRMATION, UnderageReport.Status.SUSPENDED)


def is_privacy_officer(user: User | None) -> bool:
    return user is not None and user.is_active and user.platform_role == PRIVACY_OFFICER


def is_colleague(reporter: User, tenant_id: int | None, subject_id: int) -> bool:
    """Both people, two different ones, are members of ``tenant_id`` (the company the reporter
    is signed in to). A person's own age is corrected through their date of birth, which says
    what the report is; the colleague path would record it as someone else's word."""
    if tenant_id is None or not reporter.is_active or reporter.pk == subject_id:
        return False
    members = Membership.dangerously_unscoped.filter(tenant_id=tenant_id)
    return (
        members.filter(user_id=reporter.pk).exists() and members.filter(user_id=subject_id).exists()
    )


def _end_sessions(user: User) -> int:
    """Delete the person's sessions (rows and the session table's entries): signed out at once."""
    from django.contrib.sessions.models import Session

    hashes = list(UserSession.objects.filter(user=user).values_list("key_hash", flat=True))
    Session.objects.filter(session_key__in=hashes).delete()
    ended, _ = UserSession.objects.filter(user=user).delete()
    return ended


def _lock_scheduled_erasure(user_id: int | None) -> PersonErasure | None:
    """Lock the person's scheduled erasure, if any: the first lock of every transaction here.

    The erasure locks its ledger row, then the person's reports, then their account; a report,
    a confirmation or a cancel that locked a report or the account first (a new report's
    reference to the ledger row takes a share lock on it) deadlocked with a running erasure on
    PostgreSQL. Waiting here instead, they find the erasure done (refused) or still scheduled.
    """
    if user_id is None:
        return None
    erasure: PersonErasure | None = (
        PersonErasure.objects.select_for_update()
        .filter(user_id=user_id, status=PersonErasure.Status.SCHEDULED)
        .first()
    )
    return erasure


def _schedule(erasure: PersonErasure) -> None:
    from logitrack.privacy.erasure.tasks import person_erasure_run

    # Backends that cannot defer (the immediate one of tests) leave it to the sweep.
    if person_erasure_run.get_backend().supports_defer:
        person_erasure_run.using(run_after=erasure.erase_after).enqueue(erasure.pk)


def _suspend(
    *, actor: Actor, report: UnderageReport, user: User, request: HttpRequest | None
) -> UnderageReport:
    """Suspend ``user`` and schedule their erasure; inside the caller's transaction, which
    took ``_lock_scheduled_erasure`` first."""
    erasure = _lock_scheduled_erasure(user.pk)
    locked = User.objects.select_for_update().get(pk=user.pk)
    now = timezone.now()
    if erasure is None:
        # One created by a report that committed while this one waited for the account.
        erasure = PersonErasure.objects.filter(
            user_id=locked.pk, status=PersonErasure.Status.SCHEDULED
        ).first()
    created = erasure is None
    if erasure is None:
        erasure = PersonErasure.objects.create(
            user_id=locked.pk,
            reason=PersonErasure.Reason.UNDER_16,
            scheduled_at=now,
            erase_after=now + ERASURE_DELAY,
            due_at=now + ERASURE_DEADLINE,
        )
    sessions_ended = _end_sessions(locked)
    keys_revoked = api_keys_revoke_of_user(actor=actor, user_id=locked.pk, reason=REASON)
    # Whether this suspension switched the account off: a cancel reactivates only an account
    # that a suspension of the same erasure deactivated, never one that was off for another reason.
    deactivated = locked.is_active
    if locked.is_active:
        locked.is_active = False
        locked.save(update_fields=["is_active"])
    user.is_active = False
    report.status = UnderageReport.Status.SUSPENDED
    report.erasure = erasure
    report.decided_at = report.decided_at or now
    report.save()
    audit_record(
        action="account_suspended",
        actor=actor,
        object_type="user",
        object_id=str(locked.pk),
        details={
            "reason": REASON,
            "report": report.pk,
            "source": report.source,
            "sessions_ended": sessions_ended,
            "api_keys_revoked": keys_revoked,
            "deactivated": deactivated,
            "erasure": erasure.pk,
            "erase_after": erasure.erase_after.isoformat(),
            "due_at": erasure.due_at.isoformat(),
        },
        request=request,
    )
    if created:
        transaction.on_commit(lambda: _schedule(erasure))
    return report


def _deactivated_by(erasure: PersonErasure) -> bool:
    """True when a suspension scheduling ``erasure`` switched the person's account off (its
    ``account_suspended`` audit entry says so)."""
    entries = AuditEntry.objects.filter(
        action="account_suspended", object_type="user", object_id=str(erasure.user_id)
    ).values_list("details", flat=True)
    return any(
        isinstance(details, dict)
        and details.get("erasure") == erasure.pk
        and details.get("deactivated") is True
        for details in entries
    )


def _notify_officers(report: UnderageReport) -> None:
    """Once committed, e-mail the privacy officers about a report they did not make themselves:
    a visitor's waits for their decision, any other suspension may be a mistake to cancel."""
    from logitrack.privacy.erasure.tasks import underage_report_notify

    report_id = report.pk
    transaction.on_commit(lambda: underage_report_notify.enqueue(report_id))


def _report_audit(
    report: UnderageReport, actor: Actor, request: HttpRequest | None, action: str
) -> None:
    audit_record(
        action=action,
        actor=actor,
        tenant_id=report.tenant_id,
        object_type="underage_report",
        object_id=str(report.pk),
        details={"source": report.source, "status": report.status},
        request=request,
    )


def _suspends_at_once(reporter: User, subject: User) -> bool:
    """Whether a colleague's report suspends ``subject`` at once, or waits for the officer
    (e-mailed about every such report, ``_notify_officers``).

    It waits for two kinds of people, whom one member's word must not switch off:
    - Logitrack's own staff (the privacy officer above all), who are the safeguard against a
      mistaken or malicious report: otherwise one member could switch off the only person able
      to cancel it;
    - an owner of any company the reporter does not own too: the suspension switches off the
      whole account, in every company, so a viewer's word would otherwise take a company's
      control away (a sole owner leaves nobody to manage it).
    Read inside the report's transaction with the owner memberships locked, so a role given or
    taken meanwhile is seen, not missed."""
    if subject.platform_role:
        return False
    owned: dict[int, set[int]] = {reporter.pk: set(), subject.pk: set()}
    for user_id, owned_tenant in (
        Membership.dangerously_unscoped.select_for_update()
        .filter(user_id__in=(reporter.pk, subject.pk), role=Role.OWNER)
        .order_by("pk")
        .values_list("user_id", "tenant_id")
    ):
        owned[user_id].add(owned_tenant)
    return owned[subject.pk] <= owned[reporter.pk]


def underage_report_by_colleague(
    *, reporter: User, tenant_id: int | None, subject: User, request: HttpRequest | None = None
) -> UnderageReport:
    """A member of a company reports another member of it as under 16: suspended at once, except
    where ``_suspends_at_once`` makes the report wait for the privacy officer.

    Invariants: refused (``ReportNotAllowed``, nothing written) unless both are members of
    ``tenant_id`` and the reporter is active; a person whose erasure is already scheduled is
    refused (``AccountAlreadySuspended``, nothing written: a second report, or the same one sent
    again from the back button, would only repeat the audit entries); the suspension, the
    erasure's schedule and the audit entries commit together.
    """
    if not is_colleague(reporter, tenant_id, subject.pk):
        raise ReportNotAllowed()
    actor = Actor.user(reporter)
    with transaction.atomic():
        # A person whose erasure is already scheduled has been reported and suspended; an account
        # switched off for another reason may still hold a child's data, so it is reported.
        if _lock_scheduled_erasure(subject.pk) is not None:
            raise AccountAlreadySuspended()
        at_once = _suspends_at_once(reporter, subject)
        report = UnderageReport.objects.create(
            subject=subject,
            source=UnderageReport.Source.COLLEAGUE,
            status=(
                UnderageReport.Status.SUSPENDED
                if at_once
                else UnderageReport.Status.AWAITING_CONFIRMATION
            ),
            reporter=reporter,
            tenant_id=tenant_id,
        )
        _report_audit(report, actor, request, "underage_reported")
        _notify_officers(report)
        if not at_once:
            return report
        return _suspend(actor=actor, report=report, user=subject, request=request)


def underage_report_by_staff(
    *, officer: User, subject: User, request: HttpRequest | None = None
) -> UnderageReport:
    """Logitrack's privacy officer reports a person as under 16: suspended at once."""
    if not is_privacy_officer(officer):
        raise ReportNotAllowed()
    actor = Actor.user(officer)
    with transaction.atomic():
        _lock_scheduled_erasure(subject.pk)
        report = UnderageReport.objects.create(
            subject=subject,
            source=UnderageReport.Source.STAFF,
            status=UnderageReport.Status.SUSPENDED,
            reporter=officer,
            decided_by=officer,
        )
        _report_audit(report, actor, request, "underage_reported")
        return _suspend(actor=actor, report=report, user=subject, request=request)


def underage_date_of_birth(
    *, actor: Actor, user: User, request: HttpRequest | None = None
) -> UnderageReport:
    """A date of birth corrected to one under 16 (by the person, or by whoever may edit it):
    the same path as a report. The date itself is not stored."""
    with transaction.atomic():
        _lock_scheduled_erasure(user.pk)
        report = UnderageReport.objects.create(
            subject=user,
            source=UnderageReport.Source.DATE_OF_BIRTH,
            status=UnderageReport.Status.SUSPENDED,
        )
        _report_audit(report, actor, request, "underage_reported")
        _notify_officers(report)
        return _suspend(actor=actor, report=report, user=user, request=request)


def underage_report_by_visitor(
    *, account_email: str, reporter_email: str, request: HttpRequest | None = None
) -> UnderageReport | None:
    """A visitor reports an account by its e-mail address; the privacy officer confirms.

    Invariants: nothing is suspended; an address without an active account, or one whose
    account already has an open report, stores nothing and answers the same (``None`` to the
    caller, the same page to the visitor), so the form cannot be used to learn who has an
    account or to flood the officer's queue; the visitor's own address is kept so that the
    officer can ask them.
    """
    address = canonical_email_or_none(account_email)
    subject = User.objects.filter(email=address, is_active=True).first() if address else None
    with transaction.atomic():
        # One open report per account: the same address posted again (from as many addresses
        # as an attacker has) adds nothing to the officer's queue.
        already = (
            subject is not None
            and UnderageReport.objects.filter(subject=subject, status__in=OPEN_STATUSES).exists()
        )
        if subject is None or already:
            audit_record(
                action="underage_reported",
                actor=Actor.anonymous(),
                object_type="underage_report",
                details={
                    "source": UnderageReport.Source.VISITOR,
                    "account_found": subject is not None,
                    "already_open": already,
                },
                request=request,
            )
            return None
        report = UnderageReport.objects.create(
            subject=subject,
            source=UnderageReport.Source.VISITOR,
            status=UnderageReport.Status.AWAITING_CONFIRMATION,
            reporter_email=canonical_email_or_none(reporter_email) or "",
        )
        _report_audit(report, Actor.anonymous(), request, "underage_reported")
        _notify_officers(report)
    return report


def _locked_report(report: UnderageReport, *states: str) -> UnderageReport:
    locked = UnderageReport.objects.select_for_update().get(pk=report.pk)
    if locked.status not in states:
        if locked.status == UnderageReport.Status.ERASED:
            raise ErasureAlreadyDone()
        raise ReportWrongState()
    return locked


def underage_report_confirm(
    *, officer: User, report: UnderageReport, request: HttpRequest | None = None
) -> UnderageReport:
    """The privacy officer confirms a visitor's report: the account is suspended now."""
    if not is_privacy_officer(officer):
        raise ReportNotAllowed()
    actor = Actor.user(officer)
    with transaction.atomic():
        _lock_scheduled_erasure(
            UnderageReport.objects.filter(pk=report.pk).values_list("subject_id", flat=True).first()
        )
        locked = _locked_report(report, UnderageReport.Status.AWAITING_CONFIRMATION)
        locked.decided_by = officer
        locked.decided_at = timezone.now()
        subject = (
            User.objects.filter(pk=locked.subject_id).first()
            if locked.subject_id is not None
            else None
        )
        if subject is None:
            raise ReportWrongState()
        _report_audit(locked, actor, request, "underage_report_confirmed")
        return _suspend(actor=actor, report=locked, user=subject, request=request)


def underage_report_dismiss(
    *, officer: User, report: UnderageReport, request: HttpRequest | None = None
) -> UnderageReport:
    """The privacy officer dismisses a visitor's report; nothing happens to the account."""
    if not is_privacy_officer(officer):
        raise ReportNotAllowed()
    with transaction.atomic():
        locked = _locked_report(report, UnderageReport.Status.AWAITING_CONFIRMATION)
        locked.status = UnderageReport.Status.DISMISSED
        locked.decided_by = officer
        locked.decided_at = timezone.now()
        locked.reporter_email = ""
        locked.save()
        _report_audit(locked, Actor.user(officer), request, "underage_report_dismissed")
    return locked


def underage_report_cancel(
    *, officer: User, report: UnderageReport, request: HttpRequest | None = None
) -> UnderageReport:
    """The privacy officer cancels a mistaken report before the erasure ran.

    Invariants: only a suspended report whose erasure is still scheduled; the erasure is
    cancelled and the account reactivated (unless another suspended report of the person
    stands); its sessions and API keys stay ended; audited. After the erasure it raises
    ``ErasureAlreadyDone`` and changes nothing.
    """
    if not is_privacy_officer(officer):
        raise ReportNotAllowed()
    actor = Actor.user(officer)
    with transaction.atomic():
        # Locks in the erasure's order (its ledger row, then the reports): a cancel that locked
        # the report first and the erasure of the same person would deadlock on PostgreSQL.
        erasure_id = (
            UnderageReport.objects.filter(pk=report.pk).values_list("erasure_id", flat=True).first()
        )
        erasure = (
            PersonErasure.objects.select_for_update().filter(pk=erasure_id).first()
            if erasure_id is not None
            else None
        )
        locked = _locked_report(report, UnderageReport.Status.SUSPENDED)
        if (
            erasure is None
            or locked.erasure_id != erasure.pk
            or erasure.status != PersonErasure.Status.SCHEDULED
        ):
            raise ErasureAlreadyDone()
        now = timezone.now()
        locked.status = UnderageReport.Status.CANCELLED
        locked.decided_by = officer
        locked.decided_at = now
        # Decided: a visitor's address has served its purpose, as on a dismissal.
        locked.reporter_email = ""
        locked.save()
        others = UnderageReport.objects.filter(
            erasure=erasure, status=UnderageReport.Status.SUSPENDED
        ).exclude(pk=locked.pk)
        reactivated = False
        if not others.exists():
            erasure.status = PersonErasure.Status.CANCELLED
            erasure.cancelled_at = now
            erasure.save(update_fields=["status", "cancelled_at"])
            reactivated = _deactivated_by(erasure) and bool(
                User.objects.filter(pk=erasure.user_id, is_active=False).update(is_active=True)
            )
        _report_audit(locked, actor, request, "underage_report_cancelled")
        if reactivated:
            audit_record(
                action="account_reactivated",
                actor=actor,
                object_type="user",
                object_id=str(erasure.user_id),
                details={"reason": "underage_report_cancelled", "report": locked.pk},
                request=request,
            )
    return locked
