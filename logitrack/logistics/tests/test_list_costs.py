"""What one request of the shipments list costs, held by counts so that it cannot creep back.

The dispatcher page and the list API read a page of shipments with a fixed number of queries,
whatever the number of rows shown (no query per row: each row's order and the data keys of its
encrypted fields are loaded for the page at once), with every filter and search the page offers.
The filter form's selects are written out in Python (``ListSelect``) with Django's own markup.
"""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext

from logitrack.core.testing import HttpsClient
from logitrack.logistics.models import Shipment
from logitrack.logistics.numbers import format_waybill
from logitrack.logistics.tests.factories import PROVINCE_HANOI, make_order
from logitrack.logistics.views.filters import ListFilterForm, ListSelect
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import (
    bearer,
    make_api_key,
    make_member,
    make_tenant,
    sign_in,
)

pytestmark = pytest.mark.django_db

LIST = "/operations/shipments/"
API = "/api/v1/shipments"
# Session, user, membership and consent checks, then the page's ids, its rows and their data
# keys (the page); the key, its budget, the page's ids and its rows (the API). The same for 2
# rows and for 12. A creation-date range sorted by status change counts its range first (ADR
# 0046): one more. The page also reads the tenant's vehicles for its filter (ADR 0057) and the
# header's unread notification count (ADR 0058).
PAGE_QUERIES = 9
API_QUERIES = 4
RANGE_BY_CHANGE = {
    "created_from": "2020-01-01",
    "created_to": "2099-12-31",
    "sort": "-status_changed_at",
}
PHONE = "0912 345 678"  # every order of the factory has it

FILTERS = [
    {},
    {"status": "created", "sort": "status_changed_at"},
    {"service_level": "express", "province": str(PROVINCE_HANOI), "sort": "created_at"},
    RANGE_BY_CHANGE,
    {"q": PHONE},
]


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant()


def _orders(tenant: Tenant, count: int) -> list[Shipment]:
    return [make_order(tenant).shipments[0] for _ in range(count)]


def _queries(client: HttpsClient, path: str, params: dict[str, str]) -> int:
    client.get(path, params)  # caches (sessions, settings) warmed as in a running server
    with CaptureQueriesContext(connection) as seen:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(seen)


@pytest.mark.parametrize("params", FILTERS)
def test_the_page_reads_the_same_queries_for_two_rows_and_for_twelve(
    tenant: Tenant, client: HttpsClient, params: dict[str, str]
) -> None:
    sign_in(client, make_member(tenant, Role.DISPATCHER))
    _orders(tenant, 2)
    few = _queries(client, LIST, params)
    _orders(tenant, 10)
    many = _queries(client, LIST, params)
    body = client.get(LIST, params).content.decode()

    assert body.count("<tr data-waybill=") == 12
    assert many == few


@pytest.mark.parametrize("params", FILTERS)
def test_the_api_reads_the_same_queries_for_two_rows_and_for_twelve(
    tenant: Tenant, params: dict[str, str]
) -> None:
    owner = make_member(tenant, Role.OWNER)
    client = HttpsClient(headers=bearer(make_api_key(owner, {Permission.OPERATIONS_VIEW}).token))
    api = {("province_code" if k == "province" else k): v for k, v in params.items()}
    if "created_from" in api:
        api = {**api, "created_from": "2020-01-01T00:00:00Z", "created_to": "2099-01-01T00:00:00Z"}
    _orders(tenant, 2)
    few = _queries(client, API, api)
    _orders(tenant, 10)
    many = _queries(client, API, api)

    assert len(client.get(API, api).json()["items"]) == 12
    assert many == few


def test_the_first_page_costs_a_known_number_of_queries(
    tenant: Tenant, client: HttpsClient, django_assert_num_queries: Any
) -> None:
    sign_in(client, make_member(tenant, Role.DISPATCHER))
    _orders(tenant, 3)
    client.get(LIST)

    with django_assert_num_queries(PAGE_QUERIES):
        client.get(LIST)


