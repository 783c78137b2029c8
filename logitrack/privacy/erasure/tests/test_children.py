"""Under-16 reports: who may report, the suspension at once, and the privacy officer's decisions."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from logitrack.accounts.models import User, UserSession
from logitrack.core.testing import HttpsClient
from logitrack.privacy.consent.models import UserConsentEvent
from logitrack.privacy.consent.services.marketing import users_with_consent
from logitrack.privacy.erasure.errors import ErasureAlreadyDone, ReportNotAllowed
from logitrack.privacy.erasure.models import PersonErasure, UnderageReport
from logitrack.privacy.erasure.services.children import (
    underage_report_by_colleague,
    underage_report_cancel,
    underage_report_dismiss,
)
from logitrack.privacy.erasure.services.erasure import person_erase
from logitrack.privacy.erasure.tests.helpers import erasure_of, make_company, make_officer
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import ApiKey
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import (
    GOOD_PASSWORD,
    bearer,
    make_api_key,
    make_member,
    sign_in,
)

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/privacy/underage-reports"


def _years_ago(years: int) -> str:
    today = timezone.localdate()
    return date(today.year - years, 1, 1).isoformat()


def _post_json(client: HttpsClient, path: str, body: dict[str, object]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_a_colleagues_report_suspends_the_account_at_once() -> None:
    company = make_company()
    child = company.child.user
    child_client = HttpsClient()
    sign_in(child_client, company.child)
    assert child_client.get("/account/").status_code == 200
    owner = make_member(company.tenant, Role.OWNER)
    created = make_api_key(owner, {Permission.OPERATIONS_VIEW})
    ApiKey.dangerously_unscoped.filter(pk=created.api_key.pk).update(created_by=child)
    UserConsentEvent.objects.create(
        user=child, purpose="marketing_email", action="grant", method="page"
    )
    assert list(users_with_consent("marketing_email", [child.pk])) == [child]
    reporter = HttpsClient()
    sign_in(reporter, company.reporter)

    response = _post_json(reporter, REPORTS, {"user_id": child.pk})

    assert response.status_code == 201, response.content
    child.refresh_from_db()
    assert child.is_active is False
    assert not UserSession.objects.filter(user=child).exists()
    # The child's browser is signed out at its next request; the API key answers 401.
    assert child_client.get("/account/").status_code == 302
    assert HttpsClient().get("/api/v1/me", headers=bearer(created.token)).status_code == 401
    assert ApiKey.dangerously_unscoped.get(pk=created.api_key.pk).revoked_at is not None
    assert list(users_with_consent("marketing_email", [child.pk])) == []
    erasure = erasure_of(child.pk)
    assert erasure.status == PersonErasure.Status.SCHEDULED
    suspended = AuditEntry.objects.get(action="account_suspended")
    assert suspended.details["sessions_ended"] == 1
    assert suspended.details["api_keys_revoked"] == 1


def test_sign_in_is_refused_with_a_clear_message_for_a_suspended_account() -> None:
    company = make_company()
    child = company.child.user
    underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=child
    )
    client = HttpsClient()

    refused = client.post("/login/", {"username": child.email, "password": GOOD_PASSWORD})
    wrong = client.post("/login/", {"username": child.email, "password": "not the password"})

    assert refused.status_code == 200
    suspended = "Tài khoản này đã bị tạm khóa và không thể đăng nhập."  # the page speaks Vietnamese
    assert suspended in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert suspended not in wrong.content.decode()


def test_a_member_of_another_company_cannot_report() -> None:
    company, other = make_company(), make_company()
    child = company.child.user
    outsider = HttpsClient()
    sign_in(outsider, other.reporter)
    audit_before = AuditEntry.objects.count()

    response = _post_json(outsider, REPORTS, {"user_id": child.pk})
    page = outsider.post(f"/privacy/children/report/{child.pk}/", {"confirm": "on"})

    assert response.status_code == 404
    assert json.loads(response.content)["error"]["code"] == "colleague_not_found"
    assert page.status_code == 404
    child.refresh_from_db()
    assert child.is_active
    assert not UnderageReport.objects.exists()
    assert not PersonErasure.objects.exists()
    assert AuditEntry.objects.filter(action="account_suspended").count() == 0
    assert AuditEntry.objects.count() >= audit_before
    with pytest.raises(ReportNotAllowed):
        underage_report_by_colleague(
            reporter=other.reporter.user, tenant_id=other.tenant.pk, subject=child
        )


def test_an_api_key_cannot_report() -> None:
    company = make_company()
    owner = make_member(company.tenant, Role.OWNER)
    created = make_api_key(owner, {Permission.TENANT_VIEW})

    response = HttpsClient().post(
        REPORTS,
        data=json.dumps({"user_id": company.child.user.pk}),
        content_type="application/json",
        headers=bearer(created.token),
    )

    assert response.status_code == 403
    assert User.objects.get(pk=company.child.user.pk).is_active


def test_the_colleague_pages_report_by_email_then_confirm() -> None:
    company = make_company()
    child = company.child.user
    client = HttpsClient()
    sign_in(client, company.reporter)

    found = client.post("/privacy/children/report/", {"email": child.email.upper()})
    unknown = client.post("/privacy/children/report/", {"email": "nobody@example.vn"})
    unticked = client.post(f"/privacy/children/report/{child.pk}/", {})
    assert User.objects.get(pk=child.pk).is_active
    done = client.post(f"/privacy/children/report/{child.pk}/", {"confirm": "on"})

    assert found.status_code == 302
    assert found["Location"] == f"/privacy/children/report/{child.pk}/"
    assert "Không có thành viên nào của công ty bạn dùng địa chỉ email này." in (
        unknown.content.decode()
    )
    assert "Hãy đánh dấu ô để xác nhận báo cáo." in unticked.content.decode()
    assert done.status_code == 302
    assert User.objects.get(pk=child.pk).is_active is False


def test_a_visitor_report_waits_for_the_privacy_officer() -> None:
    company = make_company()
    child = company.child.user
    visitor = HttpsClient()

    sent = visitor.post(
        "/privacy/children/",
        {"account_email": child.email, "reporter_email": "parent@example.vn"},
    )
    unknown = visitor.post(
        "/privacy/children/",
        {"account_email": "nobody@example.vn", "reporter_email": "parent@example.vn"},
    )

    assert sent.status_code == unknown.status_code == 200
    assert sent.content.decode().count("data-report-sent") == 1
    assert unknown.content.decode().count("data-report-sent") == 1
    report = UnderageReport.objects.get()
    assert report.status == UnderageReport.Status.AWAITING_CONFIRMATION
    assert report.reporter_email == "parent@example.vn"
    assert User.objects.get(pk=child.pk).is_active

    officer = HttpsClient()
    officer.force_login(make_officer())
    decided = officer.post(f"/staff/privacy/children/{report.pk}/decide/", {"decision": "confirm"})

    assert decided.status_code == 302
    assert User.objects.get(pk=child.pk).is_active is False
    report.refresh_from_db()
    assert report.status == UnderageReport.Status.SUSPENDED


def test_only_the_privacy_officer_reaches_the_staff_pages() -> None:
    company = make_company()
    report = underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=company.child.user
    )
    member = HttpsClient()
    sign_in(member, company.reporter)

    listing = member.get("/staff/privacy/children/")
    cancel = member.post(f"/staff/privacy/children/{report.pk}/decide/", {"decision": "cancel"})

    assert listing.status_code == cancel.status_code == 403
    report.refresh_from_db()
    assert report.status == UnderageReport.Status.SUSPENDED
    with pytest.raises(ReportNotAllowed):
        underage_report_cancel(officer=company.reporter.user, report=report)


def test_the_privacy_officer_suspends_at_once_and_cancels_a_mistake() -> None:
    company = make_company()
    child = company.child.user
    officer = HttpsClient()
    officer.force_login(make_officer())

    officer.post("/staff/privacy/children/", {"email": child.email})
    report = UnderageReport.objects.get()
    assert report.source == UnderageReport.Source.STAFF
    assert User.objects.get(pk=child.pk).is_active is False
    page = officer.get("/staff/privacy/children/")
    assert child.email in page.content.decode()

    officer.post(f"/staff/privacy/children/{report.pk}/decide/", {"decision": "cancel"})

    assert User.objects.get(pk=child.pk).is_active is True
    assert erasure_of(child.pk).status == PersonErasure.Status.CANCELLED


def test_a_report_cannot_be_cancelled_after_the_erasure() -> None:
    company = make_company()
    report = underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=company.child.user
    )
    person_erase(erasure=erasure_of(company.child.user.pk))
    report.refresh_from_db()

    with pytest.raises(ErasureAlreadyDone):
        underage_report_cancel(officer=make_officer(), report=report)


def test_a_date_of_birth_corrected_to_under_16_on_the_profile_suspends() -> None:
    company = make_company()
    child = company.child.user
    client = HttpsClient()
    sign_in(client, company.child)
    young = _years_ago(12)
    profile = {
        "full_name": child.full_name,
        "phone": "",
        "language": "en",
        "time_zone": "Asia/Ho_Chi_Minh",
        "date_of_birth": young,
    }

    # First the person is told what the date means; nothing happens until they confirm it.
    asked = client.post("/account/", profile)
    assert asked.status_code == 200
    assert 'name="confirm_under_16"' in asked.content.decode()
    assert User.objects.get(pk=child.pk).is_active
    assert not UnderageReport.objects.exists()

    response = client.post("/account/", {**profile, "confirm_under_16": "on"})

    assert response.status_code == 403
    assert "Logitrack không dành cho người dưới 16 tuổi." in response.content.decode()
    child.refresh_from_db()
    assert child.is_active is False
    assert child.date_of_birth == date(2000, 1, 2)  # the new date is not stored
    assert UnderageReport.objects.get().source == UnderageReport.Source.DATE_OF_BIRTH
    assert client.get("/account/").status_code == 302


def test_a_date_of_birth_corrected_to_under_16_through_the_api_suspends() -> None:
    company = make_company()
    child = company.child.user
    client = HttpsClient()
    sign_in(client, company.child)
    young = _years_ago(10)

    response = client.patch(
        "/api/v1/me", data=json.dumps({"date_of_birth": young}), content_type="application/json"
    )

    assert response.status_code == 403
    assert json.loads(response.content)["error"]["code"] == "account_suspended"
    assert User.objects.get(pk=child.pk).is_active is False


def test_an_adult_date_of_birth_is_saved_on_the_profile() -> None:
    company = make_company()
    client = HttpsClient()
    sign_in(client, company.child)

    response = client.patch(
        "/api/v1/me",
        data=json.dumps({"date_of_birth": "1990-05-17"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    child = User.objects.get(pk=company.child.user.pk)
    assert child.is_active
    assert child.date_of_birth == date(1990, 5, 17)
    assert not UnderageReport.objects.exists()


def test_a_colleague_cannot_switch_off_the_privacy_officer() -> None:
    """The officer is the only one who can cancel a mistaken report: a member of a company the
    officer also belongs to (even a viewer) reports the officer, and the report waits."""
    company = make_company(reporter_role=Role.VIEWER)
    officer = make_officer()
    make_member(company.tenant, Role.VIEWER, user=officer)
    reporter = HttpsClient()
    sign_in(reporter, company.reporter)

    response = _post_json(reporter, REPORTS, {"user_id": officer.pk})
    page = reporter.post(f"/privacy/children/report/{officer.pk}/", {"confirm": "on"})

    assert response.status_code == 201, response.content
    assert json.loads(response.content)["status"] == "awaiting_confirmation"
    assert json.loads(response.content)["erase_after"] is None
    assert page.status_code == 302
    officer.refresh_from_db()
    assert officer.is_active
    assert not PersonErasure.objects.exists()
    assert not AuditEntry.objects.filter(action="account_suspended").exists()
    reports = UnderageReport.objects.filter(subject=officer)
    assert {r.status for r in reports} == {UnderageReport.Status.AWAITING_CONFIRMATION}
    assert {r.reporter_id for r in reports} == {company.reporter.user.pk}


def test_a_cancel_does_not_reactivate_an_account_that_was_already_off() -> None:
    """An account switched off for another reason (e.g. a duplicate address deactivated by the
    canonical-e-mail migration) stays off when a report about it is cancelled."""
    company = make_company()
    child = company.child.user
    User.objects.filter(pk=child.pk).update(is_active=False)
    report = underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=child
    )

    underage_report_cancel(officer=make_officer(), report=report)

    child.refresh_from_db()
    assert child.is_active is False
    assert erasure_of(child.pk).status == PersonErasure.Status.CANCELLED
    assert not AuditEntry.objects.filter(action="account_reactivated").exists()
    suspended = AuditEntry.objects.get(action="account_suspended")
    assert suspended.details["deactivated"] is False


def test_a_visitors_address_goes_once_the_report_is_decided_or_its_person_erased() -> None:
    """reporter_email is kept only for the officer to ask the visitor before deciding
    (inventory: short-lived): a cancel, and the erasure, remove it, including from a visitor's
    report still awaiting the officer when a colleague's report had the person erased."""
    from logitrack.privacy.erasure.services.children import (
        underage_report_by_visitor,
        underage_report_confirm,
    )

    officer = make_officer()
    first, second = make_company(), make_company()
    cancelled = underage_report_by_visitor(
        account_email=first.child.user.email, reporter_email="aunt@example.vn"
    )
    waiting = underage_report_by_visitor(
        account_email=second.child.user.email, reporter_email="teacher@example.vn"
    )
    assert cancelled is not None
    assert waiting is not None
    underage_report_confirm(officer=officer, report=cancelled)
    underage_report_cancel(officer=officer, report=cancelled)
    confirmed = underage_report_by_colleague(
        reporter=second.reporter.user, tenant_id=second.tenant.pk, subject=second.child.user
    )

    person_erase(erasure=erasure_of(second.child.user.pk))

    for report in (cancelled, confirmed, waiting):
        report.refresh_from_db()
        assert report.reporter_email == ""
    assert cancelled.status == UnderageReport.Status.CANCELLED
    assert confirmed.status == waiting.status == UnderageReport.Status.ERASED
    assert waiting.subject_id is None
    assert not UnderageReport.objects.filter(reporter_email__contains="@").exists()


