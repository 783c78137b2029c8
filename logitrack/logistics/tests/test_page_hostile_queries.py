"""Shipments and orders lists under hostile query strings: a forged cursor at the ends of the
calendar or a date range to the last day a date can name gives a page or a refusal, never a 500;
a cursor made in another tenant's list shows only this tenant's rows."""

from __future__ import annotations

import base64

import pytest

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.logistics.models import Shipment
from logitrack.logistics.pagination import CursorInvalid, cursor_of, page_of
from logitrack.logistics.tests.factories import make_order
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import (
    bearer,
    make_api_key,
    make_member,
    make_tenant,
    sign_in,
)

pytestmark = pytest.mark.django_db

PAGES = ["/operations/shipments/", "/operations/orders/"]
APIS = ["/api/v1/shipments", "/api/v1/orders"]


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# A real date-time each, with no UTC time: the database cannot compare them.
NO_UTC = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00.000001+23:59",
]


@pytest.mark.parametrize("moment", NO_UTC)
def test_a_cursor_without_a_utc_time_is_refused(moment: str) -> None:
    tenant = make_tenant()
    make_order(tenant)
    with tenant_context(tenant):
        rows = Shipment.objects.order_by("-created_at", "-id")
        with pytest.raises(CursorInvalid):
            page_of(rows, sort="-created_at", cursor=_cursor(f"-created_at|{moment}|1"), limit=3)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("moment", NO_UTC)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_page_with_such_a_cursor_is_the_first_page(
    client: HttpsClient, path: str, moment: str, direction: str
) -> None:
    tenant = make_tenant()
    waybill = make_order(tenant).shipments[0].waybill
    sign_in(client, make_member(tenant, Role.DISPATCHER))
    response = client.get(path, {direction: _cursor(f"-created_at|{moment}|1")})
    assert response.status_code == 200
    if "shipments" in path:
        assert waybill in response.content.decode()


@pytest.mark.parametrize("path", APIS)
def test_the_api_refuses_such_a_cursor(path: str) -> None:
    tenant = make_tenant()
    make_order(tenant)
    owner = make_member(tenant, Role.OWNER)
    api = HttpsClient(headers=bearer(make_api_key(owner, {Permission.OPERATIONS_VIEW}).token))
    response = api.get(path, {"cursor": _cursor(f"-created_at|{NO_UTC[0]}|1")})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "cursor_invalid"


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(
    "dates",
    [
        {"created_to": "9999-12-31"},
        {"created_from": "0001-01-01"},
        {"created_from": "9999-12-31", "created_to": "0001-01-01"},
        {"created_from": "0001-01-01", "created_to": "9999-12-31", "sort": "-status_changed_at"},
    ],
)
def test_a_date_range_to_the_ends_of_the_calendar_is_served(
    client: HttpsClient, path: str, dates: dict[str, str]
) -> None:
    tenant = make_tenant()
    waybill = make_order(tenant).shipments[0].waybill
    sign_in(client, make_member(tenant, Role.DISPATCHER))
    response = client.get(path, dates)
    assert response.status_code == 200
    reversed_range = dates.get("created_from", "") > dates.get("created_to", "9")
    if "shipments" in path and not reversed_range:
        assert waybill in response.content.decode()


@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_cursor_from_another_tenants_list_shows_only_this_tenants_rows(
    client: HttpsClient, direction: str
) -> None:
    mine, theirs = make_tenant(), make_tenant()
    own = [s.waybill for s in make_order(mine, parcels=2).shipments]
    other = make_order(theirs, parcels=3).shipments
    with tenant_context(theirs):
        forged = cursor_of("-created_at", Shipment.objects.get(pk=other[1].pk))
    sign_in(client, make_member(mine, Role.DISPATCHER))
    response = client.get(PAGES[0], {direction: forged})
    assert response.status_code == 200
    body = response.content.decode()
    assert not any(s.waybill in body for s in other)
    assert own
