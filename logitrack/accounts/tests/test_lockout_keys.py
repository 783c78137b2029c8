"""What the lockout counts attempts against, and what it writes to the log in their place."""

from __future__ import annotations

from django.test import RequestFactory
from django.utils.crypto import salted_hmac

from logitrack.accounts.lockout import client_ip, client_str, lockout_username
from logitrack.core.identity import email_key


def test_a_request_without_a_known_address_is_counted_by_account_alone() -> None:
    request = RequestFactory().get("/login/", REMOTE_ADDR="")

    assert client_ip(request) is None
    assert client_ip(RequestFactory().get("/login/", REMOTE_ADDR="203.0.113.7")) == "203.0.113.7"


def test_the_log_gets_a_keyed_digest_of_the_account_and_address_never_either() -> None:
    request = RequestFactory().get("/login/")
    lan = client_str("lan@congty.vn", "203.0.113.7", "Firefox", "/login/", request)
    other = client_str("an@congty.vn", "203.0.113.7", "Firefox", "/login/", request)
    digest = salted_hmac(
        "logitrack.accounts.lockout.client", "lan@congty.vn|203.0.113.7", algorithm="sha256"
    )

    assert lan == f"client:{digest.hexdigest()[:16]}"
    assert lan != other
    assert "lan" not in lan
    assert "203.0.113.7" not in lan


def test_an_attempt_without_credentials_is_counted_under_the_address_the_form_posted() -> None:
    posted = RequestFactory().post("/login/", {"username": "Lan@CôngTy.vn"})
    empty = RequestFactory().post("/login/", {})
    fetched = RequestFactory().get("/login/", {"username": "lan@congty.vn"})

    assert lockout_username(posted, None) == email_key("Lan@CôngTy.vn")
    assert lockout_username(posted, {"username": "an@congty.vn"}) == email_key("an@congty.vn")
    # No address at all, by POST or by any other method, is the one key of the empty input.
    assert lockout_username(empty, None) == email_key("")
    assert lockout_username(fetched, None) == email_key("")
    assert lockout_username(fetched, {}) == email_key("")
