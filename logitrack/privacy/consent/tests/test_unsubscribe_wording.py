"""The unsubscribe pages name the company that sent the message, and speak to a consignee or a
driver (who has no Logitrack account) without mentioning an account."""

from __future__ import annotations

import pytest

from logitrack.core.testing import HttpsClient
from logitrack.privacy.consent.models import SubjectKind
from logitrack.privacy.consent.tests.factories import make_admin, make_consignee, make_driver
from logitrack.privacy.consent.tokens import UnsubscribeTarget, unsubscribe_token
from logitrack.tenancy.tests.factories import make_user

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
