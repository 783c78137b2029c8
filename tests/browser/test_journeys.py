"""Every journey a person does, in Debian's chromium against the real HTTPS server.

Sign-up, e-mail verification, sign-in, the lockout page, password reset, invitations accepted
with a new and with an existing account, the language surviving sign-out and sign-in, API key
creation and ending another session. Links come from the e-mails in the server's outbox, which
is polled (sending happens after the response). Each journey has its own people and addresses.
"""

from __future__ import annotations

from collections.abc import Iterator

import _server  # bench/_server.py, put on sys.path by conftest.py
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from .conftest import Owner
from .journeys import (
    NEW_PASSWORD,
    PASSWORD,
    desktop_context,
    goto,
    sign_in,
    sign_out,
    sign_up,
    unique_email,
    wait_for_mail,
)

pytestmark = pytest.mark.browser

CALL_WITH_KEY = """async ({url, token}) => {
  const response = await fetch(url, {
    credentials: "omit", headers: {Authorization: `Bearer ${token}`},
  });
  return {status: response.status, body: await response.json()};
}"""
LOCKOUT_FAILURES = 5  # AXES_FAILURE_LIMIT: failures per (e-mail, IP) that lock the pair


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = desktop_context(browser)
    yield context
    context.close()


def _fresh_page(browser: Browser) -> tuple[BrowserContext, Page]:
    """Another browser (as when a link is opened from the mail client on another device)."""
    context = desktop_context(browser)
    return context, context.new_page()


def _lang(page: Page) -> str | None:
    return page.locator("html").get_attribute("lang")


def _invite(page: Page, base: str, email_address: str, role: str = "dispatcher") -> None:
    goto(page, f"{base}/company/members/invite/")
    page.fill("#id_email", email_address)
    page.select_option("#id_role", role)
    with page.expect_navigation() as navigation:
        page.locator("main form[action='/company/members/invite/'] button[type=submit]").click()
    response = navigation.value
    assert response is not None
    assert response.ok, response.status
    assert page.url == f"{base}/company/members/"


def _accept_as_new_person(browser: Browser, base: str, link: str, name: str) -> Page:
    _context, page = _fresh_page(browser)  # closed by the caller, through page.context
    response = goto(page, link)
    assert response.headers["referrer-policy"] == "same-origin"
    page.fill("#id_full_name", name)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_date_of_birth", "1994-02-11")
    page.check("#id_privacy_consent")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    final = navigation.value
    assert final is not None
    assert final.status == 200, f"accepting answered {final.status}"
    assert page.url == f"{base}/company/"
    return page


def _invited_person(browser: Browser, server: _server.RunningServer, owner: Owner, tag: str) -> str:
    """A person who joined ``owner``'s company by invitation: their address."""
    address = unique_email(tag)
    context = desktop_context(browser)
    try:
        page = context.new_page()
        sign_in(page, server.https_url, owner.email)
        _invite(page, server.https_url, address)
    finally:
        context.close()
    link = wait_for_mail(server.data_dir, address, containing="/invitations/").link_to(
        "/invitations/"
    )
    page = _accept_as_new_person(browser, server.https_url, link, "Trần Thị Mai")
    page.context.close()
    return address


# --- sign-up, verification, sign-in ------------------------------------------------------------


def test_sign_up_verify_the_address_and_sign_in_to_the_start_page(
    browser: Browser, context: BrowserContext, logitrack_server: _server.RunningServer
) -> None:
    base = logitrack_server.https_url
    page = context.new_page()
    address = unique_email("signup")

    response = sign_up(
        page, base, email_address=address, company="Công ty TNHH Cao Bằng Xanh", name="Lê Thị Hoa"
    )
    assert response.ok, f"sign-up answered {response.status}"
    mail = wait_for_mail(logitrack_server.data_dir, address, containing="/verify-email/")
    link = mail.link_to("/account/verify-email/")
    assert link.startswith(f"{base}/account/verify-email/"), link

    mail_client, opened = _fresh_page(browser)
    try:
        verified = goto(opened, link)
        assert verified.headers["referrer-policy"] == "same-origin"
        assert opened.locator("main .alert-info").count() == 1
        assert opened.locator("main .alert-error").count() == 0

        signed_in = sign_in(opened, base, address)
        assert signed_in.ok
        assert opened.url == f"{base}/"
        assert opened.locator("[data-start-page]").count() == 1
        assert opened.get_by_text("Công ty TNHH Cao Bằng Xanh").count() >= 1
        # The verified address no longer asks to be confirmed.
        assert opened.locator("a[href='/account/']", has_text="email").count() == 0
    finally:
        mail_client.close()


