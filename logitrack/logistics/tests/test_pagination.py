"""Keyset pages: every row once, in order, also when rows share a timestamp."""

from __future__ import annotations

import base64

import pytest
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.logistics.models import Shipment
from logitrack.logistics.pagination import CursorInvalid, page_of
from logitrack.logistics.tests.factories import make_order
from logitrack.tenancy.tests.factories import make_tenant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("sort", ["-created_at", "created_at"])
def test_pages_visit_every_row_once_even_when_times_are_equal(sort: str) -> None:
    tenant = make_tenant()
    created = make_order(tenant, parcels=7)
    Shipment.dangerously_unscoped.filter(order=created.order).update(created_at=timezone.now())
    seen: list[int] = []
    with tenant_context(tenant):
        rows = Shipment.objects.order_by(sort, "-id" if sort.startswith("-") else "id")
        cursor = None
        for _ in range(10):
            page = page_of(rows, sort=sort, cursor=cursor, limit=3)
            seen += [s.pk for s in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break

    expected = sorted(s.pk for s in created.shipments)
    assert seen == (expected[::-1] if sort.startswith("-") else expected)


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "@@@",
        _cursor("-created_at|not-a-date|1"),
        _cursor("created_at|2026-01-01T00:00:00+00:00|1"),  # made for the other sort
        _cursor("-created_at|2026-01-01T00:00:00|1"),  # no time zone
        _cursor("-created_at|2026-01-01T00:00:00+00:00|0"),
        _cursor("-created_at|2026-01-01T00:00:00+00:00|99999999999999999999"),
        _cursor("-created_at|2026-01-01T00:00:00+00:00"),
        "A" * 201,
    ],
)
def test_a_cursor_that_does_not_decode_or_fits_another_sort_is_refused(cursor: str) -> None:
    with pytest.raises(CursorInvalid):
        page_of(Shipment.dangerously_unscoped.none(), sort="-created_at", cursor=cursor, limit=3)
