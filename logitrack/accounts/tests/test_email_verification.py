"""E-mail verification: a signed link valid for 3 days, tied to the address it was sent to."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail

from logitrack.accounts.models import User
from logitrack.accounts.services import user_create
from logitrack.accounts.tests.helpers import Commit, audit_of
from logitrack.core.testing import HttpsClient
from logitrack.security.actors import Actor

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://[^/\s]+(/account/verify-email/[^\s<\"]+/)")


def _new_person(language: str = "vi") -> User:
    return user_create(
        actor=Actor.system("signup"),
        email="Minh.Tran@Example.vn",
        password="mountain lantern bamboo river",
        full_name="Trần Văn Minh",
        language=language,
    )


def _link(index: int = -1) -> str:
    match = LINK.search(str(mail.outbox[index].body))
    assert match is not None
    return match.group(1)


def test_a_new_account_gets_a_verification_email_in_its_language(
    django_capture_on_commit_callbacks: Commit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = _new_person()

    [message] = mail.outbox
    assert message.to == ["minh.tran@example.vn"]
    assert message.subject == "Xác nhận địa chỉ email của bạn cho Logitrack"
    assert "3 ngày" in message.body
    assert user.email_verified_at is None


def test_the_link_verifies_the_address_and_is_audited(
    client: HttpsClient, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = _new_person()

    response = client.get(_link())

    assert response.status_code == 200
    assert "địa chỉ email của bạn đã được xác nhận" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None
    [entry] = audit_of("authn_email_verified")
    assert entry.object_id == str(user.pk)


def test_opening_the_link_twice_is_harmless(
    client: HttpsClient, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _new_person()
    client.get(_link())

    again = client.get(_link())

    assert again.status_code == 200
    assert len(audit_of("authn_email_verified")) == 1


def test_a_forged_link_is_refused(client: HttpsClient) -> None:
    user = _new_person()

    response = client.get("/account/verify-email/eyJ1IjoxfQ:1tAbCd:forgedsignature/")

    assert response.status_code == 400
    assert "Liên kết xác nhận này không hợp lệ hoặc đã hết hạn" in response.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_link_older_than_3_days_is_refused(
    client: HttpsClient,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Commit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = _new_person()
    link = _link()
    three_days_later = time.time() + 3 * 24 * 60 * 60 + 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: three_days_later)

    response = client.get(link)

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_a_link_for_a_previous_address_is_refused(
    client: HttpsClient, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        user = _new_person()
    User.objects.filter(pk=user.pk).update(email="minh.new@example.vn")

    response = client.get(_link())

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_an_invited_person_can_be_created_already_verified() -> None:
    user = user_create(
        actor=Actor.system("invitations"),
        email="hoa@example.vn",
        password=None,
        full_name="Lê Thị Hoa",
        email_verified=True,
    )

    assert user.email_verified_at is not None
    assert not user.has_usable_password()
    assert mail.outbox == []


def test_a_signed_in_person_can_ask_for_a_new_link(
    client: HttpsClient, django_capture_on_commit_callbacks: Commit
) -> None:
    user = _new_person()
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/verify-email/resend/")

    assert response.status_code == 302
    assert len(mail.outbox) == 1
