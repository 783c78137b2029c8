"""Assigning a carrier through the API and the shipment page, the ?vehicle= filter, and the
"Delivered?" offer as the shipment page, the API and the driver's pages show it (ADR 0057)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from logitrack.core.testing import HttpsClient
from logitrack.logistics.models import Shipment
from logitrack.logistics.tests.carriers import make_carried_shipment, make_world
from logitrack.logistics.tests.factories import make_order
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
V1 = "/api/v1"


def _key_client(tenant: Tenant) -> HttpsClient:
    owner = make_member(tenant, Role.OWNER)
    key = make_api_key(owner, {Permission.OPERATIONS_VIEW, Permission.OPERATIONS_MANAGE})
    return HttpsClient(headers=bearer(key.token))


def _put(client: HttpsClient, waybill: str, body: Any) -> Any:
    return client.put(
        f"{V1}/shipments/{waybill}/carrier", data=json.dumps(body), content_type="application/json"
    )


def _carrier(shipment: Shipment) -> tuple[int | None, int | None]:
    row = Shipment.dangerously_unscoped.get(pk=shipment.pk)
    return row.carrier_vehicle_id, row.carrier_driver_id


def test_put_carrier_assigns_and_answers_the_devices() -> None:
    world = make_world(make_tenant())
    shipment = make_order(world.tenant).shipments[0]
    client = _key_client(world.tenant)

    response = _put(
        client, shipment.waybill, {"vehicle": world.vehicle.pk, "driver": world.driver.pk}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["vehicle"] == {"id": world.vehicle.pk, "plate": world.vehicle.plate}
    assert body["driver"]["id"] == world.driver.pk
    assert body["devices"] == sorted([world.device.pk, world.phone.pk])
    assert _carrier(shipment) == (world.vehicle.pk, world.driver.pk)
    detail = client.get(f"{V1}/shipments/{shipment.waybill}").json()
    assert detail["carrier"]["vehicle"]["plate"] == world.vehicle.plate
    assert detail["vehicle_id"] == world.vehicle.pk
    assert detail["delivery_offer"] is None


def test_put_carrier_with_another_tenants_vehicle_is_not_found_and_changes_nothing() -> None:
    world = make_world(make_tenant())
    other = make_world(make_tenant())
    shipment = make_order(world.tenant).shipments[0]

    response = _put(_key_client(world.tenant), shipment.waybill, {"vehicle": other.vehicle.pk})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "vehicle_not_found"
    assert _carrier(shipment) == (None, None)


def test_put_carrier_on_a_delivered_shipment_is_a_conflict() -> None:
    world = make_world(make_tenant())
    shipment = make_carried_shipment(world, "delivered")
    response = _put(_key_client(world.tenant), shipment.waybill, {"vehicle": None})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "carrier_not_changeable"
    assert _carrier(shipment) == (world.vehicle.pk, None)


def test_the_api_list_filters_by_vehicle() -> None:
    world = make_world(make_tenant())
    carried = make_carried_shipment(world, "in_transit")
    make_order(world.tenant)

    body = _key_client(world.tenant).get(f"{V1}/shipments", {"vehicle": world.vehicle.pk}).json()

    assert [item["waybill"] for item in body["items"]] == [carried.waybill]


def test_the_list_page_filters_by_vehicle() -> None:
    world = make_world(make_tenant())
    carried = make_carried_shipment(world, "in_transit")
    other = make_order(world.tenant).shipments[0]
    client = HttpsClient()
    sign_in(client, make_member(world.tenant, Role.DISPATCHER))

    body = client.get("/operations/shipments/", {"vehicle": world.vehicle.pk}).content.decode()

    assert f'data-waybill="{carried.waybill}"' in body
    assert f'data-waybill="{other.waybill}"' not in body


def test_the_shipment_page_form_assigns_a_carrier() -> None:
    world = make_world(make_tenant())
    shipment = make_order(world.tenant).shipments[0]
    client = HttpsClient()
    sign_in(client, make_member(world.tenant, Role.DISPATCHER))
    page = client.get(f"/operations/shipments/{shipment.waybill}/").content.decode()
    assert "data-carrier-form" in page
    assert world.vehicle.plate in page

    response = client.post(
        f"/operations/shipments/{shipment.waybill}/carrier/",
        {"vehicle": str(world.vehicle.pk), "driver": ""},
    )

    assert response.status_code == 302
    assert _carrier(shipment) == (world.vehicle.pk, None)


def test_a_viewer_sees_the_carrier_but_no_form() -> None:
    world = make_world(make_tenant())
    shipment = make_carried_shipment(world, "in_transit")
    client = HttpsClient()
    sign_in(client, make_member(world.tenant, Role.VIEWER))
    page = client.get(f"/operations/shipments/{shipment.waybill}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "data-carrier-form" not in body
    assert world.vehicle.plate in body


def test_the_offer_shows_on_the_shipment_page_the_api_and_the_drivers_pages() -> None:
    world = make_world(make_tenant())
    shipment = make_carried_shipment(world, "out_for_delivery")
    Shipment.dangerously_unscoped.filter(pk=shipment.pk).update(
        delivery_offered_at=timezone.now() - timedelta(minutes=1),
        delivery_offer_reason="distance",
    )
    dispatcher = HttpsClient()
    sign_in(dispatcher, make_member(world.tenant, Role.DISPATCHER))
    driver = HttpsClient()
    sign_in(driver, make_member(world.tenant, Role.DRIVER))

    page = dispatcher.get(f"/operations/shipments/{shipment.waybill}/").content.decode()
    api = _key_client(world.tenant).get(f"{V1}/shipments/{shipment.waybill}").json()
    tasks = driver.get("/driver/").content.decode()
    pod = driver.get(f"/driver/shipments/{shipment.waybill}/").content.decode()

    assert "data-delivery-offer" in page
    assert api["delivery_offer"]["reason"] == "distance"
    assert api["status"] == "out_for_delivery"
    assert "data-delivery-offer" in tasks
    assert "data-delivery-offer" in pod


def test_an_offer_from_before_the_last_status_change_is_not_shown() -> None:
    world = make_world(make_tenant())
    shipment = make_carried_shipment(world, "out_for_delivery")
    Shipment.dangerously_unscoped.filter(pk=shipment.pk).update(
        delivery_offered_at=shipment.status_changed_at - timedelta(minutes=1),
        delivery_offer_reason="distance",
    )
    api = _key_client(world.tenant).get(f"{V1}/shipments/{shipment.waybill}").json()
    assert api["delivery_offer"] is None
