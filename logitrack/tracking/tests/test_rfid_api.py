"""The dock doors API and case tags of shipments: validation, and nothing changed on refusal."""

from __future__ import annotations

from typing import Any

import pytest

from logitrack.core.testing import HttpsClient
from logitrack.logistics.models import Shipment
from logitrack.logistics.tests.factories import make_order
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in
from logitrack.tracking.models import DockDoor, ShipmentTag
from logitrack.tracking.services.docks import sgln_is_valid
from logitrack.tracking.tests.factories import make_device, make_dock_door, make_reader

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
SGTIN = "urn:epc:id:sgtin:0614141.812345.6789"
SGTIN_HEX = "3074257BF7194E4000001A85"


def _operator(tenant: Tenant | None = None) -> tuple[HttpsClient, Membership]:
    membership = make_member(tenant or make_tenant(), Role.WAREHOUSE_OPERATOR)
    client = HttpsClient()
    sign_in(client, membership)
    return client, membership


def _door_body(device_id: int, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "device_id": device_id,
        "antenna": 1,
        "name": "Cửa nhập 1",
        "place": "Kho Tân Bình",
        "direction": "in",
        "location_id": "urn:epc:id:sgln:0614141.12345.0",
    }
    body.update(fields)
    return body


def _doors() -> list[tuple[Any, ...]]:
    return list(DockDoor.dangerously_unscoped.values_list("name", "antenna", "active"))


def test_a_warehouse_operator_maps_an_antenna_to_a_dock_door() -> None:
    client, membership = _operator()
    reader = make_reader(membership.tenant)

    response = client.post(
        f"{V1}/dock-doors", _door_body(reader.pk), content_type="application/json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["device_identifier"] == reader.identifier
    assert (body["antenna"], body["direction"], body["active"]) == (1, "in", True)
    assert _doors() == [("Cửa nhập 1", 1, True)]


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"antenna": 0}, 422, "dock_door_antenna_invalid"),
        ({"antenna": 33}, 422, "dock_door_antenna_invalid"),
        ({"location_id": "urn:epc:id:sgln:0614141.1234.0"}, 422, "dock_door_location_invalid"),
        ({"location_id": "0614141123452"}, 422, "dock_door_location_invalid"),
        ({"direction": "up"}, 422, "validation_error"),
        ({"name": ""}, 422, "dock_door_invalid"),
    ],
)
def test_invalid_door_details_are_refused_and_nothing_is_saved(
    fields: dict[str, Any], status: int, code: str
) -> None:
    client, membership = _operator()
    reader = make_reader(membership.tenant)

    response = client.post(
        f"{V1}/dock-doors", _door_body(reader.pk, **fields), content_type="application/json"
    )

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert _doors() == []


