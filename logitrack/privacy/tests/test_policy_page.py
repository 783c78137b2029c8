"""The privacy policy page: public, in Vietnamese by default and in English on request."""

from __future__ import annotations

import pytest

from logitrack.core.testing import HttpsClient
from logitrack.privacy.policies.tests.helpers import ensure_version_1

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def version_1() -> None:
    """The migrated version 1 (a transactional test run earlier may have flushed it)."""
    ensure_version_1()


def test_policy_is_public_and_vietnamese_by_default(client: HttpsClient) -> None:
    response = client.get("/privacy/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Chính sách quyền riêng tư" in html
    assert "7 ngày làm việc" in html
    assert "30 ngày" in html
    assert "dưới 16 tuổi" in html


def test_policy_is_english_after_the_language_switch(client: HttpsClient) -> None:
    client.get("/login/")
    client.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/privacy/"},
        HTTP_X_CSRFTOKEN=client.cookies["__Host-logitrack_csrf"].value,
    )

    html = client.get("/privacy/").content.decode()

    assert "Privacy policy" in html
    assert "within 7 working days" in html
    assert "30 more days" in html
    assert "under 16" in html
    assert "never store card numbers" in html


def test_signup_links_to_the_policy_it_asks_consent_for(client: HttpsClient) -> None:
    html = client.get("/signup/").content.decode()

    assert 'href="/privacy/"' in html
