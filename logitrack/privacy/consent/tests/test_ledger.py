"""The ledger: appended, never changed; withdrawal as easy as granting; GPC; scope."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.privacy.consent.errors import MethodNotAllowed, NotAllowed, UnknownPurpose
from logitrack.privacy.consent.models import (
    Action,
    Method,
    SubjectConsentEvent,
    UserConsentEvent,
)
from logitrack.privacy.consent.notices import Asked, notice_text
from logitrack.privacy.consent.selectors import user_consent_choices
from logitrack.privacy.consent.services.consents import (
    Recorded,
    subject_consent_record,
    user_consent_record,
)
from logitrack.privacy.consent.services.purposes import tenant_purpose_declare
from logitrack.privacy.consent.tests.factories import make_admin, make_consignee, make_driver
from logitrack.privacy.policies.selectors import policy_version_label
from logitrack.security.actors import Actor
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, make_user, principal_for

pytestmark = pytest.mark.django_db

ASKED = Asked(ip_network="203.0.113.0/24", user_agent="Mozilla/5.0", gpc=False)


def _grant(
    user: User,
    purpose: str = "marketing_email",
    asked: Asked = ASKED,
    method: Method = Method.PAGE,
) -> Recorded[UserConsentEvent]:
    return user_consent_record(
        actor=Actor.user(user),
        user=user,
        purpose=purpose,
        action=Action.GRANT,
        method=method,
        asked=asked,
        language="en",
    )


def test_a_grant_records_time_method_policy_notice_network_agent_and_gpc() -> None:
    user = make_user()

    result = _grant(user)

    event = UserConsentEvent.objects.get()
    assert result.changed is True
    assert (event.user_id, event.purpose, event.action, event.method) == (
        user.pk,
        "marketing_email",
        "grant",
        "page",
    )
    assert event.policy_version == policy_version_label() == "1"
    assert event.notice_language == "en"
    assert event.notice_text == notice_text("marketing_email", "en")
    assert (event.ip_network, event.user_agent, event.gpc) == (
        "203.0.113.0/24",
        "Mozilla/5.0",
        False,
    )
    assert event.occurred_at is not None
    audit = AuditEntry.objects.get(action="consent_granted")
    assert (audit.object_type, audit.object_id) == ("consent.userconsentevent", str(event.pk))


def test_withdrawal_is_one_call_and_current_at_once() -> None:
    user = make_user()
    _grant(user)

    user_consent_record(
        actor=Actor.user(user),
        user=user,
        purpose="marketing_email",
        action=Action.WITHDRAW,
        method=Method.PAGE,
        asked=ASKED,
    )

    choices = {c.purpose: c.granted for c in user_consent_choices(user=user)}
    assert choices["marketing_email"] is False
    assert list(UserConsentEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "grant",
        "withdraw",
    ]
    assert AuditEntry.objects.filter(action="consent_withdrawn").count() == 1


def test_nothing_is_granted_until_the_person_grants_it() -> None:
    user = make_user()

    assert [c.granted for c in user_consent_choices(user=user)] == [False, False, False, False]


def test_repeating_the_current_choice_writes_nothing() -> None:
    user = make_user()
    _grant(user)

    again = _grant(user)

    assert again.changed is False
    assert UserConsentEvent.objects.count() == 1
    assert AuditEntry.objects.filter(action="consent_granted").count() == 1


def test_with_gpc_a_grant_of_advertising_measurement_is_recorded_as_refused() -> None:
    user = make_user()

    result = _grant(user, "advertising_measurement", Asked(gpc=True))

    event = UserConsentEvent.objects.get()
    assert result.refused_by_gpc is True
    assert (event.action, event.gpc, event.refused_by_gpc) == ("withdraw", True, True)
    assert not [c for c in user_consent_choices(user=user) if c.granted]


def test_with_gpc_marketing_email_can_still_be_granted() -> None:
    user = make_user()

    _grant(user, "marketing_email", Asked(gpc=True))

    assert UserConsentEvent.objects.get().action == "grant"


def test_an_email_link_can_withdraw_but_never_grant() -> None:
    user = make_user()

    with pytest.raises(MethodNotAllowed):
        _grant(user, method=Method.EMAIL_LINK)

    assert UserConsentEvent.objects.count() == 0


def test_an_unknown_purpose_is_refused_and_nothing_written() -> None:
    with pytest.raises(UnknownPurpose):
        _grant(make_user(), "cookies_everywhere")

    assert UserConsentEvent.objects.count() == 0


def test_the_ledger_refuses_update_in_the_database() -> None:
    _grant(make_user())
    table = UserConsentEvent._meta.db_table

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET action = 'withdraw'")  # noqa: S608

    assert UserConsentEvent.objects.get().action == "grant"


def test_the_current_consent_is_one_indexed_lookup() -> None:
    names = {index.name for index in UserConsentEvent._meta.indexes}
    fields = {i.name: i.fields for i in UserConsentEvent._meta.indexes}

    assert "consent_user_current" in names
    assert fields["consent_user_current"] == ["user", "purpose", "-id"]


def test_a_tenant_records_a_consignees_consent_obtained_by_telephone() -> None:
    admin = make_admin()
    consignee = make_consignee(admin.tenant)

    result = subject_consent_record(
        actor=principal_for(admin),
        subject=consignee,
        purpose="marketing_sms",
        action=Action.GRANT,
        method=Method.PHONE,
        asked=Asked(),
        notice="Chúng tôi sẽ gửi tin khuyến mãi qua SMS. Bạn đồng ý không?",
    )

    with tenant_context(admin.tenant):
        event = SubjectConsentEvent.objects.get()
    assert result.changed is True
    assert (event.consignee_id, event.method, event.action) == (consignee.pk, "phone", "grant")
    assert event.notice_text == "Chúng tôi sẽ gửi tin khuyến mãi qua SMS. Bạn đồng ý không?"
    assert AuditEntry.objects.get(action="consent_granted").tenant_id == admin.tenant_id


def test_a_consignees_standard_notice_names_the_company_that_asks_not_logitrack() -> None:
    admin = make_admin()
    consignee = make_consignee(admin.tenant)

    subject_consent_record(
        actor=principal_for(admin),
        subject=consignee,
        purpose="marketing_email",
        action=Action.GRANT,
        method=Method.PHONE,
        asked=Asked(),
        language="vi",
    )

    with tenant_context(admin.tenant):
        event = SubjectConsentEvent.objects.get()
    assert event.notice_text.startswith(
        f"{admin.tenant.name} có thể gửi cho bạn bản tin và khuyến mãi qua e-mail."
    )
    assert "Logitrack" not in event.notice_text


def test_a_consent_for_another_tenants_person_is_refused_and_nothing_written() -> None:
    admin = make_admin()
    stranger = make_driver(make_tenant())

    with pytest.raises(NotAllowed):
        subject_consent_record(
            actor=principal_for(admin),
            subject=stranger,
            purpose="marketing_sms",
            action=Action.GRANT,
            method=Method.PHONE,
            asked=Asked(),
        )

    assert SubjectConsentEvent.dangerously_unscoped.count() == 0


def test_a_dispatcher_cannot_record_consents() -> None:
    dispatcher = make_member(make_tenant(), Role.DISPATCHER)
    driver = make_driver(dispatcher.tenant)

    with pytest.raises(NotAllowed):
        subject_consent_record(
            actor=principal_for(dispatcher),
            subject=driver,
            purpose="marketing_sms",
            action=Action.GRANT,
            method=Method.PAPER,
            asked=Asked(),
        )

    assert SubjectConsentEvent.dangerously_unscoped.count() == 0


def test_a_declared_purpose_is_consented_under_its_own_key_and_notice() -> None:
    admin = make_admin()
    principal = principal_for(admin)
    purpose = tenant_purpose_declare(
        actor=principal,
        code="partner-offers",
        name_vi="Ưu đãi đối tác",
        name_en="Partner offers",
        description_vi="Gửi ưu đãi của đối tác.",
        description_en="Offers of our partners.",
    )
    driver = make_driver(admin.tenant)

    subject_consent_record(
        actor=principal,
        subject=driver,
        purpose="tenant.partner-offers",
        action=Action.GRANT,
        method=Method.PAPER,
        asked=Asked(),
        language="en",
    )

    with tenant_context(admin.tenant):
        event = SubjectConsentEvent.objects.get()
    assert (event.purpose, event.tenant_purpose_id) == ("tenant.partner-offers", purpose.pk)
    assert event.notice_text == "Partner offers: Offers of our partners."


def test_another_tenants_declared_purpose_is_unknown_here() -> None:
    other = make_admin()
    tenant_purpose_declare(
        actor=principal_for(other),
        code="vip",
        name_vi="Khách VIP",
        name_en="VIP",
        description_vi="Ưu đãi VIP.",
        description_en="VIP offers.",
    )
    admin = make_admin()

    with pytest.raises(UnknownPurpose):
        subject_consent_record(
            actor=principal_for(admin),
            subject=make_driver(admin.tenant),
            purpose="tenant.vip",
            action=Action.GRANT,
            method=Method.PAPER,
            asked=Asked(),
        )

    assert SubjectConsentEvent.dangerously_unscoped.count() == 0
