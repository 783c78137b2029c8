"""One account per address, whatever its spelling: sign-in, lockout, reset and the data migration.

The lookup and the lockout key both use ``canonical_email``, so they agree on SQLite and on
PostgreSQL alike (before, PostgreSQL's ``UPPER()`` matched dotless-i and long-s spellings that the
``str.lower()`` lockout key counted separately).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.auth import SESSION_KEY, authenticate
from django.core import mail
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from logitrack.accounts.errors import EmailTaken, InvalidEmail
from logitrack.accounts.lockout import lockout_username
from logitrack.accounts.models import User
from logitrack.accounts.services import password_reset_request, user_create
from logitrack.accounts.tests.helpers import HOME_IP, OTHER_IP, PASSWORD, Commit, audit_of
from logitrack.accounts.tests.helpers import sign_in as sign_in_as
from logitrack.core.testing import HttpsClient
from logitrack.security.actors import Actor

pytestmark = pytest.mark.django_db

ADDRESS = "minh.sang@logistics.vn"
LONG_S = "\u017f"
DOTLESS_I = "\u0131"
LONG_S_SPELLING = f"minh.{LONG_S}ang@logi{LONG_S}tics.vn"
FULLWIDTH_SPELLING = "".join(chr(ord(c) + 0xFEE0) for c in ADDRESS)  # U+FF01 to U+FF5E
IDEOGRAPHIC_SPELLING = "minh.sang@logistics\u3002vn"
DOTLESS_LOCAL = f"m{DOTLESS_I}nh.sang@logistics.vn"
DOTLESS_DOMAIN = f"minh.sang@log{DOTLESS_I}stics.vn"


@pytest.fixture
def person(db: Any) -> User:
    return User.objects.create_user(
        email=ADDRESS,
        password=PASSWORD,
        full_name="Phạm Minh Sáng",
        email_verified_at=timezone.now(),
    )


def sign_in(
    client: HttpsClient, email: str = ADDRESS, password: str = PASSWORD, ip: str = HOME_IP
) -> Any:
    return sign_in_as(client, email=email, password=password, ip=ip)


def _attempts() -> dict[str, int]:
    return dict(AccessAttempt.objects.values_list("username", "failures_since_start"))


# --- sign-in -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [ADDRESS.upper(), LONG_S_SPELLING, FULLWIDTH_SPELLING, IDEOGRAPHIC_SPELLING],
    ids=["upper", "long-s", "fullwidth", "ideographic-dot"],
)
def test_every_spelling_of_the_address_signs_in_to_the_one_account(
    client: HttpsClient, person: User, spelling: str
) -> None:
    response = sign_in(client, email=spelling)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(person.pk)


def test_failures_under_every_spelling_share_one_lockout_counter(
    client: HttpsClient, person: User
) -> None:
    spellings = [
        ADDRESS,
        ADDRESS.upper(),
        LONG_S_SPELLING,
        FULLWIDTH_SPELLING,
        IDEOGRAPHIC_SPELLING,
    ]
    failures = [
        sign_in(client, email=spelling, password=f"wrong password {n}")
        for n, spelling in enumerate(spellings)
    ]
    counted = _attempts()

    after = sign_in(client, email=LONG_S_SPELLING)  # the right password, another spelling

    assert [r.status_code for r in failures] == [200, 200, 200, 200, 429]
    assert counted == {ADDRESS: 5}
    assert after.status_code == 429
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("spelling", "status"),
    [
        (ADDRESS.upper(), 429),
        (LONG_S_SPELLING, 429),
        (FULLWIDTH_SPELLING, 429),
        (DOTLESS_LOCAL, 200),  # not an address: a field error
        (DOTLESS_DOMAIN, 200),  # another address, unknown: a failed sign-in
    ],
    ids=["upper", "long-s", "fullwidth", "dotless-i-local", "dotless-i-domain"],
)
def test_no_spelling_signs_in_from_a_locked_address(
    client: HttpsClient, person: User, spelling: str, status: int
) -> None:
    for n in range(5):
        sign_in(client, password=f"wrong password {n}")

    response = sign_in(client, email=spelling)  # the right password

    assert response.status_code == status
    assert SESSION_KEY not in client.session
    assert sign_in(client).status_code == 429


def test_a_dotless_i_in_the_local_part_is_no_address_and_signs_in_to_nobody(
    client: HttpsClient, person: User
) -> None:
    response = sign_in(client, email=DOTLESS_LOCAL)

    assert response.status_code == 200
    assert "Hãy nhập một địa chỉ email hợp lệ." in response.content.decode()
    assert SESSION_KEY not in client.session
    assert _attempts() == {}


def test_a_dotless_i_in_the_domain_is_another_address_with_its_own_counter(
    client: HttpsClient, person: User
) -> None:
    responses = [sign_in(client, email=DOTLESS_DOMAIN) for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert SESSION_KEY not in client.session
    assert _attempts() == {DOTLESS_DOMAIN: 3}
    assert sign_in(client).status_code == 302


def test_the_a_label_spelling_of_an_idn_address_signs_in_to_its_account(
    client: HttpsClient,
) -> None:
    person = User.objects.create_user(email="LAN@CÔNGTY.VN", password=PASSWORD, full_name="Lan")

    response = sign_in(client, email="lan@xn--cngty-6ta.vn", ip=OTHER_IP)

    assert person.email == "lan@côngty.vn"
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(person.pk)


def test_a_failed_sign_in_under_another_spelling_is_audited_against_the_account(
    client: HttpsClient, person: User
) -> None:
    sign_in(client, email=FULLWIDTH_SPELLING, password="wrong password")
    sign_in(client, email=DOTLESS_DOMAIN, password="wrong password")

    assert [entry.object_id for entry in audit_of("authn_login_fail")] == [str(person.pk), ""]


def test_the_natural_key_of_a_non_address_is_an_unknown_account(person: User) -> None:
    assert User.objects.get_by_natural_key(FULLWIDTH_SPELLING) == person
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key(DOTLESS_LOCAL)
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key(None)


# --- uniqueness --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [ADDRESS.title(), LONG_S_SPELLING, FULLWIDTH_SPELLING, IDEOGRAPHIC_SPELLING],
    ids=["title", "long-s", "fullwidth", "ideographic-dot"],
)
def test_another_spelling_of_a_taken_address_creates_no_second_account(
    person: User, spelling: str
) -> None:
    with pytest.raises(EmailTaken):
        user_create(actor=Actor.anonymous(), email=spelling, password=PASSWORD, full_name="X")

    assert list(User.objects.values_list("email", flat=True)) == [ADDRESS]


def test_the_u_label_and_a_label_spellings_are_one_account() -> None:
    first = user_create(
        actor=Actor.anonymous(), email="lan@côngty.vn", password=PASSWORD, full_name="Lan"
    )

    with pytest.raises(EmailTaken):
        user_create(
            actor=Actor.anonymous(), email="lan@xn--cngty-6ta.vn", password=PASSWORD, full_name="L"
        )

    assert list(User.objects.values_list("pk", "email")) == [(first.pk, "lan@côngty.vn")]


def test_a_non_address_creates_no_account_and_names_its_code() -> None:
    with pytest.raises(InvalidEmail) as refused:
        user_create(
            actor=Actor.anonymous(), email="lan@exa\u202emple.vn", password=PASSWORD, full_name="L"
        )

    assert refused.value.code == "email_forbidden_character"
    assert User.objects.count() == 0


# --- password reset ----------------------------------------------------------------------------


def test_a_reset_asked_under_another_spelling_reaches_the_account(
    client: HttpsClient, person: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/password-reset/", {"email": FULLWIDTH_SPELLING})

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[ADDRESS]]


def test_the_reset_service_finds_the_account_under_any_spelling(
    person: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        password_reset_request(email=LONG_S_SPELLING)
        password_reset_request(email="MINH.SANG@XN--LOGISTICS-.VN")  # not an address

    assert [message.to for message in mail.outbox] == [[ADDRESS]]
    assert [entry.object_id for entry in audit_of("authn_password_reset_request")] == [
        str(person.pk),
        "",
    ]


@pytest.mark.parametrize("spelling", [DOTLESS_DOMAIN, DOTLESS_LOCAL])
def test_a_reset_asked_for_a_dotless_i_spelling_sends_nothing(
    client: HttpsClient, person: User, django_capture_on_commit_callbacks: Commit, spelling: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/password-reset/", {"email": spelling})

    assert mail.outbox == []


# --- the data migration ------------------------------------------------------------------------


def _canonicalise_stored_emails() -> None:
    from importlib import import_module

    migration = import_module("logitrack.accounts.migrations.0002_user_email_canonical")
    migration.canonicalise_emails(apps, SimpleNamespace(connection=connection))


def _stored(spellings: list[str]) -> list[int]:
    """Rows as an older release could have written them (no canonical form then)."""
    ids = []
    for n, spelling in enumerate(spellings):
        user = User.objects.create_user(email=f"seed{n}@example.vn", password=None, full_name="S")
        User.objects.filter(pk=user.pk).update(email=spelling)
        ids.append(user.pk)
    return ids


def test_the_migration_stores_every_address_in_its_canonical_form() -> None:
    ids = _stored(["Lan@XN--CNGTY-6TA.VN", "binh@example\u3002vn", "an@example.vn"])

    _canonicalise_stored_emails()

    assert list(
        User.objects.filter(pk__in=ids).order_by("pk").values_list("email", "is_active")
    ) == [
        ("lan@côngty.vn", True),
        ("binh@example.vn", True),
        ("an@example.vn", True),
    ]


def test_the_migration_keeps_the_canonical_holder_and_deactivates_later_spellings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    older, canonical, newer = _stored(["LAN@côngty.vn", "lan@côngty.vn", "lan@xn--cngty-6ta.vn"])

    _canonicalise_stored_emails()
    _canonicalise_stored_emails()  # a second run changes nothing

    rows = dict(User.objects.values_list("pk", "email"))
    active = dict(User.objects.values_list("pk", "is_active"))
    assert (rows[older], rows[canonical], rows[newer]) == (
        "LAN@côngty.vn",
        "lan@côngty.vn",
        "lan@xn--cngty-6ta.vn",
    )
    assert (active[older], active[canonical], active[newer]) == (False, True, False)
    assert f"ids [{older}, {newer}]" in caplog.text
    assert "côngty" not in caplog.text


def test_the_migration_gives_the_address_to_the_oldest_when_none_is_canonical() -> None:
    older, newer = _stored(["Lan@Côngty.vn", "lan@xn--cngty-6ta.vn"])

    _canonicalise_stored_emails()

    assert list(User.objects.order_by("pk").values_list("pk", "email", "is_active")) == [
        (older, "lan@côngty.vn", True),
        (newer, "lan@xn--cngty-6ta.vn", False),
    ]


def test_the_migration_leaves_an_address_it_cannot_read_as_it_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    (broken,) = _stored(["lan@localhost"])

    _canonicalise_stored_emails()

    assert User.objects.get(pk=broken).email == "lan@localhost"
    assert User.objects.get(pk=broken).is_active
    assert f"ids [{broken}]" in caplog.text


@pytest.mark.parametrize(
    "spelling", [LONG_S_SPELLING, FULLWIDTH_SPELLING, "  Minh.Sang@LOGISTICS.vn "]
)
def test_authenticating_with_a_raw_spelling_counts_against_the_canonical_key(
    rf: RequestFactory, person: User, spelling: str
) -> None:
    # Other callers of authenticate() (not the sign-in form) pass the address as typed.
    for n in range(5):
        request = rf.post("/login/", {"username": spelling}, REMOTE_ADDR=HOME_IP)
        assert authenticate(request, username=spelling, password=f"wrong {n}") is None
    request = rf.post("/login/", {"username": ADDRESS}, REMOTE_ADDR=HOME_IP)

    assert _attempts() == {ADDRESS: 5}
    assert [entry.object_id for entry in audit_of("authn_login_fail")] == [str(person.pk)] * 5
    assert authenticate(request, username=ADDRESS, password=PASSWORD) is None  # locked


def test_the_lockout_key_of_a_non_address_never_meets_an_accounts_key(rf: RequestFactory) -> None:
    request = rf.post("/login/", {"username": DOTLESS_LOCAL})

    from_post = lockout_username(request, None)
    from_credentials = lockout_username(request, {"username": DOTLESS_LOCAL})

    assert from_post == from_credentials
    assert from_post.startswith("invalid:")
    assert len(from_post) == len("invalid:") + 64
    assert lockout_username(request, {"username": LONG_S_SPELLING}) == ADDRESS
    assert lockout_username(rf.post("/login/", {"username": FULLWIDTH_SPELLING}), None) == ADDRESS


def test_the_lockout_key_agrees_with_the_lookup_for_home_and_other_addresses(
    client: HttpsClient, person: User
) -> None:
    sign_in(client, email=LONG_S_SPELLING, password="wrong password", ip=HOME_IP)
    sign_in(client, email=FULLWIDTH_SPELLING, password="wrong password", ip=OTHER_IP)

    keys = set(AccessAttempt.objects.values_list("username", "ip_address"))

    assert keys == {(ADDRESS, HOME_IP), (ADDRESS, OTHER_IP)}


@pytest.mark.django_db(transaction=True)
def test_migrating_forward_rewrites_rows_written_under_the_old_constraint() -> None:
    """The real migration path: rows stored by 0001 (Lower("email") unique) become canonical."""
    from django.db.migrations.executor import MigrationExecutor

    before = [("accounts", "0001_initial"), ("tenancy", "0001_initial")]
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_user = executor.loader.project_state(before).apps.get_model("accounts", "User")
    # On PostgreSQL, LOWER() of the second equals the first's canonical form: the old constraint
    # must go before the rows are rewritten.
    rows = ["Lan@XN--CNGTY-6TA.VN", "LAN@CÔNGTY.VN", "BINH@EXAMPLE\uff0eVN"]
    ids = [old_user.objects.create(email=email, full_name="S", password="!").pk for email in rows]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    stored = dict(User.objects.values_list("pk", "email"))
    active = dict(User.objects.values_list("pk", "is_active"))
    assert [stored[pk] for pk in ids] == ["lan@côngty.vn", "LAN@CÔNGTY.VN", "binh@example.vn"]
    assert [active[pk] for pk in ids] == [True, False, True]
