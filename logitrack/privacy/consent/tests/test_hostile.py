"""What a hostile caller tries against marketing sends and unsubscribe links."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.privacy.consent.errors import InvalidCampaign
from logitrack.privacy.consent.models import (
    Action,
    Method,
    SubjectConsentEvent,
    SubjectKind,
    UserConsentEvent,
    UserMarketingSend,
)
from logitrack.privacy.consent.notices import Asked
from logitrack.privacy.consent.services.consents import (
    subject_consent_record,
    user_consent_record,
)
from logitrack.privacy.consent.services.marketing import Campaign, marketing_send
from logitrack.privacy.consent.tests.factories import make_admin, make_consignee
from logitrack.privacy.consent.tokens import UnsubscribeTarget, unsubscribe_token
from logitrack.security.actors import Actor
from logitrack.tenancy.tests.factories import make_user, principal_for

pytestmark = pytest.mark.django_db

STAFF = Actor.system("newsletter")


def _grant(user: Any) -> None:
    user_consent_record(
        actor=Actor.user(user),
        user=user,
        purpose="marketing_email",
        action=Action.GRANT,
        method=Method.PAGE,
        asked=Asked(),
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"subject_en": "News\x00"},
        {"subject_en": "News\x0bBcc: someone@example.com"},
        {"subject_vi": "Tin\u2028Bcc: someone@example.com"},
        {"subject_vi": "Tin\x85Bcc: someone@example.com"},
        {"subject_en": "News \u202emoc.live"},
        {"subject_en": "News\x1b[31m"},
        {"subject_en": "  News  "},
        {"text_vi": "Nội dung\x00"},
        {"text_en": "Text \u202e"},
        {"text_en": "\u200b\u00a0"},
    ],
    ids=[
        "nul",
        "vertical-tab",
        "line-separator",
        "next-line",
        "bidi",
        "escape",
        "untrimmed",
        "nul-text",
        "bidi-text",
        "invisible-text",
    ],
)
def test_a_campaign_with_characters_no_header_may_carry_is_refused_before_anything_is_written(
    fields: dict[str, str],
) -> None:
    user = make_user()
    _grant(user)
    values = {
        "key": "news-hostile",
        "subject_vi": "Tin tháng 12",
        "subject_en": "December news",
        "text_vi": "Logitrack có tính năng mới.",
        "text_en": "Logitrack has new features.",
        **fields,
    }

    with pytest.raises(InvalidCampaign):
        marketing_send(
            actor=STAFF, campaign=Campaign(**values), channel="email", recipients=[user.pk]
        )

    assert not UserMarketingSend.objects.exists()
    assert mail.outbox == []


def test_a_well_signed_link_naming_another_tenant_finds_nobody_and_changes_nothing() -> None:
    """The token binds the tenant: a consignee id of tenant A under tenant B's id is nobody."""
    admin = make_admin()
    other = make_admin()
    consignee = make_consignee(admin.tenant)
    subject_consent_record(
        actor=principal_for(admin),
        subject=consignee,
        purpose="marketing_email",
        action=Action.GRANT,
        method=Method.PAPER,
        asked=Asked(),
    )
    crossed = unsubscribe_token(
        UnsubscribeTarget(
            kind=SubjectKind.CONSIGNEE,
            subject_id=consignee.pk,
            purpose="marketing_email",
            tenant_id=other.tenant_id,
        )
    )
    as_driver = unsubscribe_token(
        UnsubscribeTarget(
            kind=SubjectKind.DRIVER,
            subject_id=consignee.pk,
            purpose="marketing_email",
            tenant_id=admin.tenant_id,
        )
    )
    analytics = unsubscribe_token(
        UnsubscribeTarget(
            kind=SubjectKind.CONSIGNEE,
            subject_id=consignee.pk,
            purpose="usage_analytics",
            tenant_id=admin.tenant_id,
        )
    )

    answers = [HttpsClient().post(f"/u/{token}/") for token in (crossed, as_driver, analytics)]

    assert [a.status_code for a in answers] == [400, 400, 400]
    with tenant_context(admin.tenant):
        assert list(SubjectConsentEvent.objects.values_list("action", flat=True)) == ["grant"]


def test_an_old_newsletters_link_still_unsubscribes_after_a_new_consent() -> None:
    """Links do not expire and are not single-use: a newsletter read months later, after the
    person consented again, must still unsubscribe (the link can only ever withdraw)."""
    user = make_user()
    _grant(user)
    link = "/u/{}/".format(
        unsubscribe_token(
            UnsubscribeTarget(kind=SubjectKind.USER, subject_id=user.pk, purpose="marketing_email")
        )
    )
    assert HttpsClient().post(link).status_code == 200
    _grant(user)

    scanner = HttpsClient().get(link)  # a mail scanner fetching the link withdraws nothing
    again = HttpsClient().post(link)

    events = UserConsentEvent.objects.filter(user=user).order_by("id")
    actions = list(events.values_list("action", flat=True))
    assert scanner.status_code == 200
    assert again.status_code == 200
    assert actions == ["grant", "withdraw", "grant", "withdraw"]


@pytest.mark.parametrize(("column", "value"), [("action", "withdraw"), ("notice_text", "x")])
def test_the_consignee_and_driver_ledger_refuses_update_in_the_database(
    column: str, value: str
) -> None:
    """The triggers guard the tenants' ledger too, on SQLite and PostgreSQL alike: a grant
    cannot be turned into something else, nor the notice shown rewritten, by SQL past the ORM."""
    admin = make_admin()
    consignee = make_consignee(admin.tenant)
    subject_consent_record(
        actor=principal_for(admin),
        subject=consignee,
        purpose="marketing_email",
        action=Action.GRANT,
        method=Method.PAPER,
        asked=Asked(),
    )
    table = SubjectConsentEvent._meta.db_table

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s", [value])  # noqa: S608

    with tenant_context(admin.tenant):
        event = SubjectConsentEvent.objects.get()
    assert event.action == "grant"
    assert event.notice_text != "x"


def test_a_suspended_account_still_unsubscribes_by_its_link() -> None:
    """An account suspended by an under-16 report may be reactivated by a cancel: a withdrawal
    made meanwhile by the newsletter's link must be recorded, not answered "not valid"."""
    from logitrack.accounts.models import User

    user = make_user()
    _grant(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    link = "/u/{}/".format(
        unsubscribe_token(
            UnsubscribeTarget(kind=SubjectKind.USER, subject_id=user.pk, purpose="marketing_email")
        )
    )

    response = HttpsClient().post(link)

    assert response.status_code == 200
    actions = list(
        UserConsentEvent.objects.filter(user=user).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["grant", "withdraw"]
