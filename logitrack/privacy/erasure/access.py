"""The only way request-driven code gets a reported person or a report.

Missing and not permitted raise the same NotFound, so ids cannot be probed.
"""

from __future__ import annotations

from logitrack.accounts.models import User
from logitrack.core.errors import NotFound
from logitrack.privacy.erasure.models import UnderageReport
from logitrack.privacy.erasure.services.children import is_colleague, is_privacy_officer
from logitrack.tenancy.principal import Principal


def access_colleague_by_id(principal: Principal, user_id: int) -> User:
    """A member of the company the person is signed in to; NotFound("colleague_not_found")
    for anyone else (another company's member, no such person, an API key)."""
    reporter = principal.user
    if reporter is None or not is_colleague(reporter, principal.tenant_id, user_id):
        raise NotFound("colleague_not_found")
    colleague: User = User.objects.get(pk=user_id)
    return colleague


def access_colleague_by_email(principal: Principal, email: str) -> User:
    """The member of the person's company with this (canonical) address, as above."""
    colleague = User.objects.filter(email=email).first() if email else None
    if colleague is None:
        raise NotFound("colleague_not_found")
    return access_colleague_by_id(principal, colleague.pk)


def access_underage_report_by_id(actor: User | None, report_id: int) -> UnderageReport:
    """A report, for an active privacy officer; NotFound("underage_report_not_found") else."""
    report = (
        UnderageReport.objects.filter(pk=report_id).first() if is_privacy_officer(actor) else None
    )
    if report is None:
        raise NotFound("underage_report_not_found")
    return report
