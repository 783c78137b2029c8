"""What a new user met on the under-16 pages: a mistyped year that erased an account, a second
report of an account already suspended, an erasure time the privacy officer could not act on,
a suspended person told to write to nobody in particular, and pages nobody could find."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import override_settings
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.core.testing import HttpsClient
from logitrack.privacy.erasure.errors import AccountAlreadySuspended
from logitrack.privacy.erasure.models import UnderageReport
from logitrack.privacy.erasure.services.children import (
    underage_report_by_colleague,
    underage_report_cancel,
)
from logitrack.privacy.erasure.services.erasure import person_erase
from logitrack.privacy.erasure.tests.helpers import erasure_of, make_company, make_officer
from logitrack.security.models import AuditEntry
from logitrack.tenancy.tests.factories import GOOD_PASSWORD, sign_in

pytestmark = pytest.mark.django_db

CONTACT = "dpo@logitrack.example"


def test_a_mistyped_year_on_the_profile_asks_before_anything_happens() -> None:
    company = make_company()
    child = company.child.user
    client = HttpsClient()
    sign_in(client, company.child)
    today = timezone.localdate()
    profile = {
        "full_name": child.full_name,
        "phone": "",
        "language": "vi",
        "time_zone": "Asia/Ho_Chi_Minh",
        "date_of_birth": date(today.year - 10, 1, 1).isoformat(),
    }

    asked = client.post("/account/", profile)

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Theo ngày này, bạn dưới 16 tuổi" in page
    assert 'name="confirm_under_16"' in page
    assert User.objects.get(pk=child.pk).is_active
    assert not UnderageReport.objects.exists()
    assert not AuditEntry.objects.filter(action="account_suspended").exists()
    # The person corrects the year: saved as usual, no report.
    fixed = client.post("/account/", {**profile, "date_of_birth": "1996-01-01"})
    assert fixed.status_code == 302
    assert User.objects.get(pk=child.pk).date_of_birth == date(1996, 1, 1)
    assert not UnderageReport.objects.exists()


@override_settings(LOGITRACK_PRIVACY_CONTACT_EMAIL=CONTACT)
def test_a_suspended_person_is_told_where_to_write() -> None:
    company = make_company()
    child = company.child.user
    client = HttpsClient()
    sign_in(client, company.child)
    today = timezone.localdate()

    suspended = client.post(
        "/account/",
        {
            "full_name": child.full_name,
            "phone": "",
            "language": "vi",
            "time_zone": "Asia/Ho_Chi_Minh",
            "date_of_birth": date(today.year - 10, 1, 1).isoformat(),
            "confirm_under_16": "on",
        },
    )
    refused = HttpsClient().post("/login/", {"username": child.email, "password": GOOD_PASSWORD})
    wrong = HttpsClient().post("/login/", {"username": child.email, "password": "not it at all"})

    assert suspended.status_code == 403
    assert CONTACT in suspended.content.decode()
    assert "trong vòng 20 giờ" in suspended.content.decode()
    assert f"theo địa chỉ {CONTACT}" in refused.content.decode()
    assert CONTACT not in wrong.content.decode()


def test_an_account_already_suspended_is_not_reported_twice() -> None:
    company = make_company()
    child = company.child.user
    underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=child
    )
    client = HttpsClient()
    sign_in(client, company.reporter)
    audit_before = AuditEntry.objects.count()

    page = client.get(f"/privacy/children/report/{child.pk}/")
    again = client.post(f"/privacy/children/report/{child.pk}/", {"confirm": "on"})
    api = client.post(
        "/api/v1/privacy/underage-reports",
        data=json.dumps({"user_id": child.pk}),
        content_type="application/json",
    )

    assert page.status_code == 200
    assert "data-already-suspended" in page.content.decode()
    assert 'name="confirm"' not in page.content.decode()
    assert again.status_code == 200
    assert "Tài khoản này đã bị tạm khóa; cán bộ bảo vệ dữ liệu" in again.content.decode()
    assert api.status_code == 409
    assert json.loads(api.content)["error"]["code"] == "account_already_suspended"
    assert UnderageReport.objects.count() == 1
    assert AuditEntry.objects.count() == audit_before
    with pytest.raises(AccountAlreadySuspended):
        underage_report_by_colleague(
            reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=child
        )


def test_a_cancelled_report_can_be_made_again() -> None:
    company = make_company()
    child = company.child.user
    first = underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=child
    )
    underage_report_cancel(officer=make_officer(), report=first)

    second = underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=child
    )

    assert second.status == UnderageReport.Status.SUSPENDED
    assert User.objects.get(pk=child.pk).is_active is False


def test_the_officer_sees_when_the_erasure_runs_not_only_when_it_is_due() -> None:
    done, scheduled, cancelled = make_company(), make_company(), make_company()
    reports = {
        name: underage_report_by_colleague(
            reporter=c.reporter.user, tenant_id=c.tenant.pk, subject=c.child.user
        )
        for name, c in (("done", done), ("scheduled", scheduled), ("cancelled", cancelled))
    }
    officer = make_officer()
    person_erase(erasure=erasure_of(done.child.user.pk))
    underage_report_cancel(officer=officer, report=reports["cancelled"])
    client = HttpsClient()
    client.force_login(officer)

    page = client.get("/staff/privacy/children/").content.decode()

    runs = erasure_of(scheduled.child.user.pk).erase_after
    shown = timezone.localtime(runs).strftime("%d/%m/%Y %H:%M")
    assert f"Chạy lúc {shown}: hãy hủy báo cáo nhầm trước thời điểm đó" in page
    due = timezone.localtime(erasure_of(scheduled.child.user.pk).due_at).strftime("%d/%m/%Y %H:%M")
    assert due not in page  # the deadline is not the time to act by
    assert page.count("Đã xóa lúc") == 1
    assert 'data-erasure="cancelled"></td>' in page
    # Who reported is shown, so that the officer can ask before cancelling or letting it run.
    assert f"<span data-reporter>{scheduled.reporter.user.email}</span>" in page


def test_the_children_pages_are_linked() -> None:
    company = make_company()
    policy = HttpsClient().get("/privacy/").content.decode()
    visitor_page = HttpsClient().get("/privacy/children/").content.decode()
    member = HttpsClient()
    sign_in(member, company.reporter)
    member_page = member.get("/privacy/children/").content.decode()

    assert 'href="/privacy/children/"' in policy
    assert "data-colleague-report-link" not in visitor_page
    assert 'href="/privacy/children/report/"' in member_page
