"""POST /api/v1/driver/shipments/{waybill}/events: a driver's phone reports a delivery or a
failed attempt of a shipment on the driver's list, through the one transition service, as a
signed-in driver or with an API key holding ``driver.tasks``."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from logitrack.core.testing import HttpsClient
from logitrack.logistics.models import Shipment, ShipmentEvent
from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import (
    bearer,
    make_api_key,
    make_member,
    make_tenant,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True)

V1 = "/api/v1"


def _shipment(tenant: Tenant, status: str = "out_for_delivery") -> Shipment:
    return make_shipment_row(make_order_row(make_shipper(tenant)), status=status)


def _driver_session(tenant: Tenant) -> HttpsClient:
    client = HttpsClient()
    sign_in(client, make_member(tenant, Role.DRIVER))
    return client


def _driver_key(tenant: Tenant) -> HttpsClient:
    owner = make_member(tenant, Role.OWNER)
    return HttpsClient(headers=bearer(make_api_key(owner, {Permission.DRIVER_TASKS}).token))


def _report(client: HttpsClient, waybill: str, **body: Any) -> Any:
    payload = {"status": "delivered", "idempotency_key": "phone-event-0001", **body}
    return client.post(
        f"{V1}/driver/shipments/{waybill}/events",
        data=json.dumps(payload),
        content_type="application/json",
    )


def _state(shipment: Shipment) -> tuple[str, int]:
    status = Shipment.dangerously_unscoped.get(pk=shipment.pk).status
    return status, ShipmentEvent.dangerously_unscoped.filter(shipment_id=shipment.pk).count()


@pytest.mark.parametrize("principal", ["session", "api_key"])
def test_a_driver_records_a_delivery_once_and_a_resend_returns_the_first_outcome(
    principal: str,
) -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant)
    client = _driver_session(tenant) if principal == "session" else _driver_key(tenant)

    first = _report(client, shipment.waybill, place="12 Lê Lợi")
    again = _report(client, shipment.waybill, place="12 Lê Lợi")

    assert first.status_code == 201
    body = first.json()
    assert (body["applied"], body["replayed"], body["status"]) == (True, False, "delivered")
    assert body["event"]["source"] == ("user" if principal == "session" else "api")
    assert body["event"]["status"] == "delivered"
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["event"]["id"] == body["event"]["id"]
    assert _state(shipment) == ("delivered", 1)
    audit = AuditEntry.objects.filter(action="shipment_event_recorded", object_id=str(shipment.pk))
    assert audit.count() == 1


@pytest.mark.parametrize("principal", ["session", "api_key"])
def test_a_driver_records_a_failed_attempt_with_its_reason(principal: str) -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant)
    client = _driver_session(tenant) if principal == "session" else _driver_key(tenant)

    missing = _report(client, shipment.waybill, status="failed_attempt", idempotency_key="k-1")
    recorded = _report(
        client,
        shipment.waybill,
        status="failed_attempt",
        reason="recipient_absent",
        idempotency_key="k-2",
    )

    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "reason_required"
    assert recorded.status_code == 201
    assert recorded.json()["event"]["reason"] == "recipient_absent"
    assert _state(shipment) == ("failed_attempt", 1)


@pytest.mark.parametrize("principal", ["session", "api_key"])
@pytest.mark.parametrize("status", ["at_hub", "delivered", "failed_attempt", "created"])
def test_a_shipment_that_is_not_on_the_drivers_list_is_refused_and_unchanged(
    principal: str, status: str
) -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant, status=status)
    client = _driver_session(tenant) if principal == "session" else _driver_key(tenant)
    # Even an event dated before the current status (which would only be filed) is refused.
    earlier = (timezone.now() - timedelta(days=2)).isoformat()

    now = _report(client, shipment.waybill, idempotency_key="k-now")
    late = _report(client, shipment.waybill, idempotency_key="k-late", occurred_at=earlier)

    assert (now.status_code, late.status_code) == (409, 409)
    assert now.json()["error"]["code"] == "transition_forbidden"
    assert late.json()["error"]["code"] == "transition_forbidden"
    assert _state(shipment) == (status, 0)


@pytest.mark.parametrize("principal", ["session", "api_key"])
@pytest.mark.parametrize("status", ["picked_up", "in_transit", "returning", "cancelled", ""])
def test_a_driver_reports_only_deliveries_and_failed_attempts(principal: str, status: str) -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant)
    client = _driver_session(tenant) if principal == "session" else _driver_key(tenant)

    response = _report(client, shipment.waybill, status=status or None)

    assert response.status_code == 422
    assert _state(shipment) == ("out_for_delivery", 0)


@pytest.mark.parametrize("principal", ["session", "api_key"])
def test_the_general_event_route_still_refuses_a_driver(principal: str) -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant)
    client = _driver_session(tenant) if principal == "session" else _driver_key(tenant)

    response = client.post(
        f"{V1}/shipments/{shipment.waybill}/events",
        data=json.dumps({"status": "delivered", "idempotency_key": "k-general"}),
        content_type="application/json",
    )

    assert response.status_code == 403
    expected = "permission_denied" if principal == "session" else "api_key_permission_denied"
    assert response.json()["error"]["code"] == expected
    assert _state(shipment) == ("out_for_delivery", 0)


def test_another_companys_shipment_is_not_found_and_unchanged() -> None:
    mine, theirs = make_tenant(), make_tenant()
    foreign = _shipment(theirs)

    for client in (_driver_session(mine), _driver_key(mine)):
        response = _report(client, foreign.waybill)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "waybill_not_found"
    assert _state(foreign) == ("out_for_delivery", 0)


def test_a_key_used_for_one_shipment_is_refused_for_another() -> None:
    tenant = make_tenant()
    first, second = _shipment(tenant), _shipment(tenant)
    client = _driver_key(tenant)

    _report(client, first.waybill, idempotency_key="phone-7")
    reused = _report(client, second.waybill, idempotency_key="phone-7")

    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert _state(second) == ("out_for_delivery", 0)


def test_a_dispatcher_without_driver_tasks_cannot_use_the_drivers_route() -> None:
    tenant = make_tenant()
    shipment = _shipment(tenant)
    client = HttpsClient()
    sign_in(client, make_member(tenant, Role.DISPATCHER))

    response = _report(client, shipment.waybill)

    assert response.status_code == 403
    assert _state(shipment) == ("out_for_delivery", 0)
