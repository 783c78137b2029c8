"""The privacy officers hear of every under-16 report they did not make themselves: a visitor's
waits for them, and a suspension by a colleague or a date of birth is erased 20 hours later
whether or not anyone who may cancel it has looked."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from logitrack.privacy.erasure.models import UnderageReport
from logitrack.privacy.erasure.services.children import (
    underage_report_by_colleague,
    underage_report_by_staff,
    underage_report_by_visitor,
)
from logitrack.privacy.erasure.tests.helpers import make_company, make_officer
from logitrack.security.tests.helpers import create_user

pytestmark = pytest.mark.django_db

SITE = "https://logitrack.example"


@override_settings(LOGITRACK_PUBLIC_URL=SITE)
def test_a_visitors_report_asks_every_active_officer_for_a_decision(
    django_capture_on_commit_callbacks: Any,
) -> None:
    company = make_company()
    officer = make_officer()
    english = create_user("officer.en@logitrack.vn", platform_role="privacy_officer", language="en")
    create_user("former@logitrack.vn", platform_role="privacy_officer", is_active=False)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report = underage_report_by_visitor(
            account_email=company.child.user.email, reporter_email="parent@example.vn"
        )

    assert report is not None
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {officer.email, english.email}
    vi, en = by_address[officer.email], by_address[english.email]
    assert vi.subject == f"Báo cáo người dưới 16 tuổi số {report.pk}: cần bạn quyết định"
    assert en.subject == f"Under-16 report {report.pk}: your decision is needed"
    assert f"{SITE}/staff/privacy/children/" in str(vi.body)
    assert '<html lang="en">' in str(en.alternatives[0][0])  # type: ignore[attr-defined]
    for message in (vi, en):
        # Nobody is named: neither the account nor the visitor.
        assert company.child.user.email not in str(message.body)
        assert "parent@example.vn" not in str(message.body)


def test_a_colleagues_report_tells_the_officers_when_the_erasure_runs(
    django_capture_on_commit_callbacks: Any,
) -> None:
    company = make_company()
    officer = make_officer()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report = underage_report_by_colleague(
            reporter=company.reporter.user,
            tenant_id=company.tenant.pk,
            subject=company.child.user,
        )

    [message] = mail.outbox
    assert message.to == [officer.email]
    assert message.subject == (
        f"Báo cáo người dưới 16 tuổi số {report.pk}: một tài khoản đã bị tạm khóa"
    )
    assert "Một đồng nghiệp cùng công ty" in str(message.body)
    assert "hãy hủy trước thời điểm đó" in str(message.body)


def test_an_officers_own_report_and_an_unknown_address_send_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    company = make_company()
    officer = make_officer()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        underage_report_by_staff(officer=officer, subject=company.child.user)
        underage_report_by_visitor(
            account_email="nobody@example.vn", reporter_email="parent@example.vn"
        )

    assert UnderageReport.objects.count() == 1
    assert mail.outbox == []
