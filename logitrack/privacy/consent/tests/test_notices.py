"""What is recorded about the asking: the policy version, truncated addresses, the GPC signal."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from logitrack.privacy.consent.notices import (
    Asked,
    current_policy_version,
    gpc_signal,
    notice_text,
    truncate_ip,
)
from logitrack.privacy.policies.selectors import policy_version_label


def test_ipv4_is_cut_to_its_slash_24() -> None:
    assert truncate_ip("203.0.113.77") == "203.0.113.0/24"


def test_ipv6_is_cut_to_its_slash_48() -> None:
    assert truncate_ip("2001:db8:1:2:3:4:5:6") == "2001:db8:1::/48"


def test_an_ipv4_mapped_ipv6_address_is_cut_as_ipv4() -> None:
    assert truncate_ip("::ffff:198.51.100.9") == "198.51.100.0/24"


def test_what_is_not_an_address_gives_nothing() -> None:
    assert truncate_ip("not-an-ip") == ""
    assert truncate_ip("") == ""


def test_gpc_is_only_the_value_one() -> None:
    factory = RequestFactory()

    assert gpc_signal(factory.get("/", HTTP_SEC_GPC="1")) is True
    assert gpc_signal(factory.get("/", HTTP_SEC_GPC="0")) is False
    assert gpc_signal(factory.get("/")) is False


def test_asked_takes_the_truncated_peer_the_agent_and_gpc() -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.0.2.200", HTTP_USER_AGENT="Mozilla/5.0 Thử", HTTP_SEC_GPC="1"
    )

    asked = Asked.from_request(request)

    assert asked == Asked(ip_network="192.0.2.0/24", user_agent="Mozilla/5.0 Thử", gpc=True)


@pytest.mark.django_db
def test_the_policy_version_comes_from_the_published_policy() -> None:
    assert current_policy_version() == policy_version_label() == "1"


def test_notices_exist_in_both_languages_and_differ() -> None:
    english = notice_text("marketing_email", "en")
    vietnamese = notice_text("marketing_email", "vi")

    assert english.startswith("Logitrack may send you newsletters")
    assert vietnamese != english
    assert notice_text("marketing_email", "fr") == vietnamese
