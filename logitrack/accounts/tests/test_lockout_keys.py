"""What the lockout counts attempts against, and what it writes to the log in their place."""

from __future__ import annotations

from django.test import RequestFactory
from django.utils.crypto import salted_hmac

from logitrack.accounts.lockout import client_ip, client_str


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
