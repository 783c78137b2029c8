"""The public tracking page speaks the browser's language when the visitor chose none."""

from __future__ import annotations

import pytest
from django.conf import settings

from logitrack.core.testing import HttpsClient
from logitrack.logistics.public import cache, limit
from logitrack.logistics.tests.test_public_tracking import _in_transit, _shipment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()
    limit.reset()


def test_an_english_browser_gets_the_page_in_english(client: HttpsClient) -> None:
    shipment = _shipment()
    _in_transit(shipment)

    page = client.get(f"/t/{shipment.waybill}", headers={"accept-language": "en-GB,en;q=0.9"})

    assert 'lang="en"' in page.content.decode()
    assert "In transit" in page.content.decode()


def test_a_vietnamese_or_unknown_browser_language_gets_vietnamese(client: HttpsClient) -> None:
    shipment = _shipment()
    _in_transit(shipment)

    vietnamese = client.get(f"/t/{shipment.waybill}", headers={"accept-language": "vi-VN"})
    french = client.get(f"/t/{shipment.waybill}", headers={"accept-language": "fr-FR"})

    assert 'lang="vi"' in vietnamese.content.decode()
    assert 'lang="vi"' in french.content.decode()


def test_the_language_cookie_and_the_link_win_over_the_browser(client: HttpsClient) -> None:
    shipment = _shipment()
    _in_transit(shipment)
    english = {"accept-language": "en"}

    by_link = client.get(f"/t/{shipment.waybill}?lang=vi", headers=english)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    by_cookie = client.get(f"/t/{shipment.waybill}", headers=english)

    assert 'lang="vi"' in by_link.content.decode()
    assert 'lang="vi"' in by_cookie.content.decode()
    assert 'lang="en"' in client.get(f"/t/{shipment.waybill}?lang=en").content.decode()