def test_the_reader_must_be_one_of_the_tenants_rfid_readers() -> None:
    client, membership = _operator()
    phone = make_device(make_member(membership.tenant, Role.DISPATCHER), kind="phone").device
    their_reader = make_reader(make_tenant())

    for device_id in (phone.pk, their_reader.pk, 987_654):
        response = client.post(
            f"{V1}/dock-doors", _door_body(device_id), content_type="application/json"
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "dock_door_reader_invalid"
    assert _doors() == []


def test_names_are_unique_per_tenant_and_antennas_per_reader() -> None:
    client, membership = _operator()
    reader = make_reader(membership.tenant)
    make_dock_door(reader, name="Cửa nhập 1", antenna=4)
    make_dock_door(make_reader(make_tenant()), name="Cửa nhập 2")  # another tenant's name

    same_name = client.post(
        f"{V1}/dock-doors", _door_body(reader.pk, antenna=2), content_type="application/json"
    )
    same_antenna = client.post(
        f"{V1}/dock-doors",
        _door_body(reader.pk, name="Cửa xuất", antenna=4),
        content_type="application/json",
    )
    other_tenants_name = client.post(
        f"{V1}/dock-doors",
        _door_body(reader.pk, name="Cửa nhập 2", antenna=2),
        content_type="application/json",
    )

    assert (same_name.status_code, same_name.json()["error"]["code"]) == (
        409,
        "dock_door_name_taken",
    )
    assert (same_antenna.status_code, same_antenna.json()["error"]["code"]) == (
        409,
        "dock_door_antenna_taken",
    )
    assert other_tenants_name.status_code == 201


def test_whole_reader_door_is_one_per_reader() -> None:
    client, membership = _operator()
    reader = make_reader(membership.tenant)
    make_dock_door(reader, antenna=None)

    response = client.post(
        f"{V1}/dock-doors",
        _door_body(reader.pk, name="Cửa 2", antenna=None),
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "dock_door_antenna_taken"


def test_a_door_is_deactivated_and_changed_by_patch() -> None:
    client, membership = _operator()
    door = make_dock_door(make_reader(membership.tenant), antenna=3)

    response = client.patch(
        f"{V1}/dock-doors/{door.pk}",
        {"active": False, "antenna": None, "direction": "out"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    door.refresh_from_db()
    assert (door.active, door.antenna, door.direction) == (False, None, "out")


def test_a_dispatcher_may_see_doors_but_not_change_them() -> None:
    tenant = make_tenant()
    door = make_dock_door(make_reader(tenant))
    client = HttpsClient()
    sign_in(client, make_member(tenant, Role.DISPATCHER))

    listed = client.get(f"{V1}/dock-doors")
    changed = client.patch(
        f"{V1}/dock-doors/{door.pk}", {"active": False}, content_type="application/json"
    )

    assert [d["id"] for d in listed.json()] == [door.pk]
    assert changed.status_code == 403
    assert DockDoor.dangerously_unscoped.get(pk=door.pk).active is True


def test_sgln_check() -> None:
    assert sgln_is_valid("urn:epc:id:sgln:0614141.12345.0")
    assert sgln_is_valid("urn:epc:id:sgln:061414112345..D%2F3")
    assert not sgln_is_valid("urn:epc:id:sgln:0614141.12345")
    assert not sgln_is_valid("urn:epc:id:sgln:0614141.123456.0")  # 13 digits
    assert not sgln_is_valid("urn:epc:id:sgln:0614141.12345.")


# --- case tags ------------------------------------------------------------------------------------


def _shipment(tenant: Tenant) -> Shipment:
    created = make_order(tenant)
    shipment: Shipment = Shipment.dangerously_unscoped.get(order_id=created.order.pk)
    return shipment


def _tags() -> list[tuple[int, str]]:
    return list(ShipmentTag.dangerously_unscoped.values_list("shipment_id", "epc_uri"))


def test_case_tags_are_attached_as_urns_or_hex_and_again_changes_nothing() -> None:
    client, membership = _operator()
    shipment = _shipment(membership.tenant)
    url = f"{V1}/shipments/{shipment.waybill}/tags"

    first = client.post(url, {"epcs": [SGTIN_HEX]}, content_type="application/json")
    again = client.post(
        url, {"epcs": [SGTIN, "urn:epc:id:sgtin:0614141.812345.7"]}, content_type="application/json"
    )

    assert first.status_code == 201, first.content
    assert [t["epc_uri"] for t in first.json()["tags"]] == [SGTIN]
    assert again.status_code == 201
    assert sorted(u for _s, u in _tags()) == sorted([SGTIN, "urn:epc:id:sgtin:0614141.812345.7"])


@pytest.mark.parametrize(
    "epc",
    [
        "urn:epc:id:sscc:0614141.1234567890",  # the pallet, not a case
        "E2801160600002084DB9B2A1",  # not GS1-encoded
        "urn:epc:id:sgtin:061.1.4",
        "hello",
    ],
)
def test_only_trade_item_tags_are_attached(epc: str) -> None:
    client, membership = _operator()
    shipment = _shipment(membership.tenant)

    response = client.post(
        f"{V1}/shipments/{shipment.waybill}/tags",
        {"epcs": [SGTIN, epc]},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "shipment_tag_invalid"
    assert _tags() == []


def test_a_case_of_another_shipment_is_refused_and_nothing_is_attached() -> None:
    client, membership = _operator()
    first, second = _shipment(membership.tenant), _shipment(membership.tenant)
    client.post(
        f"{V1}/shipments/{first.waybill}/tags", {"epcs": [SGTIN]}, content_type="application/json"
    )

    response = client.post(
        f"{V1}/shipments/{second.waybill}/tags",
        {"epcs": ["urn:epc:id:sgtin:0614141.812345.1", SGTIN]},
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "shipment_tag_taken"
    assert _tags() == [(first.pk, SGTIN)]


def test_the_same_case_urn_in_another_tenant_is_independent() -> None:
    client, membership = _operator()
    other_client, other = _operator()
    mine, theirs = _shipment(membership.tenant), _shipment(other.tenant)
    other_client.post(
        f"{V1}/shipments/{theirs.waybill}/tags", {"epcs": [SGTIN]}, content_type="application/json"
    )

    response = client.post(
        f"{V1}/shipments/{mine.waybill}/tags", {"epcs": [SGTIN]}, content_type="application/json"
    )

    assert response.status_code == 201
    assert sorted(_tags()) == sorted([(mine.pk, SGTIN), (theirs.pk, SGTIN)])


def test_errors_are_in_vietnamese_for_a_vietnamese_client() -> None:
    client, membership = _operator()
    reader = make_reader(membership.tenant)

    response = client.post(
        f"{V1}/dock-doors",
        _door_body(reader.pk, antenna=40),
        content_type="application/json",
        headers={"Accept-Language": "vi"},
    )

    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "Ăng-ten là một số từ 1 đến 32; để trống nếu dùng mọi ăng-ten."
    )
