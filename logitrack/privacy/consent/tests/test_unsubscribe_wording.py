"""The unsubscribe pages name the company that sent the message, and speak to a consignee or a
driver (who has no Logitrack account) without mentioning an account."""

from __future__ import annotations

import pytest

from logitrack.core.testing import HttpsClient
from logitrack.privacy.consent.models import Action, Method, SubjectKind, UserConsentEvent
from logitrack.privacy.consent.notices import Asked
from logitrack.privacy.consent.services.consents import subject_consent_record
from logitrack.privacy.consent.tests.factories import make_admin, make_consignee, make_driver
from logitrack.privacy.consent.tokens import UnsubscribeTarget, unsubscribe_token
from logitrack.tenancy.tests.factories import make_user, principal_for

pytestmark = pytest.mark.django_db


def _lead(html: str) -> str:
    return html[html.index('class="lead"') : html.index("</p>", html.index('class="lead"'))]


@pytest.mark.parametrize("kind", [SubjectKind.CONSIGNEE, SubjectKind.DRIVER])
@pytest.mark.parametrize(
    ("language", "account_words"),
    [("vi", ("đăng nhập", "tài khoản")), ("en", ("sign in", "account"))],
)
def test_a_consignee_or_driver_reads_which_company_they_leave_and_nothing_of_an_account(
    kind: SubjectKind, language: str, account_words: tuple[str, str]
) -> None:
    admin = make_admin()
    subject = (
        make_consignee(admin.tenant) if kind == SubjectKind.CONSIGNEE else make_driver(admin.tenant)
    )
    token = unsubscribe_token(
        UnsubscribeTarget(
            kind=kind,
            subject_id=subject.pk,
            purpose="marketing_email",
            tenant_id=admin.tenant_id,
        )
    )
    client = HttpsClient()
    client.cookies["__Host-logitrack_lang"] = language

    asked = _lead(client.get(f"/u/{token}/").content.decode())
    done = _lead(client.post(f"/u/{token}/").content.decode())

    for text in (asked, done):
        assert admin.tenant.name in text
        assert all(word not in text.lower() for word in account_words)
        assert "Logitrack" not in text


def test_a_user_reads_that_logitrack_sent_it_and_needs_no_sign_in() -> None:
    user = make_user()
    token = unsubscribe_token(
        UnsubscribeTarget(kind=SubjectKind.USER, subject_id=user.pk, purpose="marketing_email")
    )
    client = HttpsClient()
    client.cookies["__Host-logitrack_lang"] = "en"

    asked = _lead(client.get(f"/u/{token}/").content.decode())

    assert "Stop receiving from Logitrack" in asked
    assert "you do not need to sign in" in asked


def test_a_consignee_without_a_language_choice_reads_their_browser_s_language() -> None:
    admin = make_admin()
    consignee = make_consignee(admin.tenant)
    token = unsubscribe_token(
        UnsubscribeTarget(
            kind=SubjectKind.CONSIGNEE,
            subject_id=consignee.pk,
            purpose="marketing_email",
            tenant_id=admin.tenant_id,
        )
    )

    english = HttpsClient().get(f"/u/{token}/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    chosen = HttpsClient()
    chosen.cookies["__Host-logitrack_lang"] = "vi"
    vietnamese = chosen.get(f"/u/{token}/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")

    assert f"Stop receiving from {admin.tenant.name}" in english.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert f"Ngừng nhận từ {admin.tenant.name}" in vietnamese.content.decode()


@pytest.mark.parametrize("kind", [SubjectKind.CONSIGNEE, SubjectKind.USER])
def test_a_link_opened_again_after_unsubscribing_says_it_is_done(kind: SubjectKind) -> None:
    """The person clicks the e-mail's link a second time: the page says they are unsubscribed
    instead of offering the button again, as if the first click had not worked."""
    if kind == SubjectKind.USER:
        user = make_user()
        UserConsentEvent.objects.create(
            user=user, purpose="marketing_email", action=Action.GRANT, method=Method.PAGE
        )
        target = UnsubscribeTarget(kind=kind, subject_id=user.pk, purpose="marketing_email")
    else:
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
        target = UnsubscribeTarget(
            kind=kind,
            subject_id=consignee.pk,
            purpose="marketing_email",
            tenant_id=admin.tenant_id,
        )
    token = unsubscribe_token(target)
    client = HttpsClient()

    first = client.get(f"/u/{token}/").content.decode()
    client.post(f"/u/{token}/")
    again = client.get(f"/u/{token}/").content.decode()

    assert "data-unsubscribe>" in first or "data-unsubscribe=" in first
    assert "data-unsubscribed" not in first
    assert "data-unsubscribed" in again
    assert 'name="List-Unsubscribe"' not in again
