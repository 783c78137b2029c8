"""Dock door pages: a warehouse operator lists, adds, changes and deactivates doors."""

from __future__ import annotations

import datetime as dt

import pytest

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in
from logitrack.tracking.models import DockDoor
from logitrack.tracking.tests.factories import (
    make_device,
    make_dock_door,
    make_observation,
    make_reader,
)

pytestmark = pytest.mark.django_db

PAGES = "/operations/dock-doors"


def _client(role: Role = Role.WAREHOUSE_OPERATOR) -> tuple[HttpsClient, Membership]:
    membership = make_member(make_tenant(), role)
    client = HttpsClient()
    sign_in(client, membership)
    return client, membership


def test_the_list_shows_the_tenants_doors_only() -> None:
    client, membership = _client()
    mine = make_dock_door(make_reader(membership.tenant), name="Cửa nhập số 1")
    theirs = make_dock_door(make_reader(make_tenant()), name="Cửa của người khác")

    page = client.get(f"{PAGES}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-dock-door="{mine.pk}"' in html
    assert "Cửa nhập số 1" in html
    assert f'data-dock-door="{theirs.pk}"' not in html
    assert f"{PAGES}/new/" in html


def test_a_door_is_added_from_the_form_offering_rfid_readers_only() -> None:
    client, membership = _client()
    tenant = membership.tenant
    reader = make_reader(tenant)
    phone = make_device(make_member(tenant, Role.DISPATCHER), kind="phone").device
    form = client.get(f"{PAGES}/new/").content.decode()
    assert f'value="{reader.pk}"' in form
    assert f'value="{phone.pk}"' not in form

    response = client.post(
        f"{PAGES}/new/",
        {
            "name": "Cửa xuất 2",
            "place": "Kho Tân Bình",
            "device": reader.pk,
            "antenna": "",
            "direction": "out",
            "location_id": "urn:epc:id:sgln:0614141.12345.0",
        },
    )

    assert response.status_code == 302
    door = DockDoor.dangerously_unscoped.get()
    assert (door.name, door.antenna, door.direction) == ("Cửa xuất 2", None, "out")


def test_an_invalid_sgln_shows_the_error_and_saves_nothing() -> None:
    client, membership = _client()
    reader = make_reader(membership.tenant)

    response = client.post(
        f"{PAGES}/new/",
        {
            "name": "Cửa 3",
            "place": "Kho",
            "device": reader.pk,
            "antenna": "1",
            "direction": "in",
            "location_id": "urn:epc:id:sgln:12",
        },
    )

    assert response.status_code == 422
    assert "urn:epc:id:sgln:0614141.12345.0" in response.content.decode()
    assert not DockDoor.dangerously_unscoped.exists()


def test_a_door_is_changed_and_deactivated() -> None:
    client, membership = _client()
    door = make_dock_door(make_reader(membership.tenant), antenna=1)

    edited = client.post(
        f"{PAGES}/{door.pk}/",
        {"name": "Cửa mới", "place": "Hub", "antenna": "2", "direction": "out"},
    )
    deactivated = client.post(f"{PAGES}/{door.pk}/active/", {"active": "0"})

    assert (edited.status_code, deactivated.status_code) == (302, 302)
    door.refresh_from_db()
    assert (door.name, door.antenna, door.direction, door.active) == (
        "Cửa mới",
        2,
        "out",
        False,
    )


def test_a_dispatcher_sees_the_list_without_the_manage_actions() -> None:
    client, membership = _client(Role.DISPATCHER)
    make_dock_door(make_reader(membership.tenant))

    html = client.get(f"{PAGES}/").content.decode()

    assert f"{PAGES}/new/" not in html
    assert "/active/" not in html


def test_the_list_is_in_vietnamese_for_a_vietnamese_reader() -> None:
    client, membership = _client()
    make_dock_door(make_reader(membership.tenant), antenna=None)

    html = client.get(f"{PAGES}/", headers={"Accept-Language": "vi"}).content.decode()

    assert "Cửa kho" in html
    assert "Thêm cửa kho" in html
    assert "Tất cả" in html


def test_the_door_forms_labels_and_help_read_naturally_in_vietnamese() -> None:
    # "GS1 location (SGLN)" is also the model field's verbose name, lower case in Vietnamese;
    # a form label begins a line and is capitalised like the other labels.
    client, _membership = _client()

    html = client.get(f"{PAGES}/new/", headers={"Accept-Language": "vi"}).content.decode()

    assert '<label for="id_location_id">Địa điểm GS1 (SGLN)</label>' in html
    # The place's help names the shipment page's "Hành trình" (timeline) by that word.
    assert "Tên này hiện trên hành trình của vận đơn." in html


def test_the_list_shows_each_doors_last_read_from_its_own_observations() -> None:
    client, membership = _client()
    reader = make_reader(membership.tenant)
    read = make_dock_door(reader, name="Cửa đã đọc", antenna=1)
    quiet = make_dock_door(reader, name="Cửa chưa đọc", antenna=2)
    seen = dt.datetime(2026, 11, 30, 9, 41, tzinfo=dt.UTC)
    make_observation(reader, "urn:epc:id:sscc:8930000.0000000012", door=read, first_seen=seen)

    html = client.get(f"{PAGES}/").content.decode()

    read_row = html.split(f'data-dock-door="{read.pk}"')[1].split("</tr>")[0]
    quiet_row = html.split(f'data-dock-door="{quiet.pk}"')[1].split("</tr>")[0]
    assert "30/11/2026 16:41" in read_row  # shown in Asia/Ho_Chi_Minh
    assert "Chưa có lần đọc" in quiet_row


def test_a_readers_page_lists_its_recent_reads_and_never_another_readers() -> None:
    client, membership = _client(Role.DISPATCHER)
    reader = make_reader(membership.tenant)
    other_reader = make_reader(membership.tenant)
    door = make_dock_door(reader, name="Cửa nhập 7")
    make_observation(reader, "urn:epc:id:sscc:8930000.0000000012", door=door, read_count=42)
    make_observation(other_reader, "urn:epc:id:sscc:8930000.0000000099")

    html = client.get(f"/operations/devices/{reader.pk}/").content.decode()

    assert html.count("data-read>") == 1
    assert "urn:epc:id:sscc:8930000.0000000012" in html
    assert "Cửa nhập 7" in html
    assert "0000000099" not in html
