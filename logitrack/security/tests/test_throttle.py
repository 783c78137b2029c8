"""Rate limits (docs/adr/0012): each limit is exceeded here and must answer 429 with Retry-After.

Time is frozen in every test, so all attempts fall in one window of the fixed-window counters and
no test waits. The cache is the shipped database cache (each test's rows roll back with it);
test_throttle_redis.py repeats the essentials on Redis.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from logitrack.accounts.models import User
from logitrack.core.testing import HttpsClient
from logitrack.security.throttle import DEFAULT_RATES, account_key
from logitrack.tenancy.models import Invitation
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import (
    GOOD_PASSWORD,
    bearer,
    make_member,
    make_tenant,
    principal_for,
)

EMAIL = "lan.nguyen@example.vn"
PASSWORD = "correct horse battery staple"


def limit_of(name: str) -> int:
    return int(DEFAULT_RATES[name].split("/")[0])


def ip(n: int) -> str:
    return f"198.51.100.{n % 250 + 1}" if n < 250 else f"203.0.113.{n % 250 + 1}"


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with freeze_time("2026-11-29 10:00:00"):
        yield


@pytest.fixture(autouse=True)
def _empty_outbox() -> None:
    mail.outbox.clear()


@pytest.fixture
def person(db: Any) -> User:
    return User.objects.create_user(
        email=EMAIL, password=PASSWORD, full_name="Nguyễn Thị Lan", email_verified_at=timezone.now()
    )


def assert_throttled_page(response: Any) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.templates[0].name == "security/rate_limited.html"


def reset(client: HttpsClient, email: str, n: int) -> Any:
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip(n))


# --- password reset ----------------------------------------------------------------------------


def test_forty_reset_requests_for_one_inbox_send_only_the_accounts_budget_of_mails(
    client: HttpsClient, person: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answers = [reset(client, EMAIL, n).status_code for n in range(40)]

    budget = limit_of("password_reset.account")
    assert answers == [302] * budget + [429] * (40 - budget)
    assert len(mail.outbox) == budget


def test_spellings_of_one_address_share_its_reset_budget(client: HttpsClient, person: User) -> None:
    spellings = ["lan.nguyen@example.vn", "LAN.NGUYEN@EXAMPLE.VN", " Lan.Nguyen@Example.vn"]
    for n, spelling in enumerate(spellings):
        assert reset(client, spelling, n).status_code == 302

    assert_throttled_page(reset(client, "lan.nguyen@EXAMPLE.vn", 9))
    fullwidth = "\uff2c\uff21\uff2e.nguyen@example.vn"  # "ＬＡＮ" typed in fullwidth  # noqa: RUF003
    assert account_key(fullwidth) == account_key("lan.nguyen@example.vn")


def test_reset_requests_from_one_address_are_limited_whatever_the_account(
    client: HttpsClient, db: Any
) -> None:
    budget = limit_of("password_reset.ip")
    for n in range(budget):
        response = client.post(
            reverse("accounts:password_reset"), {"email": f"p{n}@example.vn"}, REMOTE_ADDR=ip(1)
        )
        assert response.status_code == 302

    refused = client.post(
        reverse("accounts:password_reset"), {"email": "last@example.vn"}, REMOTE_ADDR=ip(1)
    )
    other_address = client.post(
        reverse("accounts:password_reset"), {"email": "last@example.vn"}, REMOTE_ADDR=ip(2)
    )

    assert_throttled_page(refused)
    assert other_address.status_code == 302


def test_a_throttled_json_client_gets_the_stable_code_and_retry_after(
    client: HttpsClient, person: User
) -> None:
    for n in range(limit_of("password_reset.account")):
        reset(client, EMAIL, n)

    response = client.post(
        reverse("accounts:password_reset"),
        {"email": EMAIL},
        REMOTE_ADDR=ip(99),
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 0 < int(response["Retry-After"]) <= 3600 + 5


# --- sign-in -----------------------------------------------------------------------------------


def sign_in(client: HttpsClient, email: str, password: str, n: int) -> Any:
    return client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=ip(n))


def test_sign_in_attempts_from_one_address_are_limited_across_accounts(
    client: HttpsClient, db: Any
) -> None:
    budget = limit_of("signin.ip")
    answers = [
        sign_in(client, f"guess{n}@example.vn", "wrong password!", 1).status_code
        for n in range(budget)
    ]

    assert answers == [200] * budget
    assert_throttled_page(sign_in(client, "guess@example.vn", "wrong password!", 1))
    assert sign_in(client, "guess@example.vn", "wrong password!", 2).status_code == 200


def test_past_the_accounts_failure_ceiling_only_known_addresses_may_sign_in(
    client: HttpsClient, person: User
) -> None:
    # The owner signed in once from home (address 0).
    assert sign_in(HttpsClient(), EMAIL, PASSWORD, 0).status_code == 302
    # An attacker spreads guesses over many addresses, below django-axes' per-pair lockout.
    for n in range(1, limit_of("signin.account_failures") + 1):
        assert sign_in(client, EMAIL, "wrong password!", n).status_code == 200

    stranger = sign_in(HttpsClient(), EMAIL, PASSWORD, 200)
    owner_at_home = sign_in(HttpsClient(), EMAIL, PASSWORD, 0)

    assert_throttled_page(stranger)
    assert owner_at_home.status_code == 302


@pytest.mark.parametrize("edge", ["\u2028", "\u2029", "\u1680", "\u3000", "\u00a0 \u2028"])
def test_a_spelling_with_unicode_space_at_its_end_shares_the_accounts_ceiling(
    client: HttpsClient, person: User, edge: str
) -> None:
    for n in range(1, limit_of("signin.account_failures") + 1):
        sign_in(client, EMAIL, "wrong password!", n)

    # The form reads "lan@…\u2028" as the account: the ceiling must count it as that account.
    assert_throttled_page(sign_in(HttpsClient(), EMAIL + edge, PASSWORD, 201))
    assert account_key(EMAIL + edge) == account_key(EMAIL)


@pytest.mark.parametrize("edge", ["\u2028", "\u2029\u1680", " \u2028 "])
def test_a_spelling_with_unicode_space_at_its_end_shares_the_reset_budget(
    client: HttpsClient, person: User, edge: str, django_capture_on_commit_callbacks: Any
) -> None:
    budget = limit_of("password_reset.account")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(budget):
            reset(client, EMAIL, n)
        assert_throttled_page(reset(client, EMAIL + edge, 100))

    assert len(mail.outbox) == budget


def test_below_the_ceiling_a_new_address_signs_in(client: HttpsClient, person: User) -> None:
    for n in range(1, limit_of("signin.account_failures")):
        sign_in(client, EMAIL, "wrong password!", n)

    assert sign_in(HttpsClient(), EMAIL, PASSWORD, 200).status_code == 302


def test_completing_a_password_reset_makes_the_address_known(
    client: HttpsClient, person: User, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(1, limit_of("signin.account_failures") + 1):
        sign_in(client, EMAIL, "wrong password!", n)
    browser = HttpsClient()
    with django_capture_on_commit_callbacks(execute=True):
        reset(browser, EMAIL, 200)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/account/reset/" in line)
    path = link.strip().split("localhost:8443", 1)[1]
    page = browser.get(path, REMOTE_ADDR=ip(200))
    new = "a brand new passphrase 7"
    form = {"new_password1": new, "new_password2": new}
    browser.post(page["Location"], form, REMOTE_ADDR=ip(200))

    assert sign_in(HttpsClient(), EMAIL, new, 200).status_code == 302
    assert_throttled_page(sign_in(HttpsClient(), EMAIL, new, 201))


# --- sign-up -----------------------------------------------------------------------------------


def signup(client: HttpsClient, email: str, n: int) -> Any:
    # An incomplete form: the limit counts the attempt before the form is read.
    return client.post(reverse("tenancy:signup"), {"email": email}, REMOTE_ADDR=ip(n))


def test_sign_ups_for_one_address_are_limited(client: HttpsClient, db: Any) -> None:
    budget = limit_of("signup.account")
    for n in range(budget):
        assert signup(client, "bich@songhan.vn", n).status_code == 400

    assert_throttled_page(signup(client, "BICH@songhan.vn", 50))
    assert signup(client, "other@songhan.vn", 51).status_code == 400


def test_sign_ups_from_one_address_are_limited(client: HttpsClient, db: Any) -> None:
    for n in range(limit_of("signup.ip")):
        assert signup(client, f"p{n}@songhan.vn", 1).status_code == 400

    assert_throttled_page(signup(client, "last@songhan.vn", 1))


def test_reloading_the_communes_without_javascript_is_not_counted(
    client: HttpsClient, db: Any
) -> None:
    for _ in range(limit_of("signup.ip") + 2):
        response = client.post(
            reverse("tenancy:signup"), {"action": "wards", "province_code": "79"}, REMOTE_ADDR=ip(1)
        )
        assert response.status_code == 200


# --- verification resend -----------------------------------------------------------------------


def test_verification_resends_are_limited_per_account(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.create_user(email=EMAIL, password=PASSWORD, full_name="Nguyễn Thị Lan")
    budget = limit_of("verification_resend.account")
    answers = []
    for n in range(budget + 1):
        browser = HttpsClient()
        assert sign_in(browser, EMAIL, PASSWORD, 100 + n).status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            response = browser.post(reverse("accounts:verify_email_resend"), REMOTE_ADDR=ip(n))
        answers.append(response.status_code)

    assert answers == [302] * budget + [429]
    assert len(mail.outbox) == budget


def test_verification_resends_are_limited_per_address(db: Any) -> None:
    budget = limit_of("verification_resend.ip")
    answers = []
    for n in range(budget + 1):
        email = f"p{n}@example.vn"
        User.objects.create_user(email=email, password=PASSWORD, full_name="Nguyễn Thị Lan")
        browser = HttpsClient()
        assert sign_in(browser, email, PASSWORD, 100 + n).status_code == 302
        answers.append(
            browser.post(reverse("accounts:verify_email_resend"), REMOTE_ADDR=ip(1)).status_code
        )

    assert answers == [302] * budget + [429]


# --- invitation acceptance ---------------------------------------------------------------------


def _invitation(email: str) -> str:
    from logitrack.core.tenant import tenant_context
    from logitrack.tenancy.services import membership_invite

    tenant = make_tenant()
    owner = make_member(tenant, Role.OWNER)
    with tenant_context(tenant):
        return membership_invite(
            principal=principal_for(owner), email=email, role=Role.DISPATCHER
        ).token


def accept(client: HttpsClient, token: str, n: int) -> Any:
    # Under 12 characters: the password is refused, the invitation stays open.
    data = {"full_name": "Lan", "password": "short", "date_of_birth": "1995-04-30"}
    url = reverse("tenancy:invitation-accept", kwargs={"token": token})
    return client.post(url, data, REMOTE_ADDR=ip(n))


def test_invitation_acceptance_is_limited_per_invitee(client: HttpsClient, db: Any) -> None:
    token = _invitation("moi@example.vn")
    for n in range(limit_of("invitation_accept.account")):
        assert accept(client, token, n).status_code == 400

    assert_throttled_page(accept(client, token, 99))
    assert Invitation.dangerously_unscoped.filter(accepted_at__isnull=True).count() == 1


def test_invitation_acceptance_is_limited_per_address_even_with_unknown_tokens(
    client: HttpsClient, db: Any
) -> None:
    for n in range(limit_of("invitation_accept.ip")):
        assert accept(client, f"not-a-token-{n}", 1).status_code == 404

    assert_throttled_page(accept(client, "not-a-token", 1))


# --- bearer tokens -----------------------------------------------------------------------------


def test_repeated_invalid_api_keys_from_one_address_are_throttled(
    client: HttpsClient, db: Any
) -> None:
    from logitrack.tenancy.roles import Permission
    from logitrack.tenancy.tests.factories import make_api_key

    owner = make_member(make_tenant(), Role.OWNER)
    good = make_api_key(owner, {Permission.TENANT_VIEW}).token
    budget = limit_of("api_key_failures.ip")
    for n in range(budget):
        response = client.get("/api/v1/tenant", headers=bearer(f"lt_wrong{n}"), REMOTE_ADDR=ip(1))
        assert response.status_code == 401

    refused = client.get("/api/v1/tenant", headers=bearer("lt_wrong"), REMOTE_ADDR=ip(1))
    good_from_there = client.get("/api/v1/tenant", headers=bearer(good), REMOTE_ADDR=ip(1))
    good_elsewhere = client.get("/api/v1/tenant", headers=bearer(good), REMOTE_ADDR=ip(2))

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert good_from_there.status_code == 429
    assert good_elsewhere.status_code == 200


def test_valid_api_keys_are_never_counted(client: HttpsClient, db: Any) -> None:
    from logitrack.tenancy.roles import Permission
    from logitrack.tenancy.tests.factories import make_api_key

    owner = make_member(make_tenant(), Role.OWNER)
    good = make_api_key(owner, {Permission.TENANT_VIEW}).token
    for _ in range(limit_of("api_key_failures.ip") + 2):
        response = client.get("/api/v1/tenant", headers=bearer(good), REMOTE_ADDR=ip(1))
        assert response.status_code == 200


def test_checking_the_bearer_budget_reads_one_cache_key_and_writes_nothing(
    client: HttpsClient, db: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from logitrack.tenancy.roles import Permission
    from logitrack.tenancy.tests.factories import make_api_key

    owner = make_member(make_tenant(), Role.OWNER)
    good = make_api_key(owner, {Permission.TENANT_VIEW}).token
    client.get("/api/v1/tenant", headers=bearer(good), REMOTE_ADDR=ip(1))  # last_used_at set
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/tenant", headers=bearer(good), REMOTE_ADDR=ip(1))

    assert response.status_code == 200
    cache_sql = [q["sql"] for q in queries.captured_queries if "logitrack_cache" in q["sql"]]
    assert len(cache_sql) == 1
    assert cache_sql[0].lstrip().upper().startswith("SELECT")
    assert "COUNT(" not in cache_sql[0].upper()


def test_the_spent_bearer_budget_retries_within_its_window(client: HttpsClient, db: Any) -> None:
    for n in range(limit_of("api_key_failures.ip")):
        client.get("/api/v1/tenant", headers=bearer(f"lt_wrong{n}"), REMOTE_ADDR=ip(3))

    refused = client.get("/api/v1/tenant", headers=bearer("lt_wrong"), REMOTE_ADDR=ip(3))

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 600  # api_key_failures.ip is 20/10m


def test_ipv6_clients_are_counted_per_64_network(client: HttpsClient, db: Any) -> None:
    for n in range(limit_of("password_reset.ip")):
        response = client.post(
            reverse("accounts:password_reset"),
            {"email": f"p{n}@example.vn"},
            REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}",
        )
        assert response.status_code == 302

    same_network = client.post(
        reverse("accounts:password_reset"),
        {"email": "last@example.vn"},
        REMOTE_ADDR="2001:db8:1:2:ffff::1",
    )

    assert_throttled_page(same_network)


assert GOOD_PASSWORD  # the factories' password, used by make_member's accounts


# --- sign-up with a taken address --------------------------------------------------------------


def _signup_form(email: str, tax_seed: int) -> dict[str, str]:
    from logitrack.tenancy.tests.factories import valid_tax_code
    from logitrack.tenancy.tests.test_signup import page_data

    return {k: str(v) for k, v in page_data(email=email, tax_code=valid_tax_code(tax_seed)).items()}


def _without_csrf(body: bytes) -> bytes:
    import re

    # The CSRF token and the CSP nonce are random in every response, whoever asks.
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)
    return re.sub(rb'nonce="[^"]*"', b"", body)


def test_signing_up_with_a_taken_address_answers_exactly_like_a_new_sign_up(
    person: User, django_capture_on_commit_callbacks: Any
) -> None:
    new_browser, taken_browser = HttpsClient(), HttpsClient()
    with django_capture_on_commit_callbacks(execute=True):
        new = new_browser.post(
            reverse("tenancy:signup"), _signup_form("bich@songhan.vn", 11), follow=True
        )
        taken = taken_browser.post(
            reverse("tenancy:signup"), _signup_form("LAN.nguyen@example.vn", 12), follow=True
        )

    assert new.redirect_chain == taken.redirect_chain == [(reverse("tenancy:signup-sent"), 302)]
    assert new.status_code == taken.status_code == 200
    assert [t.name for t in new.templates] == [t.name for t in taken.templates]
    assert _without_csrf(new.content) == _without_csrf(taken.content)
    assert set(new_browser.cookies) == set(taken_browser.cookies)
    assert sorted(m.to[0] for m in mail.outbox) == ["bich@songhan.vn", EMAIL]
    to_owner = next(m for m in mail.outbox if m.to == [EMAIL])
    assert "/account/password-reset/" in to_owner.body
    assert "/login/" in to_owner.body
    assert User.objects.filter(email=EMAIL).count() == 1


# --- the same limits on the API ----------------------------------------------------------------


def test_api_sign_ups_for_one_address_are_limited_with_the_stable_code(
    client: HttpsClient, db: Any
) -> None:
    import json

    from logitrack.tenancy.tests.test_signup import api_data

    def post(n: int) -> Any:
        # A well-formed body that the service refuses (password too short): counted, no account.
        body = api_data(owner_email="Bich@songhan.vn", owner_password="12345678")
        return client.post(
            "/api/v1/signup", json.dumps(body), content_type="application/json", REMOTE_ADDR=ip(n)
        )

    answers = [post(n).status_code for n in range(limit_of("signup.account") + 1)]

    assert answers[:-1] == [422] * limit_of("signup.account")
    assert answers[-1] == 429


def test_api_invitation_acceptance_is_limited_per_address(client: HttpsClient, db: Any) -> None:
    import json

    def post(token: str) -> Any:
        return client.post(
            "/api/v1/invitations/accept",
            json.dumps({"token": token}),
            content_type="application/json",
            REMOTE_ADDR=ip(1),
        )

    answers = [post(f"unknown-{n}").status_code for n in range(limit_of("invitation_accept.ip"))]
    refused = post("unknown")

    assert 429 not in answers
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"


# --- configuration -----------------------------------------------------------------------------


def test_a_deployment_can_change_a_limit(client: HttpsClient, person: User, settings: Any) -> None:
    settings.LOGITRACK_RATE_LIMITS = {"password_reset.account": "1/h"}

    first, second = reset(client, EMAIL, 1), reset(client, EMAIL, 2)

    assert first.status_code == 302
    assert_throttled_page(second)


def test_a_mistyped_limit_stops_the_system_checks(settings: Any) -> None:
    from logitrack.security.throttle import rate_limits_check

    settings.LOGITRACK_RATE_LIMITS = {"signin.ip": "lots", "sign_in.ip": "5/h"}

    assert sorted(message.msg for message in rate_limits_check()) == [
        "LOGITRACK_RATE_LIMITS: signin.ip: 'lots' is not <count>/<period> (e.g. 5/h, 30/10m)",
        "LOGITRACK_RATE_LIMITS: unknown limit 'sign_in.ip'",
    ]
    settings.LOGITRACK_RATE_LIMITS = {"signin.ip": "60/10m"}
    assert rate_limits_check() == []
