"""Marketing messages reach only people whose current consent covers the channel, once each, and
carry a one-click unsubscribe; transactional e-mails need no marketing consent."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from logitrack.accounts.tasks import account_email_send
from logitrack.core.tenant import tenant_context
from logitrack.privacy.consent.errors import InvalidCampaign, NotAllowed
from logitrack.privacy.consent.models import (
    Action,
    Method,
    SubjectMarketingSend,
    UserMarketingSend,
)
from logitrack.privacy.consent.notices import Asked
from logitrack.privacy.consent.services.consents import (
    subject_consent_record,
    user_consent_record,
)
from logitrack.privacy.consent.services.marketing import (
    Campaign,
    marketing_send,
    tenant_marketing_send,
)
from logitrack.privacy.consent.tests.factories import make_admin, make_consignee, make_driver
from logitrack.privacy.consent.tokens import unsubscribe_target
from logitrack.security.actors import Actor
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, make_user, principal_for

pytestmark = pytest.mark.django_db

NEWS = Campaign(
    key="news-2026-12",
    subject_vi="Tin tháng 12",
    subject_en="December news",
    text_vi="Logitrack có tính năng mới.",
    text_en="Logitrack has new features.",
)
STAFF = Actor.system("newsletter")


def _consent(user: Any, purpose: str = "marketing_email", action: str = "grant") -> None:
    user_consent_record(
        actor=Actor.user(user),
        user=user,
        purpose=purpose,
        action=action,
        method=Method.PAGE,
        asked=Asked(),
    )


def test_a_send_reaches_only_people_with_a_current_consent(
    django_capture_on_commit_callbacks: Any,
) -> None:
    agreed, never, withdrew = make_user(), make_user(), make_user()
    _consent(agreed)
    _consent(withdrew)
    _consent(withdrew, action="withdraw")

    with django_capture_on_commit_callbacks(execute=True):
        report = marketing_send(
            actor=STAFF,
            campaign=NEWS,
            channel="email",
            recipients=[agreed.pk, never.pk, withdrew.pk],
        )

    assert report.sent == [agreed.pk]
    assert sorted(report.without_consent) == sorted([never.pk, withdrew.pk])
    assert [m.to for m in mail.outbox] == [[agreed.email]]
    assert list(UserMarketingSend.objects.values_list("user_id", flat=True)) == [agreed.pk]
    assert AuditEntry.objects.filter(action="marketing_sent").count() == 1


def test_a_transactional_email_reaches_the_same_person_who_refused_marketing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    refused = make_user()

    with django_capture_on_commit_callbacks(execute=True):
        report = marketing_send(
            actor=STAFF, campaign=NEWS, channel="email", recipients=[refused.pk]
        )
    transactional = account_email_send.call(refused.pk, "password_changed")

    assert report.sent == []
    assert transactional is True
    assert [m.to for m in mail.outbox] == [[refused.email]]
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers


def test_each_message_carries_one_click_unsubscribe(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_user()
    _consent(user)

    with django_capture_on_commit_callbacks(execute=True):
        marketing_send(actor=STAFF, campaign=NEWS, channel="email", recipients=[user.pk])

    message = mail.outbox[0]
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<https://")
    assert header.endswith(">")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = header.strip("<>").rstrip("/").rsplit("/", 1)[1]
    target = unsubscribe_target(token)
    assert (target.kind, target.subject_id, target.purpose) == ("user", user.pk, "marketing_email")
    assert header.strip("<>") in message.body
    assert user.email not in header


def test_a_campaign_never_sends_twice_to_a_person(django_capture_on_commit_callbacks: Any) -> None:
    user = make_user()
    _consent(user)

    with django_capture_on_commit_callbacks(execute=True):
        marketing_send(actor=STAFF, campaign=NEWS, channel="email", recipients=[user.pk])
    with django_capture_on_commit_callbacks(execute=True):
        again = marketing_send(actor=STAFF, campaign=NEWS, channel="email", recipients=[user.pk])

    assert again.sent == []
    assert again.already_sent == [user.pk]
    assert len(mail.outbox) == 1
    assert UserMarketingSend.objects.count() == 1


def test_an_email_consent_does_not_cover_sms() -> None:
    user = make_user()
    _consent(user, "marketing_email")

    report = marketing_send(actor=STAFF, campaign=NEWS, channel="sms", recipients=[user.pk])

    assert report.without_consent == [user.pk]
    assert UserMarketingSend.objects.count() == 0


def test_a_campaign_without_both_languages_is_refused_before_anything_is_written() -> None:
    user = make_user()
    _consent(user)
    half = Campaign(key="x", subject_vi="Tin", subject_en="", text_vi="Nội dung", text_en="")

    with pytest.raises(InvalidCampaign):
        marketing_send(actor=STAFF, campaign=half, channel="email", recipients=[user.pk])

    assert UserMarketingSend.objects.count() == 0
    assert mail.outbox == []


def _tenant_consent(admin: Any, subject: Any, purpose: str) -> None:
    subject_consent_record(
        actor=principal_for(admin),
        subject=subject,
        purpose=purpose,
        action=Action.GRANT,
        method=Method.PAPER,
        asked=Asked(),
    )


def test_a_tenant_sends_to_its_consenting_consignees_in_both_languages(
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = make_admin()
    agreed = make_consignee(admin.tenant, email="dong.y@example.vn")
    silent = make_consignee(admin.tenant, email="im.lang@example.vn")
    _tenant_consent(admin, agreed, "marketing_email")

    with django_capture_on_commit_callbacks(execute=True):
        reports = tenant_marketing_send(
            actor=principal_for(admin),
            campaign=NEWS,
            channel="email",
            consignee_ids=[agreed.pk, silent.pk],
        )

    assert reports["consignee"].sent == [agreed.pk]
    assert reports["consignee"].without_consent == [silent.pk]
    assert [m.to for m in mail.outbox] == [["dong.y@example.vn"]]
    assert mail.outbox[0].subject == "Tin tháng 12 / December news"
    target = unsubscribe_target(
        mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[1]
    )
    assert (target.kind, target.subject_id, target.tenant_id) == (
        "consignee",
        agreed.pk,
        admin.tenant_id,
    )


def test_another_tenants_people_are_never_reached(django_capture_on_commit_callbacks: Any) -> None:
    other_admin = make_admin()
    theirs = make_consignee(other_admin.tenant)
    _tenant_consent(other_admin, theirs, "marketing_email")
    admin = make_admin()

    with django_capture_on_commit_callbacks(execute=True):
        reports = tenant_marketing_send(
            actor=principal_for(admin), campaign=NEWS, channel="email", consignee_ids=[theirs.pk]
        )

    assert reports["consignee"].sent == []
    assert mail.outbox == []
    assert SubjectMarketingSend.dangerously_unscoped.count() == 0


def test_an_sms_send_checks_consent_and_records_it_without_a_provider() -> None:
    admin = make_admin()
    driver = make_driver(admin.tenant, phone="0912345678")
    quiet = make_driver(admin.tenant, phone="0912345679")
    _tenant_consent(admin, driver, "marketing_sms")

    reports = tenant_marketing_send(
        actor=principal_for(admin), campaign=NEWS, channel="sms", driver_ids=[driver.pk, quiet.pk]
    )

    assert reports["driver"].sent == [driver.pk]
    assert reports["driver"].without_consent == [quiet.pk]
    with tenant_context(admin.tenant):
        assert list(SubjectMarketingSend.objects.values_list("driver_id", "channel")) == [
            (driver.pk, "sms")
        ]


def test_a_viewer_cannot_send() -> None:
    viewer = make_member(make_tenant(), Role.VIEWER)

    with pytest.raises(NotAllowed):
        tenant_marketing_send(actor=principal_for(viewer), campaign=NEWS, channel="email")