def test_the_lockout_page_after_five_wrong_passwords(
    browser: Browser,
    context: BrowserContext,
    logitrack_server: _server.RunningServer,
    owner: Owner,
) -> None:
    base = logitrack_server.https_url
    address = _invited_person(browser, logitrack_server, owner, "lockout")
    page = context.new_page()

    statuses = [
        sign_in(page, base, address, f"sai mật khẩu số {n}").status
        for n in range(1, LOCKOUT_FAILURES + 1)
    ]
    assert statuses == [200] * (LOCKOUT_FAILURES - 1) + [429]
    assert page.locator("main .status").inner_text() == "429"
    assert page.locator("main a[href='/account/password-reset/']").is_visible()
    # Locked: even the right password is refused from this address for now.
    assert sign_in(page, base, address, PASSWORD).status == 429


def test_password_reset_through_the_emailed_link(
    browser: Browser,
    context: BrowserContext,
    logitrack_server: _server.RunningServer,
    owner: Owner,
) -> None:
    base = logitrack_server.https_url
    address = _invited_person(browser, logitrack_server, owner, "reset")
    page = context.new_page()

    goto(page, f"{base}/account/password-reset/")
    page.fill("#id_email", address)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == f"{base}/account/password-reset/sent/"
    mail = wait_for_mail(logitrack_server.data_dir, address, containing="/account/reset/")
    link = mail.link_to("/account/reset/")
    assert link.startswith(f"{base}/account/reset/"), link

    mail_client, opened = _fresh_page(browser)
    try:
        goto(opened, link)
        assert opened.url.endswith("/set-password/"), "the token must leave the address bar"
        opened.fill("#id_new_password1", NEW_PASSWORD)
        opened.fill("#id_new_password2", NEW_PASSWORD)
        with opened.expect_navigation() as navigation:
            opened.locator("main form button[type=submit]").click()
        assert navigation.value is not None
        assert navigation.value.ok
        assert opened.url == f"{base}/login/"

        assert sign_in(opened, base, address, NEW_PASSWORD).ok
        assert opened.url == f"{base}/"
        assert opened.locator("[data-start-page]").count() == 1
    finally:
        mail_client.close()


# --- invitations -------------------------------------------------------------------------------


def test_an_invitation_is_sent_and_accepted_with_a_new_account(
    browser: Browser,
    context: BrowserContext,
    logitrack_server: _server.RunningServer,
    owner: Owner,
) -> None:
    base = logitrack_server.https_url
    address = unique_email("invitee")
    page = context.new_page()
    sign_in(page, base, owner.email)

    _invite(page, base, address)

    assert page.get_by_text(address).count() >= 1  # listed among pending invitations
    mail = wait_for_mail(logitrack_server.data_dir, address, containing="/invitations/")
    link = mail.link_to("/invitations/")
    assert link.startswith(f"{base}/invitations/"), link
    # The language form on the invitation page posts too (the token page's other form).
    mail_client, opened = _fresh_page(browser)
    try:
        goto(opened, link)
        with opened.expect_navigation():
            opened.select_option("#language-select", "en")
        assert _lang(opened) == "en"
        assert opened.url == link
    finally:
        mail_client.close()
    joined = _accept_as_new_person(browser, base, link, "Phạm Quốc Dũng")
    try:
        assert joined.get_by_text(owner.company).count() >= 1
    finally:
        joined.context.close()