def test_the_officer_queue_cannot_be_flooded_out_of_sight() -> None:
    """Posting the same account again adds nothing while its report is open, and however many
    reports came later, a suspension still to be cancelled stays on the officer's page."""
    from logitrack.privacy.erasure.services.children import underage_report_by_visitor

    company = make_company()
    target = make_member(company.tenant, Role.OWNER, email="owner.flooded@example.vn").user
    for n in range(3):
        underage_report_by_visitor(
            account_email=target.email.upper(), reporter_email=f"flood{n}@example.vn"
        )
    assert UnderageReport.objects.filter(subject=target).count() == 1
    suspended = underage_report_by_colleague(
        reporter=company.reporter.user, tenant_id=company.tenant.pk, subject=company.child.user
    )
    later = timezone.now()
    UnderageReport.objects.bulk_create(
        UnderageReport(
            source=UnderageReport.Source.VISITOR,
            status=UnderageReport.Status.DISMISSED,
            created_at=later,
        )
        for _ in range(201)
    )
    officer = HttpsClient()
    officer.force_login(make_officer())

    page = officer.get("/staff/privacy/children/").content.decode()

    assert f'data-report="{suspended.pk}"' in page
    waiting = UnderageReport.objects.get(subject=target)
    assert f'data-report="{waiting.pk}"' in page
    underage_report_dismiss(officer=make_officer(), report=waiting)
    underage_report_by_visitor(account_email=target.email, reporter_email="parent@example.vn")
    assert UnderageReport.objects.filter(subject=target).count() == 2