def test_the_api_costs_a_known_number_of_queries(
    tenant: Tenant, django_assert_num_queries: Any
) -> None:
    owner = make_member(tenant, Role.OWNER)
    client = HttpsClient(headers=bearer(make_api_key(owner, {Permission.OPERATIONS_VIEW}).token))
    _orders(tenant, 3)
    client.get(API)

    with django_assert_num_queries(API_QUERIES):
        client.get(API)


def test_a_range_sorted_by_status_change_costs_one_count_more(
    tenant: Tenant, client: HttpsClient, django_assert_num_queries: Any
) -> None:
    owner = make_member(tenant, Role.OWNER)
    api = HttpsClient(headers=bearer(make_api_key(owner, {Permission.OPERATIONS_VIEW}).token))
    api_params = {**RANGE_BY_CHANGE, "created_from": "2020-01-01T00:00:00Z"}
    api_params["created_to"] = "2099-01-01T00:00:00Z"
    sign_in(client, owner)
    _orders(tenant, 3)
    client.get(LIST, RANGE_BY_CHANGE)
    api.get(API, api_params)

    with django_assert_num_queries(PAGE_QUERIES + 1):
        client.get(LIST, RANGE_BY_CHANGE)
    with django_assert_num_queries(API_QUERIES + 1):
        api.get(API, api_params)


def test_each_row_shows_its_shipment(tenant: Tenant, client: HttpsClient) -> None:
    sign_in(client, make_member(tenant, Role.DISPATCHER))
    shipment = make_order(
        tenant, reference="REF-17", consignee={"name": "Nguyễn Văn A", "phone": PHONE}
    ).shipments[0]

    body = client.get(LIST).content.decode()
    row = body[body.index(f'<tr data-waybill="{shipment.waybill}">') :]
    row = row[: row.index("</tr>")]

    assert f'href="/operations/shipments/{shipment.waybill}/"' in row
    assert f">Chọn {format_waybill(shipment.waybill)}</label>" in row
    assert f">{format_waybill(shipment.waybill)}</a>" in row
    assert "REF-17" in row
    assert "Nguyễn Văn A" in row
    assert "status-created" in row


@pytest.mark.parametrize(
    "data",
    [{}, {"status": "delivered", "province": "79", "sort": "created_at"}, {"status": "nope"}],
)
def test_the_filter_selects_render_as_djangos_own(data: dict[str, str]) -> None:
    form = ListFilterForm(data or None)
    for name in ("status", "service_level", "province", "sort"):
        field = form[name]
        assert isinstance(field.field.widget, ListSelect)
        fast = str(field)
        widget: forms.Widget = field.field.widget
        widget.__class__ = forms.Select  # this form's own copy: Django's rendering, same attrs
        assert parse_html(fast) == parse_html(str(form[name])), name


def test_a_select_label_is_escaped() -> None:
    widget = ListSelect(choices=[("a", "<b>&"), ("b", "B")])

    html = widget.render("x", "a", {"id": "id_x"})

    assert html == (
        '<select id="id_x" name="x"><option value="a" selected>&lt;b&gt;&amp;</option>'
        '<option value="b">B</option></select>'
    )


@pytest.mark.parametrize("most", [1, 500])
def test_a_search_matching_more_orders_than_listed_still_finds_every_shipment(
    tenant: Tenant, client: HttpsClient, monkeypatch: pytest.MonkeyPatch, most: int
) -> None:
    monkeypatch.setattr("logitrack.logistics.selectors.SEARCH_ORDERS_MAX", most)
    sign_in(client, make_member(tenant, Role.DISPATCHER))
    shipments = _orders(tenant, 3)
    make_order(make_tenant())  # another tenant's order with the same phone is never shown

    body = client.get(LIST, {"q": PHONE}).content.decode()

    assert body.count("<tr data-waybill=") == 3
    assert all(s.waybill in body for s in shipments)
