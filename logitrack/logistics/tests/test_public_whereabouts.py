"""Public tracking of an out-for-delivery parcel: its carrier's position only as a 0.01° cell,
an ETA window, and nothing for other statuses (logistics.public.whereabouts; ADR 0057)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from logitrack.core.testing import HttpsClient
from logitrack.logistics.models import Shipment
from logitrack.logistics.public import cache, limit
from logitrack.logistics.public.whereabouts import eta_window
from logitrack.logistics.tests.carriers import make_carried_shipment, make_world, place_device
from logitrack.logistics.tests.factories import PROVINCE_HANOI, WARD_IN_HANOI
from logitrack.tenancy.tests.factories import make_tenant

pytestmark = pytest.mark.django_db

# The van's precise position, and the consignee's door about 1.6 km further.
VAN = (21.036812, 105.834271)
DOOR = (21.028511, 105.847372)
PRECISE = ("21.0368", "105.8342", "21.036", "105.834", "21.04", "105.83427")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()
    limit.reset()


def _out_for_delivery(status: str = "out_for_delivery") -> Shipment:
    world = make_world(make_tenant())
    destination = {
        "street": "1 Tràng Tiền",
        "ward_code": WARD_IN_HANOI,
        "province_code": PROVINCE_HANOI,
        "latitude": DOOR[0],
        "longitude": DOOR[1],
    }
    shipment = make_carried_shipment(
        world,
        status,
        changed=timezone.now() - timedelta(minutes=30),
        delivery=destination,
    )
    place_device(world.device, *VAN, at=timezone.now() - timedelta(minutes=2))
    return shipment


def _leaks(text: str) -> list[str]:
    return [p for p in PRECISE if p in text]


def test_the_api_shows_the_cell_and_an_eta_window_never_the_point(client: HttpsClient) -> None:
    shipment = _out_for_delivery()

    response = client.get(f"/api/v1/track/{shipment.waybill}")

    where = response.json()["whereabouts"]
    assert (where["cell_latitude"], where["cell_longitude"]) == (21.03, 105.83)
    assert where["cell_size_deg"] == 0.01
    assert where["eta_from"] < where["eta_to"]
    assert _leaks(response.content.decode()) == []


def test_the_page_shows_the_area_and_the_window_never_the_point(client: HttpsClient) -> None:
    shipment = _out_for_delivery()

    body = client.get(f"/t/{shipment.waybill}", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "data-whereabouts" in body
    assert "21.03° N, 105.83° E" in body
    assert "data-eta-window" in body
    assert _leaks(body) == []


@pytest.mark.parametrize("status", ["in_transit", "at_hub", "failed_attempt"])
def test_no_position_for_other_statuses(client: HttpsClient, status: str) -> None:
    shipment = _out_for_delivery(status)

    api = client.get(f"/api/v1/track/{shipment.waybill}")
    page = client.get(f"/t/{shipment.waybill}").content.decode()

    assert api.json()["whereabouts"] is None
    assert "data-whereabouts" not in page
    assert _leaks(api.content.decode()) == []
    assert _leaks(page) == []


def test_no_position_from_before_going_out_for_delivery(client: HttpsClient) -> None:
    shipment = _out_for_delivery()
    Shipment.dangerously_unscoped.filter(pk=shipment.pk).update(status_changed_at=timezone.now())
    assert client.get(f"/api/v1/track/{shipment.waybill}").json()["whereabouts"] is None


def test_a_new_cell_shows_despite_the_cache(client: HttpsClient) -> None:
    shipment = _out_for_delivery()
    client.get(f"/api/v1/track/{shipment.waybill}")
    device = Shipment.dangerously_unscoped.get(pk=shipment.pk).carrier_vehicle_id
    from logitrack.tracking.models import DeviceAssignment

    moved = DeviceAssignment.dangerously_unscoped.get(vehicle_id=device).device
    place_device(moved, DOOR[0], DOOR[1])
    where = client.get(f"/api/v1/track/{shipment.waybill}").json()["whereabouts"]
    assert (where["cell_latitude"], where["cell_longitude"]) == (21.02, 105.84)


def test_the_eta_window_is_whole_quarter_hours_at_urban_speed() -> None:
    fix = datetime(2026, 12, 1, 3, 7, tzinfo=UTC)
    # 10 km * 1.3 at 20 km/h: 39 min; window [31.2 min, 58.5 min] after the fix, widened.
    start, end = eta_window(10_000, fix)
    assert (start, end) == (
        datetime(2026, 12, 1, 3, 30, tzinfo=UTC),
        datetime(2026, 12, 1, 4, 15, tzinfo=UTC),
    )
    assert eta_window(10, fix) == (
        datetime(2026, 12, 1, 3, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 3, 30, tzinfo=UTC),
    )


def test_a_stale_position_is_not_shown(client: HttpsClient) -> None:
    shipment = _out_for_delivery()
    with freeze_time(timezone.now() + timedelta(hours=3)):
        Shipment.dangerously_unscoped.filter(pk=shipment.pk).update(
            status_changed_at=timezone.now() - timedelta(hours=5)
        )
        assert client.get(f"/api/v1/track/{shipment.waybill}").json()["whereabouts"] is None


def test_the_page_speaks_vietnamese_by_default(client: HttpsClient) -> None:
    shipment = _out_for_delivery()
    body = client.get(f"/t/{shipment.waybill}").content.decode()
    assert "Đang trên đường đến bạn" in body
    assert "21.03° B, 105.83° Đ" in body
    assert _leaks(body) == []
