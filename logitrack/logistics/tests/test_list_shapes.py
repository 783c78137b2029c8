"""The shipments list at scale keeps its answers (ADR 0046): a creation-date range sorted by status
change is read and sorted rather than walked, with the same rows in the same order on every page;
rows are read as ids then rows, in list order; a typed page number past ``TYPED_PAGE_MAX`` shows
that page and says why."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.logistics import selectors
from logitrack.logistics.models import Shipment
from logitrack.logistics.pagination import fetch, page_of
from logitrack.logistics.tests.factories import make_order
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db

LIST = "/operations/shipments/"
UNINDEXED = ('+"logistics_shipment"."status_changed_at"', "INTERVAL '0 seconds'")


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant()


@pytest.fixture
def owner(tenant: Tenant) -> Membership:
    return make_member(tenant, Role.OWNER)


def _spread(tenant: Tenant, count: int) -> list[Shipment]:
    """``count`` shipments created a day apart, status changes shuffled, some at one moment."""
    shipments = make_order(tenant, parcels=count).shipments
    now = timezone.now()
    rng = random.Random(46)  # noqa: S311  (a repeatable spread, not a secret)
    for n, shipment in enumerate(shipments):
        changed = now - timedelta(hours=rng.choice([1, 2, 2, 2, 5, 30, 50]))
        Shipment.dangerously_unscoped.filter(pk=shipment.pk).update(
            created_at=now - timedelta(days=n), status_changed_at=changed
        )
    return shipments


def _walk(owner: Membership, filters: selectors.ShipmentFilters) -> tuple[list[int], list[str]]:
    """Every page of the list (3 rows each): the ids in order, and the SQL it ran."""
    principal = Principal.for_membership(owner.user, owner)
    seen: list[int] = []
    with tenant_context(owner.tenant), CaptureQueriesContext(connection) as queries:
        cursor = None
        for _ in range(20):
            rows = selectors.shipments_list(principal=principal, filters=filters)
            page = page_of(rows, sort=filters.sort, cursor=cursor, limit=3)
            seen += [s.pk for s in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break
    return seen, [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("sort", ["-status_changed_at", "status_changed_at"])
@pytest.mark.parametrize(
    ("most", "read_and_sorted"),
    [
        (50_000, True),  # the range (8 rows) within the cap: read and sorted
        (7, False),  # past the cap, and the walk passes 2 rows first: walked
        (1, True),  # past the cap, and so would the walk be: read and sorted
    ],
)
def test_a_date_range_sorted_by_status_change_gives_the_same_rows_read_or_walked(  # noqa: PLR0917
    tenant: Tenant,
    owner: Membership,
    monkeypatch: pytest.MonkeyPatch,
    sort: str,
    most: int,
    read_and_sorted: bool,
) -> None:
    shipments = _spread(tenant, 12)
    now = timezone.now()
    filters = selectors.ShipmentFilters(
        created_from=now - timedelta(days=9, hours=12),
        created_to=now - timedelta(days=1, hours=12),
        sort=sort,  # type: ignore[arg-type]
    )
    monkeypatch.setattr("logitrack.logistics.selectors.RANGE_SORT_MAX", most)

    seen, sql = _walk(owner, filters)

    rows = Shipment.dangerously_unscoped.filter(
        pk__in=[s.pk for s in shipments],
        created_at__gte=filters.created_from,
        created_at__lt=filters.created_to,
    ).order_by(sort, "-id" if sort.startswith("-") else "id")
    assert len(rows) == 8
    assert seen == [s.pk for s in rows]
    assert any(any(u in q for u in UNINDEXED) for q in sql) == read_and_sorted


@pytest.mark.parametrize(
    "filters",
    [
        {"status": ("created",)},
        {"service_level": "standard"},
        {"province_code": 79},
        {"status": ("delivered",), "province_code": 79},
    ],
)
def test_a_range_read_and_sorted_keeps_every_filter(
    tenant: Tenant, owner: Membership, filters: dict[str, Any]
) -> None:
    shipments = _spread(tenant, 6)
    other = make_order(tenant, parcels=2).shipments
    Shipment.dangerously_unscoped.filter(pk__in=[s.pk for s in other]).update(
        status="delivered", service_level="express", delivery_province_code=79
    )
    now = timezone.now()
    wanted = selectors.ShipmentFilters(
        created_from=now - timedelta(days=30), sort="-status_changed_at", **filters
    )

    seen, sql = _walk(owner, wanted)

    rows = Shipment.dangerously_unscoped.filter(
        pk__in=[s.pk for s in [*shipments, *other]], created_at__gte=wanted.created_from
    )
    if wanted.status:
        rows = rows.filter(status__in=wanted.status)
    if wanted.service_level:
        rows = rows.filter(service_level=wanted.service_level)
    if wanted.province_code is not None:
        rows = rows.filter(delivery_province_code=wanted.province_code)
    assert seen == [s.pk for s in rows.order_by("-status_changed_at", "-id")]
    assert any(any(u in q for u in UNINDEXED) for q in sql)


def test_a_status_change_sort_without_a_range_walks_its_index(
    tenant: Tenant, owner: Membership
) -> None:
    _spread(tenant, 4)

    _seen, sql = _walk(owner, selectors.ShipmentFilters(sort="-status_changed_at"))

    assert not any(any(u in s for u in UNINDEXED) for s in sql)


@pytest.mark.parametrize(("start", "stop"), [(0, 4), (3, 7), (8, 20), (30, 40)])
def test_fetch_reads_the_same_rows_as_a_slice_in_list_order(
    tenant: Tenant, start: int, stop: int
) -> None:
    _spread(tenant, 10)
    with tenant_context(tenant):
        rows = Shipment.objects.order_by("-status_changed_at", "-id")

        assert [s.pk for s in fetch(rows, start, stop)] == [s.pk for s in rows[start:stop]]


def test_a_typed_page_past_the_deepest_shows_that_page_and_says_why(
    tenant: Tenant, client: HttpsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("logitrack.logistics.selectors_pages.PAGE_SIZE", 2)
    monkeypatch.setattr("logitrack.logistics.selectors_pages.TYPED_PAGE_MAX", 2)
    sign_in(client, make_member(tenant, Role.DISPATCHER))
    newest_first = sorted(_spread(tenant, 6), key=lambda s: s.pk)  # created a day apart

    capped = client.get(LIST, {"page": "3"}).content.decode()
    second = client.get(LIST, {"page": "2"}).content.decode()

    shown = [s.waybill for s in newest_first if s.waybill in capped]
    assert shown == [s.waybill for s in newest_first[2:4]]
    assert "data-page-capped" in capped
    assert "Các trang sau trang 2 được mở bằng nút Trang sau" in capped
    assert "data-page-capped" not in second
    assert [s.waybill for s in newest_first if s.waybill in second] == shown
