"""The dispatcher lists page by keyset: Next and Previous links carry the cursor of the row where
their page starts, so every row is shown once, in order, also when rows share a timestamp; a
typed page number is still served; a bad cursor gives the first page; filters and the phone
search through the blind index hold on every page; another tenant's rows never appear."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.utils import timezone

from logitrack.core.testing import HttpsClient
from logitrack.logistics.models import Order, Shipment
from logitrack.logistics.tests.factories import make_order
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db

LIST = "/operations/shipments/"
ORDERS = "/operations/orders/"


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant()


@pytest.fixture
def dispatcher(client: HttpsClient, tenant: Tenant) -> HttpsClient:
    sign_in(client, make_member(tenant, Role.DISPATCHER))
    return client


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("logitrack.logistics.selectors_pages.PAGE_SIZE", 2)


def _link(body: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]*)" rel="{rel}"', body)
    return html.unescape(found.group(1)) if found else None


def _waybills(body: str, candidates: list[str]) -> list[str]:
    """The candidates shown in ``body``, in the order the page shows them."""
    shown = [(body.index(w), w) for w in candidates if w in body]
    return [w for _at, w in sorted(shown)]


def _walk(client: HttpsClient, path: str, query: str, candidates: list[str], rel: str) -> Any:
    """Follow ``rel`` links from ``path + query``: the rows of each page, and the last body."""
    pages: list[list[str]] = []
    body = ""
    for _ in range(20):
        response = client.get(path + query)
        assert response.status_code == 200
        body = response.content.decode()
        pages.append(_waybills(body, candidates))
        link = _link(body, rel)
        if link is None:
            break
        assert link.startswith("?")
        query = link
    return pages, body


def _same_time(tenant: Tenant, parcels: int) -> list[Shipment]:
    created = make_order(tenant, parcels=parcels)
    Shipment.dangerously_unscoped.filter(order=created.order).update(created_at=timezone.now())
    return created.shipments


@pytest.mark.parametrize("sort", ["-created_at", "created_at"])
def test_next_and_previous_show_every_row_once_in_order_when_times_are_equal(
    dispatcher: HttpsClient, tenant: Tenant, sort: str
) -> None:
    shipments = _same_time(tenant, parcels=5)
    by_id = sorted(shipments, key=lambda s: s.pk, reverse=sort.startswith("-"))
    expected = [s.waybill for s in by_id]

    forward, last = _walk(dispatcher, LIST, f"?sort={sort}", expected, "next")
    back, _first = _walk(dispatcher, LIST, _link(last, "prev") or "", expected, "prev")

    assert forward == [expected[0:2], expected[2:4], expected[4:5]]
    assert back == [expected[2:4], expected[0:2]]


def test_links_carry_a_cursor_and_the_number_shown(dispatcher: HttpsClient, tenant: Tenant) -> None:
    _same_time(tenant, parcels=5)

    first = dispatcher.get(LIST).content.decode()
    second_link = _link(first, "next") or ""
    second = dispatcher.get(LIST + second_link).content.decode()
    third = dispatcher.get(LIST + (_link(second, "next") or "")).content.decode()

    assert "page=2" in second_link
    assert "after=" in second_link
    assert _link(first, "prev") is None
    # Back from page 2 is the plain first page; back from page 3 names the row it ends before.
    assert _link(second, "prev") == "?"
    assert "before=" in (_link(third, "prev") or "")
    assert "page=2" in (_link(third, "prev") or "")
    assert _link(third, "next") is None


def test_a_page_reached_by_cursor_matches_the_same_page_by_number(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    waybills = [s.waybill for s in _same_time(tenant, parcels=5)]

    by_cursor, _body = _walk(dispatcher, LIST, "", waybills, "next")
    by_number = [
        _waybills(dispatcher.get(LIST, {"page": str(n)}).content.decode(), waybills)
        for n in (1, 2, 3)
    ]

    assert by_cursor == by_number


@pytest.mark.parametrize("cursor", ["@@@", "bm90LWEtY3Vyc29y", "A" * 201])
def test_a_cursor_that_does_not_decode_gives_the_first_page(
    dispatcher: HttpsClient, tenant: Tenant, cursor: str
) -> None:
    waybills = [s.waybill for s in _same_time(tenant, parcels=3)]
    first = _waybills(dispatcher.get(LIST).content.decode(), waybills)

    for name in ("after", "before"):
        response = dispatcher.get(LIST, {"page": "7", name: cursor})
        body = response.content.decode()
        assert response.status_code == 200
        assert _waybills(body, waybills) == first
        assert _link(body, "prev") is None


def test_a_cursor_made_for_another_sort_gives_the_first_page(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    shipments = _same_time(tenant, parcels=3)
    oldest_first = [s.waybill for s in sorted(shipments, key=lambda s: s.pk)]
    newest = dispatcher.get(LIST).content.decode()
    after = re.search(r"after=([\w-]+)", _link(newest, "next") or "")
    assert after is not None

    oldest = dispatcher.get(LIST, {"sort": "created_at", "page": "2", "after": after.group(1)})

    body = oldest.content.decode()
    assert _waybills(body, oldest_first) == oldest_first[:2]
    assert _link(body, "prev") is None


def test_filters_and_the_phone_search_hold_on_every_page(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    wanted = make_order(tenant, parcels=3, consignee={"name": "Vũ An", "phone": "0977000111"})
    other = make_order(tenant, parcels=3, consignee={"name": "Lê Bình", "phone": "0912000222"})
    stranger = make_order(
        make_tenant(), parcels=3, consignee={"name": "Vũ An", "phone": "0977000111"}
    )
    everyone = [s.waybill for c in (wanted, other, stranger) for s in c.shipments]

    pages, _body = _walk(dispatcher, LIST, "?q=%2B84+977+000+111", everyone, "next")

    shown = [w for page in pages for w in page]
    assert sorted(shown) == sorted(s.waybill for s in wanted.shipments)
    assert len(pages) == 2


def test_the_orders_list_pages_by_keyset_too(dispatcher: HttpsClient, tenant: Tenant) -> None:
    made = [make_order(tenant).order for _ in range(5)]
    Order.dangerously_unscoped.filter(pk__in=[o.pk for o in made]).update(created_at=timezone.now())
    references = {o.pk: f"/operations/orders/{o.pk}/" for o in made}
    expected = [references[pk] for pk in sorted(references, reverse=True)]

    forward, last = _walk(dispatcher, ORDERS, "", expected, "next")
    back, _first = _walk(dispatcher, ORDERS, _link(last, "prev") or "", expected, "prev")

    assert forward == [expected[0:2], expected[2:4], expected[4:5]]
    assert back == [expected[2:4], expected[0:2]]