def test_a_member_cannot_report_themselves_as_a_colleague() -> None:
    """The colleague path is for another member ("1" as a string is read as the id too)."""
    company = make_company()
    me = company.reporter.user
    client = HttpsClient()
    sign_in(client, company.reporter)

    response = _post_json(client, REPORTS, {"user_id": str(me.pk)})
    page = client.post(f"/privacy/children/report/{me.pk}/", {"confirm": "on"})

    assert response.status_code == 404
    assert json.loads(response.content)["error"]["code"] == "colleague_not_found"
    assert page.status_code == 404
    assert User.objects.get(pk=me.pk).is_active
    assert not UnderageReport.objects.exists()


@pytest.mark.parametrize("reporter_role", [Role.VIEWER, Role.ADMIN])
def test_a_report_about_the_owner_by_a_non_owner_waits_for_the_privacy_officer(
    reporter_role: Role,
) -> None:
    """Any member's word would otherwise take the company's control away from its owner (a sole
    owner leaves nobody to manage the company); the officer checks first."""
    company = make_company(reporter_role=reporter_role)
    owner = make_member(company.tenant, Role.OWNER, email=f"owner-{reporter_role}@example.vn")
    reporter = HttpsClient()
    sign_in(reporter, company.reporter)

    response = _post_json(reporter, REPORTS, {"user_id": owner.user.pk})

    assert response.status_code == 201, response.content
    assert json.loads(response.content)["status"] == "awaiting_confirmation"
    assert User.objects.get(pk=owner.user.pk).is_active
    assert not PersonErasure.objects.exists()
    assert not AuditEntry.objects.filter(action="account_suspended").exists()


def test_an_owner_reports_another_owner_and_the_account_is_suspended_at_once() -> None:
    company = make_company(reporter_role=Role.OWNER)
    other = make_member(company.tenant, Role.OWNER, email="second-owner@example.vn")
    reporter = HttpsClient()
    sign_in(reporter, company.reporter)

    response = _post_json(reporter, REPORTS, {"user_id": other.user.pk})

    assert response.status_code == 201, response.content
    assert json.loads(response.content)["status"] == "suspended"
    assert not User.objects.get(pk=other.user.pk).is_active
    assert erasure_of(other.user.pk).status == PersonErasure.Status.SCHEDULED