def test_an_invitation_is_accepted_by_someone_with_an_account(
    browser: Browser,
    context: BrowserContext,
    logitrack_server: _server.RunningServer,
    owner: Owner,
    other_owner: Owner,
) -> None:
    base = logitrack_server.https_url
    page = context.new_page()
    sign_in(page, base, owner.email)
    _invite(page, base, other_owner.email, role="viewer")
    mail = wait_for_mail(logitrack_server.data_dir, other_owner.email, containing="/invitations/")
    link = mail.link_to("/invitations/")

    mail_client, opened = _fresh_page(browser)
    try:
        goto(opened, link)
        with opened.expect_navigation():
            opened.locator("main a[href^='/login/?next=']").click()
        signed_in = opened.locator("#id_username")
        signed_in.fill(other_owner.email)
        opened.fill("#id_password", PASSWORD)
        with opened.expect_navigation():
            opened.locator("main form button[type=submit]").click()
        assert opened.url == link, "signing in returns to the invitation"
        with opened.expect_navigation() as navigation:
            opened.locator("main form button[type=submit]").click()
        accepted = navigation.value
        assert accepted is not None
        assert accepted.status == 200, accepted.status
        assert opened.url == f"{base}/company/"
        assert opened.get_by_text(owner.company).count() >= 1
    finally:
        mail_client.close()


# --- language, API keys, sessions --------------------------------------------------------------


def test_the_chosen_language_survives_signing_out_and_in(
    browser: Browser,
    context: BrowserContext,
    logitrack_server: _server.RunningServer,
    owner: Owner,
) -> None:
    base = logitrack_server.https_url
    address = _invited_person(browser, logitrack_server, owner, "language")
    page = context.new_page()
    sign_in(page, base, address)
    assert _lang(page) == "vi"

    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert _lang(page) == "en"
    sign_out(page)

    # Another browser, without the language cookie: only the profile can remember.
    other, fresh = _fresh_page(browser)
    try:
        goto(fresh, f"{base}/login/")
        assert _lang(fresh) == "vi"
        sign_in(fresh, base, address)
        assert _lang(fresh) == "en"
        goto(fresh, f"{base}/account/")
        assert fresh.locator("#id_language").input_value() == "en"
    finally:
        other.close()


def test_an_api_key_is_created_and_works_once_shown(
    context: BrowserContext, logitrack_server: _server.RunningServer, owner: Owner
) -> None:
    base = logitrack_server.https_url
    page = context.new_page()
    sign_in(page, base, owner.email)
    goto(page, f"{base}/company/api-keys/")

    page.fill("#id_name", "Website cửa hàng")
    for box in page.locator("input[name=permissions]").all():
        box.check()
    with page.expect_navigation() as navigation:
        page.locator("main form[action='/company/api-keys/new/'] button[type=submit]").click()
    created = navigation.value
    assert created is not None
    assert created.status == 201, created.status
    token = page.locator("#new-api-key").input_value()
    assert len(token) > 30

    # The key works on its own: chromium calls the API with it and without any cookie.
    answer = page.evaluate(CALL_WITH_KEY, {"url": f"{base}/api/v1/tenant", "token": token})
    assert answer["status"] == 200, answer
    assert answer["body"]["name"] == owner.company
    refused = page.evaluate(CALL_WITH_KEY, {"url": f"{base}/api/v1/tenant", "token": token + "x"})
    assert refused["status"] == 401, refused


def test_a_person_ends_their_session_on_another_device(
    browser: Browser,
    logitrack_server: _server.RunningServer,
    owner: Owner,
) -> None:
    base = logitrack_server.https_url
    address = _invited_person(browser, logitrack_server, owner, "sessions")
    laptop, laptop_page = _fresh_page(browser)
    phone, phone_page = _fresh_page(browser)
    try:
        sign_in(laptop_page, base, address)
        sign_in(phone_page, base, address)
        goto(laptop_page, f"{base}/account/sessions/")
        # The laptop, the phone and the browser that accepted the invitation.
        assert laptop_page.locator(".session-item").count() == 3
        assert laptop_page.locator(".session-current").count() == 1
        while laptop_page.locator(".session-item:not(.session-current)").count():
            other_session = laptop_page.locator(".session-item:not(.session-current) form button")
            with laptop_page.expect_navigation() as navigation:
                other_session.first.click()
            assert navigation.value is not None
            assert navigation.value.ok
        assert laptop_page.locator(".session-item").count() == 1

        phone_page.goto(f"{base}/account/")
        assert phone_page.url.startswith(f"{base}/login/"), phone_page.url
        goto(laptop_page, f"{base}/account/")
        assert laptop_page.url == f"{base}/account/"
    finally:
        laptop.close()
        phone.close()
