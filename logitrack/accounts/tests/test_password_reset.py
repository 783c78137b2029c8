"""Password reset by a single-use link that expires after an hour; the request page never says
whether an account exists."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from logitrack.accounts import tokens
from logitrack.accounts.models import User, UserSession
from logitrack.accounts.tests.helpers import EMAIL, PASSWORD, Commit, audit_of, sign_in
from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "mountain lantern bamboo river"
LINK = re.compile(r"https://[^/\s]+(/account/reset/[^\s<\"]+/)")


def _request_link(client: HttpsClient, commit: Commit, email: str = EMAIL) -> str:
    with commit(execute=True):
        client.post("/account/password-reset/", {"email": email})
    [message] = mail.outbox
    match = LINK.search(str(message.body))
    assert match is not None
    return match.group(1)


def _main(html: bytes) -> bytes:
    """The page's content, without the per-response CSP nonce and CSRF token in its shell."""
    return html.split(b'<main id="content">', 1)[1].split(b"</main>", 1)[0]


def _choose(client: HttpsClient, link: str, password: str = NEW_PASSWORD) -> object:
    opened = client.get(link)
    assert opened.status_code == 302
    return client.post(opened["Location"], {"new_password1": password, "new_password2": password})


def test_asking_for_a_reset_sends_one_link_in_the_persons_language(
    client: HttpsClient, user: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password-reset/", {"email": EMAIL})

    assert response.status_code == 302
    assert response["Location"] == "/account/password-reset/sent/"
    [message] = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == "Đặt lại mật khẩu Logitrack của bạn"
    assert LINK.search(str(message.body)) is not None
    assert "60 phút" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html = message.alternatives[0]
    assert html[1] == "text/html"
    assert "Chọn mật khẩu mới" in str(html[0])
    [entry] = audit_of("authn_password_reset_request")
    assert entry.object_id == str(user.pk)


def test_an_english_speaker_gets_the_email_in_english(
    client: HttpsClient, django_capture_on_commit_callbacks: Commit
) -> None:
    User.objects.create_user(
        email="an@example.vn", password=PASSWORD, full_name="An", language="en"
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/password-reset/", {"email": "an@example.vn"})

    assert mail.outbox[0].subject == "Reset your Logitrack password"


def test_an_unknown_address_gets_the_same_answer_and_no_email(
    client: HttpsClient, user: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/account/password-reset/", {"email": EMAIL}, follow=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(
            "/account/password-reset/", {"email": "nobody@example.vn"}, follow=True
        )

    assert _main(unknown.content) == _main(known.content)
    assert unknown.status_code == known.status_code == 200
    assert mail.outbox == []
    assert [e.object_id for e in audit_of("authn_password_reset_request")] == [str(user.pk), ""]


def test_the_link_sets_a_new_password_and_ends_every_session(
    client: HttpsClient,
    other_client: HttpsClient,
    user: User,
    django_capture_on_commit_callbacks: Commit,
) -> None:
    link = _request_link(client, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = _choose(client, link)

    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == "/login/"  # type: ignore[index]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert UserSession.objects.count() == 0
    assert other_client.get("/account/").status_code == 302
    assert len(audit_of("authn_password_reset")) == 1
    assert mail.outbox[-1].subject == "Mật khẩu Logitrack của bạn đã được thay đổi"
    assert sign_in(HttpsClient(), password=NEW_PASSWORD).status_code == 302


def test_the_token_never_stays_in_the_address_bar(
    client: HttpsClient, user: User, django_capture_on_commit_callbacks: Commit
) -> None:
    link = _request_link(client, django_capture_on_commit_callbacks)
    token = link.rstrip("/").rsplit("/", 1)[1]

    opened = client.get(link)

    assert token not in opened["Location"]


def test_a_link_works_only_once(
    client: HttpsClient, user: User, django_capture_on_commit_callbacks: Commit
) -> None:
    link = _request_link(client, django_capture_on_commit_callbacks)
    _choose(client, link)
    user.refresh_from_db()
    hash_after_first_use = user.password

    second = HttpsClient().get(link)

    assert second.status_code == 400
    assert "Liên kết đặt lại mật khẩu này không hợp lệ hoặc đã hết hạn" in second.content.decode()
    user.refresh_from_db()
    assert user.password == hash_after_first_use


def test_signing_in_also_spends_an_unused_link(
    client: HttpsClient, user: User, django_capture_on_commit_callbacks: Commit
) -> None:
    link = _request_link(client, django_capture_on_commit_callbacks)

    sign_in(HttpsClient())

    assert HttpsClient().get(link).status_code == 400


def test_a_link_older_than_an_hour_is_refused(
    client: HttpsClient,
    user: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Commit,
) -> None:
    link = _request_link(client, django_capture_on_commit_callbacks)
    later = tokens.password_reset_tokens._now() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(tokens.PasswordResetTokens, "_now", lambda self: later)

    response = client.get(link)

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_forged_token_is_refused_and_audited(client: HttpsClient, user: User) -> None:
    uid = tokens.uid_for(user)

    response = client.get(f"/account/reset/{uid}/cz7k4v-0123456789abcdef0123456789abcdef/")

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    [entry] = audit_of("authn_password_reset_fail")
    assert entry.object_id == str(user.pk)
    assert entry.details == {"reason": "reset_link_invalid"}


def test_a_garbage_uid_is_refused(client: HttpsClient, user: User) -> None:
    response = client.get("/account/reset/!!!/cz7k4v-0123/")

    assert response.status_code == 400
    assert audit_of("authn_password_reset_fail")[0].object_id == ""


def test_the_password_page_without_a_checked_link_is_refused(
    client: HttpsClient, user: User
) -> None:
    uid = tokens.uid_for(user)

    response = client.post(
        f"/account/reset/{uid}/set-password/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_short_new_password_is_refused_and_the_link_still_works(
    client: HttpsClient, user: User, django_capture_on_commit_callbacks: Commit
) -> None:
    link = _request_link(client, django_capture_on_commit_callbacks)

    response = _choose(client, link, password="short pass")

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "Mật khẩu này quá ngắn" in response.content.decode()  # type: ignore[attr-defined]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert _choose(client, link).status_code == 302  # type: ignore[attr-defined]


def test_mismatched_passwords_change_nothing(
    client: HttpsClient, user: User, django_capture_on_commit_callbacks: Commit
) -> None:
    link = _request_link(client, django_capture_on_commit_callbacks)
    opened = client.get(link)

    response = client.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )

    assert response.status_code == 200
    assert "Hai mật khẩu không khớp." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_completing_a_reset_ends_the_sign_in_lockout_as_the_lockout_page_promises(
    client: HttpsClient, user: User, django_capture_on_commit_callbacks: Commit
) -> None:
    for n in range(5):
        sign_in(client, password=f"wrong password {n}")
    assert sign_in(client).status_code == 429
    link = _request_link(client, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        _choose(client, link)

    assert sign_in(client, password=NEW_PASSWORD).status_code == 302
