"""The orders and shipments API: shapes, status codes and stable error codes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.core.tests.test_text import fullwidth
from logitrack.logistics.models import Order, Shipment, ShipmentEvent
from logitrack.logistics.tests.factories import make_order, make_shipper, order_input
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


def _key_client(tenant: Tenant, permissions: set[Permission] | None = None) -> HttpsClient:
    owner = make_member(tenant, Role.OWNER)
    created = make_api_key(
        owner, permissions or {Permission.OPERATIONS_VIEW, Permission.OPERATIONS_MANAGE}
    )
    client = HttpsClient(headers=bearer(created.token))
    return client


def _post(client: HttpsClient, path: str, body: Any, **headers: str) -> Any:
    return client.post(
        path, data=json.dumps(body), content_type="application/json", headers=headers
    )


def _order_body(tenant: Tenant, **fields: Any) -> dict[str, Any]:
    return order_input(make_shipper(tenant), **fields).model_dump(mode="json", exclude_none=True)


def test_creating_an_order_answers_its_shipments_and_waybills() -> None:
    tenant = make_tenant()
    client = _key_client(tenant)

    response = _post(client, f"{V1}/orders", _order_body(tenant, parcels=[{"weight_g": 800}] * 2))

    assert response.status_code == 201
    body = response.json()
    assert [s["status"] for s in body["shipments"]] == ["created", "created"]
    assert body["consignee"] == {"name": "Trần Thị Bích", "phone": "+84912345678", "email": None}
    assert body["items"] == [
        {"description": "Áo dài lụa", "quantity": 2, "declared_value_vnd": 400_000}
    ]
    assert response.headers["Idempotent-Replayed"] == "false"


def test_an_order_and_a_shipper_read_back_are_created_again_unchanged() -> None:
    # A partner copies records: what GET answers must be what create takes, optional contact
    # fields left out included (they read as null, never as "", which is not an address).
    tenant = make_tenant()
    client = _key_client(tenant)
    address = _order_body(tenant)["delivery"]
    made = _post(client, f"{V1}/shippers", {"name": "Shop Hoa", "address": address}).json()
    shipper = client.get(f"{V1}/shippers/{made['id']}").json()
    assert (shipper["phone"], shipper["email"]) == (None, None)
    created = _post(client, f"{V1}/orders", _order_body(tenant, shipper_id=made["id"])).json()
    read = client.get(f"{V1}/orders/{created['id']}").json()
    assert read["consignee"]["email"] is None

    copy = {key: read[key] for key in ("shipper_id", "delivery", "consignee", "service_level")}
    copy["items"] = read["items"]
    copy["reference"] = read["reference"] + "-copy"
    copy["parcels"] = [{"weight_g": s["weight_g"]} for s in read["shipments"]]
    again = _post(client, f"{V1}/orders", copy)
    shipper_again = _post(
        client,
        f"{V1}/shippers",
        {key: shipper[key] for key in ("name", "phone", "email", "address")},
    )

    assert again.status_code == 201, again.content
    assert again.json()["consignee"] == read["consignee"]
    assert shipper_again.status_code == 201, shipper_again.content


def test_a_retried_create_with_the_idempotency_key_returns_the_same_order() -> None:
    tenant = make_tenant()
    client = _key_client(tenant)
    body = _order_body(tenant)
    first = _post(client, f"{V1}/orders", body, **{"Idempotency-Key": "k-123"})

    again = _post(client, f"{V1}/orders", body, **{"Idempotency-Key": "k-123"})
    other = _post(
        client, f"{V1}/orders", {**body, "reference": "X"}, **{"Idempotency-Key": "k-123"}
    )

    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Order.dangerously_unscoped.filter(tenant=tenant).count() == 1


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"cod_amount_vnd": 100_000_001}, "cod_above_cap", "cod_amount_vnd"),
        (
            {"delivery": {"street": "1 Lê Lợi", "ward_code": 26506, "province_code": 1}},
            "address_invalid",
            "delivery.ward_code",
        ),
    ],
)
def test_business_rule_errors_have_stable_codes(
    fields: dict[str, Any], code: str, field: str
) -> None:
    tenant = make_tenant()

    response = _post(_key_client(tenant), f"{V1}/orders", _order_body(tenant, **fields))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["fields"][0]["field"] == field
    assert Order.dangerously_unscoped.filter(tenant=tenant).count() == 0


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"parcels": [{"weight_g": -5}]}, "parcels.0.weight_g", "greater_than"),
        (
            {"consignee": {"name": "A\x00", "phone": "0912345678"}},
            "consignee.name",
            "text_control_character",
        ),
        ({"notes": "x\u202ey"}, "notes", "text_bidi_control"),
        ({"cod_amount_vnd": 2**64}, "cod_amount_vnd", "less_than_equal"),
        ({"shipper_id": 2**64}, "shipper_id", "less_than_equal"),
    ],
)
def test_malformed_orders_answer_422_with_the_field(
    change: dict[str, Any], field: str, code: str
) -> None:
    tenant = make_tenant()
    body = {**_order_body(tenant), **change}

    response = _post(_key_client(tenant), f"{V1}/orders", body)

    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert {"field": field, "code": code} == {k: fields[0][k] for k in ("field", "code")}
    assert Order.dangerously_unscoped.filter(tenant=tenant).count() == 0


def test_the_shipment_page_shows_the_timeline_and_accepts_any_spelling_of_the_waybill() -> None:
    tenant = make_tenant()
    shipment = make_order(tenant).shipments[0]
    spelled = f"{shipment.waybill[:3].lower()}-{shipment.waybill[3:8]} {shipment.waybill[8:]}"

    response = _key_client(tenant).get(f"{V1}/shipments/{spelled}")

    assert response.status_code == 200
    body = response.json()
    assert body["waybill"] == shipment.waybill
    assert [e["status"] for e in body["timeline"]] == ["created"]


@pytest.mark.parametrize("waybill", ["NOPE", "SGN1234567890", "%00", "x" * 60])
def test_an_unknown_or_malformed_waybill_is_one_not_found(waybill: str) -> None:
    tenant = make_tenant()

    response = _key_client(tenant).get(f"{V1}/shipments/{waybill}")

    assert response.status_code in {404, 422}
    if response.status_code == 404:
        assert response.json()["error"]["code"] == "waybill_not_found"


def test_another_tenants_waybill_is_not_found() -> None:
    shipment = make_order(make_tenant()).shipments[0]

    response = _key_client(make_tenant()).get(f"{V1}/shipments/{shipment.waybill}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "waybill_not_found"


def _event(client: HttpsClient, waybill: str, **fields: Any) -> Any:
    body = {
        "status": "picked_up",
        "occurred_at": timezone.now().isoformat(),
        "idempotency_key": "dev-1",
        **fields,
    }
    return _post(client, f"{V1}/shipments/{waybill}/events", body)


def test_an_event_moves_the_status_and_a_replay_answers_200() -> None:
    tenant = make_tenant()
    shipment = make_order(tenant).shipments[0]
    client = _key_client(tenant)

    first = _event(client, shipment.waybill)
    again = _event(client, shipment.waybill)

    assert first.status_code == 201
    assert first.json()["applied"] is True
    assert first.json()["status"] == "picked_up"
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["event"]["id"] == first.json()["event"]["id"]


def test_an_event_without_occurred_at_is_dated_now() -> None:
    tenant = make_tenant()
    shipment = make_order(tenant).shipments[0]
    before = timezone.now()

    response = _post(
        _key_client(tenant),
        f"{V1}/shipments/{shipment.waybill}/events",
        {"status": "picked_up", "idempotency_key": "dev-now"},
    )

    assert response.status_code == 201
    event = ShipmentEvent.dangerously_unscoped.get(shipment=shipment, idempotency_key="dev-now")
    assert before <= event.occurred_at <= timezone.now()


@pytest.mark.parametrize("days_ago", [None, 366])
def test_an_event_dated_more_than_a_year_ago_is_refused_on_occurred_at(
    days_ago: int | None,
) -> None:
    tenant = make_tenant()
    shipment = make_order(tenant).shipments[0]
    occurred_at = (
        "0001-01-01T00:00:00Z"
        if days_ago is None
        else (timezone.now() - timedelta(days=days_ago)).isoformat()
    )

    response = _event(_key_client(tenant), shipment.waybill, occurred_at=occurred_at)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "event_too_old"
    assert response.json()["error"]["fields"] == [
        {
            "field": "occurred_at",
            "code": "event_too_old",
            "message": "Thời điểm của sự kiện đã cách đây hơn một năm.",
        }
    ]
    assert ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).count() == 1
    assert Shipment.dangerously_unscoped.get(pk=shipment.pk).status == "created"


def test_an_event_dated_364_days_ago_is_kept_in_the_timeline() -> None:
    tenant = make_tenant()
    shipment = make_order(tenant).shipments[0]
    when = (timezone.now() - timedelta(days=364)).isoformat()

    response = _event(_key_client(tenant), shipment.waybill, status=None, occurred_at=when)

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("declared", "recorded"), [(None, "api"), ("api", "api"), ("partner", "partner")]
)
def test_an_api_key_records_api_or_a_declared_partner(declared: str | None, recorded: str) -> None:
    tenant = make_tenant()
    shipment = make_order(tenant).shipments[0]
    fields = {"source": declared} if declared else {}

    response = _event(_key_client(tenant), shipment.waybill, **fields)

    assert response.status_code == 201
    assert response.json()["event"]["source"] == recorded


@pytest.mark.parametrize("declared", ["user", "device", "geofence", "rfid", "import"])
def test_an_api_key_cannot_record_another_source(declared: str) -> None:
    tenant = make_tenant()
    shipment = make_order(tenant).shipments[0]

    response = _event(_key_client(tenant), shipment.waybill, source=declared)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "event_source_refused"
    assert response.json()["error"]["fields"][0]["field"] == "source"
    assert ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).count() == 1


def test_a_signed_in_person_records_user_and_cannot_declare_api() -> None:
    tenant = make_tenant()
    shipment = make_order(tenant).shipments[0]
    client = HttpsClient()
    sign_in(client, make_member(tenant, Role.DISPATCHER))

    refused = _event(client, shipment.waybill, source="api", idempotency_key="web-1")
    recorded = _event(client, shipment.waybill, idempotency_key="web-2")

    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "event_source_refused"
    assert recorded.status_code == 201
    assert recorded.json()["event"]["source"] == "user"


def test_a_forbidden_transition_answers_409_and_saves_nothing() -> None:
    tenant = make_tenant()
    shipment = make_order(tenant).shipments[0]

    response = _event(_key_client(tenant), shipment.waybill, status="delivered")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_forbidden"
    assert ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).count() == 1


def test_a_failed_attempt_without_reason_answers_reason_required() -> None:
    tenant = make_tenant()
    shipment = make_order(tenant).shipments[0]
    Shipment.dangerously_unscoped.filter(pk=shipment.pk).update(
        status="out_for_delivery", status_changed_at=timezone.now() - timedelta(hours=1)
    )

    response = _event(_key_client(tenant), shipment.waybill, status="failed_attempt")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "reason_required"


def test_the_list_filters_by_status_and_pages_with_a_cursor() -> None:
    tenant = make_tenant()
    created = [make_order(tenant).shipments[0] for _ in range(5)]
    with tenant_context(tenant):
        Shipment.objects.filter(pk=created[0].pk).update(status="delivered")
    client = _key_client(tenant)

    first = client.get(f"{V1}/shipments", {"limit": "2", "status": "created"})
    second = client.get(
        f"{V1}/shipments",
        {"limit": "2", "status": "created", "cursor": str(first.json()["next_cursor"])},
    )
    seen = [s["waybill"] for page in (first, second) for s in page.json()["items"]]
    assert seen == [s.waybill for s in reversed(created[1:])]
    assert second.json()["next_cursor"] is None


def test_a_forged_cursor_is_refused() -> None:
    response = _key_client(make_tenant()).get(f"{V1}/shipments", {"cursor": "bm9wZQ"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "cursor_invalid"


def test_search_finds_a_shipment_by_consignee_phone_and_by_reference() -> None:
    tenant = make_tenant()
    wanted = make_order(tenant, reference="SHOP-77").shipments[0]
    make_order(tenant, consignee={"name": "Lê Văn C", "phone": "0987654321"})
    client = _key_client(tenant)

    by_phone = client.get(f"{V1}/shipments", {"q": "+84 912 345 678"})
    by_reference = client.get(f"{V1}/shipments", {"q": "SHOP-77"})

    assert [s["waybill"] for s in by_phone.json()["items"]] == [wanted.waybill]
    assert [s["waybill"] for s in by_reference.json()["items"]] == [wanted.waybill]


def test_the_list_never_shows_another_tenants_shipments() -> None:
    make_order(make_tenant())
    tenant = make_tenant()
    mine = make_order(tenant).shipments[0]

    response = _key_client(tenant).get(f"{V1}/shipments")

    assert [s["waybill"] for s in response.json()["items"]] == [mine.waybill]


def test_bulk_cancel_names_the_shipments_past_pickup_and_cancels_none() -> None:
    tenant = make_tenant()
    first = make_order(tenant).shipments[0]
    second = make_order(tenant).shipments[0]
    client = _key_client(tenant)
    _event(client, second.waybill)

    refused = _post(client, f"{V1}/shipments/cancel", {"waybills": [first.waybill, second.waybill]})
    done = _post(client, f"{V1}/shipments/cancel", {"waybills": [first.waybill]})

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "cancel_not_allowed"
    assert refused.json()["error"]["waybills"] == [second.waybill]
    assert done.json() == {"cancelled": [first.waybill]}


def test_bulk_cancel_with_another_tenants_waybill_is_not_found_and_cancels_nothing() -> None:
    tenant = make_tenant()
    mine = make_order(tenant).shipments[0]
    foreign = make_order(make_tenant()).shipments[0]

    response = _post(
        _key_client(tenant), f"{V1}/shipments/cancel", {"waybills": [mine.waybill, foreign.waybill]}
    )

    assert response.status_code == 404
    assert Shipment.dangerously_unscoped.get(pk=mine.pk).status == "created"
    assert Shipment.dangerously_unscoped.get(pk=foreign.pk).status == "created"


def test_a_dispatcher_changes_and_cancels_an_order_through_the_session() -> None:
    tenant = make_tenant()
    created = make_order(tenant)
    dispatcher = make_member(tenant, Role.DISPATCHER)
    client = HttpsClient(enforce_csrf_checks=False)
    sign_in(client, dispatcher)

    patched = client.patch(
        f"{V1}/orders/{created.order.pk}",
        data=json.dumps({"notes": "Hàng dễ vỡ"}),
        content_type="application/json",
    )
    cancelled = client.post(f"{V1}/orders/{created.order.pk}/cancel")

    assert patched.status_code == 200
    assert patched.json()["notes"] == "Hàng dễ vỡ"
    assert cancelled.status_code == 200
    assert cancelled.json()["shipments"][0]["status"] == "cancelled"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"notes": "4111 1111 1111 1111"}, "notes"),
        ({"notes": "thẻ " + fullwidth("4111-1111-1111-1111")}, "notes"),
        ({"reference": "card4111111111111111"}, "reference"),
    ],
)
def test_an_order_with_a_card_number_in_a_text_field_is_refused_and_nothing_stored(
    change: dict[str, Any], field: str
) -> None:
    tenant = make_tenant()
    body = {**_order_body(tenant), **change}

    response = _post(_key_client(tenant), f"{V1}/orders", body)

    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert [(f["field"], f["code"]) for f in fields] == [(field, "text_payment_card")]
    assert "1111" not in response.content.decode()
    assert Order.dangerously_unscoped.filter(tenant=tenant).count() == 0
