"""Under-16 colleague reports about owners: the suspension switches off the whole account, so a
report waits for the privacy officer when the subject owns any company the reporter does not
own too, and the roles are read inside the report's transaction (a role given meanwhile is seen).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from logitrack.accounts.models import User
from logitrack.core.testing import HttpsClient
from logitrack.privacy.erasure.models import PersonErasure, UnderageReport
from logitrack.privacy.erasure.services import children
from logitrack.privacy.erasure.tests.helpers import make_company
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/privacy/underage-reports"


def _report(reporter: Membership, subject: User) -> Any:
    client = HttpsClient()
    sign_in(client, reporter)
    return client.post(
        REPORTS, data=json.dumps({"user_id": subject.pk}), content_type="application/json"
    )


@pytest.mark.parametrize("reporter_role", [Role.VIEWER, Role.OWNER])
def test_an_owner_elsewhere_reported_here_waits_for_the_privacy_officer(
    reporter_role: Role,
) -> None:
    # Viewer here, sole owner of another company: a report here would leave that one ownerless.
    company = make_company(reporter_role=reporter_role)
    elsewhere = make_tenant()
    make_member(elsewhere, Role.OWNER, user=company.child.user)

    response = _report(company.reporter, company.child.user)

    assert response.status_code == 201, response.content
    assert json.loads(response.content)["status"] == "awaiting_confirmation"
    assert User.objects.get(pk=company.child.user.pk).is_active
    assert not PersonErasure.objects.exists()


def test_an_owner_of_every_company_the_subject_owns_still_suspends_at_once() -> None:
    company = make_company(reporter_role=Role.OWNER)
    second = make_tenant()
    make_member(second, Role.OWNER, user=company.reporter.user)
    make_member(second, Role.OWNER, user=company.child.user)

    response = _report(company.reporter, company.child.user)

    assert json.loads(response.content)["status"] == "suspended"
    assert not User.objects.get(pk=company.child.user.pk).is_active


def test_a_role_given_while_the_report_starts_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    company = make_company(reporter_role=Role.VIEWER)
    subject = company.child.user
    real_lock = children._lock_scheduled_erasure

    def promoted_meanwhile(user_id: int | None) -> Any:
        # Another request makes the subject an owner just as the report begins.
        Membership.dangerously_unscoped.filter(tenant=company.tenant, user=subject).update(
            role=Role.OWNER
        )
        return real_lock(user_id)

    monkeypatch.setattr(children, "_lock_scheduled_erasure", promoted_meanwhile)
    response = _report(company.reporter, subject)

    assert json.loads(response.content)["status"] == "awaiting_confirmation"
    assert User.objects.get(pk=subject.pk).is_active
    assert UnderageReport.objects.get().status == UnderageReport.Status.AWAITING_CONFIRMATION


def test_a_reporter_without_a_membership_in_the_company_is_refused() -> None:
    company = make_company(reporter_role=Role.OWNER)
    outsider = make_member(make_tenant(), Role.OWNER)

    response = _report(outsider, company.child.user)

    assert response.status_code == 404
    assert User.objects.get(pk=company.child.user.pk).is_active
    assert not UnderageReport.objects.exists()
