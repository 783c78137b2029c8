"""Devices: registered with a token shown once, globally unique ids, disabled and assigned
with audit entries and history kept."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from logitrack.core.tenant import tenant_context
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, principal_for, sign_in
from logitrack.tracking.errors import IdentifierTaken, InvalidAssignment, InvalidNetwork, NotAllowed
from logitrack.tracking.models import Device, DeviceAssignment, Vehicle
from logitrack.tracking.services.devices import (
    device_assign,
    device_disable,
    device_enable,
    device_token_rotate,
)
from logitrack.tracking.tests.factories import make_device, make_manager
from logitrack.tracking.tokens import device_token_hash, device_token_matches

pytestmark = pytest.mark.django_db


def test_device_create_returns_the_token_once_and_stores_only_its_hash() -> None:
    created = make_device(make_manager(), identifier="861234567890123")

    stored = Device.dangerously_unscoped.get(pk=created.device.pk)
    assert stored.token_hash == device_token_hash(created.token)
    assert created.token not in json.dumps(list(Device.dangerously_unscoped.values()), default=str)
    assert created.token.startswith(stored.token_prefix + "_")
    entry = AuditEntry.objects.get(action="device_created")
    assert entry.object_id == str(stored.pk)
    assert created.token not in json.dumps(entry.details)


def test_device_identifier_is_unique_across_tenants() -> None:
    make_device(make_manager(), identifier="861234567890123")

    with pytest.raises(IdentifierTaken):
        make_device(make_manager(), identifier="861234567890123")

    assert Device.dangerously_unscoped.count() == 1


def test_device_identifier_in_fullwidth_digits_is_stored_as_the_tracker_sends_it() -> None:
    # An input method or a copied spreadsheet cell gives fullwidth digits; trackers send ASCII.
    created = make_device(make_manager(), identifier="\uff18\uff16\uff11234567890123")

    assert created.device.identifier == "861234567890123"
    with pytest.raises(IdentifierTaken):
        make_device(make_manager(), identifier="861234567890123")


def test_api_create_folds_the_identifier_like_the_page(client: Client) -> None:
    manager = make_manager()
    sign_in(client, manager)

    answer = client.post(
        "/api/v1/devices",
        data={"kind": "gps_tracker", "identifier": "TRK\u2013\uff10\uff10\uff17", "name": "Xe 51C"},
        content_type="application/json",
    )

    assert answer.status_code == 201, answer.content
    assert Device.dangerously_unscoped.get().identifier == "TRK-007"


def test_device_create_refuses_a_bad_network_and_stores_nothing() -> None:
    with pytest.raises(InvalidNetwork):
        make_device(make_manager(), allowed_networks=["10.0.0.0/8", "not a network"])

    assert Device.dangerously_unscoped.count() == 0


def test_device_create_canonicalises_networks() -> None:
    created = make_device(make_manager(), allowed_networks=["10.1.2.3/8", "192.0.2.7"])

    assert created.device.allowed_networks == ["10.0.0.0/8", "192.0.2.7/32"]


def test_a_viewer_cannot_register_a_device() -> None:
    viewer = make_member(make_manager().tenant, Role.VIEWER)

    with pytest.raises(NotAllowed):
        make_device(viewer)

    assert Device.dangerously_unscoped.count() == 0


def test_disable_and_enable_are_audited_once_each() -> None:
    manager = make_manager()
    device = make_device(manager).device
    principal = principal_for(manager)

    with tenant_context(manager.tenant):
        device_disable(principal=principal, device=device)
        device_disable(principal=principal, device=device)
        device_enable(principal=principal, device=device)

    assert list(
        AuditEntry.objects.filter(action__in=["device_disabled", "device_enabled"])
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == ["device_disabled", "device_enabled"]
    assert Device.dangerously_unscoped.get(pk=device.pk).enabled is True


def test_token_rotation_stops_the_old_token() -> None:
    manager = make_manager()
    created = make_device(manager)

    with tenant_context(manager.tenant):
        rotated = device_token_rotate(principal=principal_for(manager), device=created.device)

    stored = Device.dangerously_unscoped.get(pk=created.device.pk)
    assert device_token_matches(rotated.token, stored.token_hash) is True
    assert device_token_matches(created.token, stored.token_hash) is False


def test_assignment_history_is_kept_and_one_stays_open() -> None:
    manager = make_manager()
    device = make_device(manager).device
    principal = principal_for(manager)
    with tenant_context(manager.tenant):
        vehicle = Vehicle.objects.create(plate="51C-123.45")
        device_assign(principal=principal, device=device, target="vehicle", vehicle=vehicle)
        device_assign(principal=principal, device=device, target="dock", place_name="Cửa 3")

    rows = list(
        DeviceAssignment.dangerously_unscoped.order_by("pk").values_list(
            "target", "place_name", "ended_at"
        )
    )
    assert [(r[0], r[1], r[2] is None) for r in rows] == [
        ("vehicle", "", False),
        ("dock", "Cửa 3", True),
    ]


def test_assignment_to_another_tenants_vehicle_is_refused_and_changes_nothing() -> None:
    manager = make_manager()
    other = make_manager()
    device = make_device(manager).device
    with tenant_context(other.tenant):
        vehicle = Vehicle.objects.create(plate="29A-999.99")

    with tenant_context(manager.tenant), pytest.raises(InvalidAssignment):
        device_assign(
            principal=principal_for(manager), device=device, target="vehicle", vehicle=vehicle
        )

    assert DeviceAssignment.dangerously_unscoped.count() == 0


def test_api_create_shows_the_token_and_list_never_does(client: Client) -> None:
    manager = make_manager()
    sign_in(client, manager)

    created = client.post(
        "/api/v1/devices",
        data={"kind": "gps_tracker", "identifier": "TRK-0001", "name": "Xe 51C"},
        content_type="application/json",
    )
    listed = client.get("/api/v1/devices")

    assert created.status_code == 201
    token = created.json()["token"]
    assert device_token_matches(token, Device.dangerously_unscoped.get().token_hash)
    assert listed.status_code == 200
    assert token not in listed.content.decode()
    assert [d["identifier"] for d in listed.json()] == ["TRK-0001"]


def test_api_create_with_a_taken_identifier_answers_409(client: Client) -> None:
    make_device(make_manager(), identifier="TRK-0001")
    manager = make_manager()
    sign_in(client, manager)

    answer = client.post(
        "/api/v1/devices",
        data={"kind": "gps_tracker", "identifier": "TRK-0001", "name": "Xe 51C"},
        content_type="application/json",
    )

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "device_identifier_taken"
    assert Device.dangerously_unscoped.count() == 1
