"""Dispatcher pages: lists with search and filters, order forms, shipment detail, bulk actions,
and the operations dashboard on the home page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.logistics.models import Order, Shipment, ShipmentEvent
from logitrack.logistics.tests.factories import (
    PROVINCE_HANOI,
    PROVINCE_HCMC,
    WARD_IN_HANOI,
    WARD_IN_HCMC,
    make_order,
    make_shipper,
)
from logitrack.logistics.tests.timeline import add_status_event
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant()


@pytest.fixture
def dispatcher(client: HttpsClient, tenant: Tenant) -> HttpsClient:
    sign_in(client, make_member(tenant, Role.DISPATCHER))
    return client


def _order_form(shipper_id: int, **fields: str) -> dict[str, str]:
    values = {
        "form_token": "test-token-0123456789abcdef",
        "shipper": str(shipper_id),
        "reference": "DH-2026-001",
        "consignee_name": "Phạm Thị Hoa",
        "consignee_phone": "0903 111 222",
        "delivery_street": "8 Hàng Bài",
        "delivery_province": str(PROVINCE_HANOI),
        "delivery_ward": str(WARD_IN_HANOI),
        "service_level": "express",
        "cod_amount_vnd": "350000",
        "weight_g": "900",
        "parcel_count": "2",
        "item_1_description": "Nón lá",
        "item_1_quantity": "3",
        "item_1_value": "120000",
    }
    values.update(fields)
    return values


def _orders(tenant: Tenant) -> int:
    return int(Order.dangerously_unscoped.filter(tenant=tenant).count())


def test_shipments_list_shows_own_shipments_only(dispatcher: HttpsClient, tenant: Tenant) -> None:
    own = make_order(tenant).shipments[0]
    other = make_order(make_tenant()).shipments[0]

    page = dispatcher.get("/operations/shipments/").content.decode()

    assert own.waybill in page
    assert other.waybill not in page
    assert "Trần Thị Bích" in page


def test_search_finds_a_shipment_by_the_consignee_phone_in_any_spelling(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    wanted = make_order(tenant).shipments[0]
    unwanted = make_order(tenant, consignee={"name": "Vũ An", "phone": "0977000111"}).shipments[0]

    page = dispatcher.get("/operations/shipments/", {"q": "+84 912-345-678"}).content.decode()

    assert wanted.waybill in page
    assert unwanted.waybill not in page


def test_search_by_waybill_and_by_reference(dispatcher: HttpsClient, tenant: Tenant) -> None:
    first = make_order(tenant, reference="SHOP-77")
    second = make_order(tenant, reference="SHOP-78")
    waybill = second.shipments[0].waybill

    by_reference = dispatcher.get("/operations/shipments/", {"q": "SHOP-77"}).content.decode()
    by_waybill = dispatcher.get("/operations/shipments/", {"q": waybill.lower()}).content.decode()

    assert first.shipments[0].waybill in by_reference
    assert waybill not in by_reference
    assert waybill in by_waybill
    assert first.shipments[0].waybill not in by_waybill


def test_filters_by_status_and_province(dispatcher: HttpsClient, tenant: Tenant) -> None:
    hanoi = make_order(tenant).shipments[0]
    saigon = make_order(
        tenant,
        delivery={"street": "1 Lê Lợi", "ward_code": WARD_IN_HCMC, "province_code": PROVINCE_HCMC},
    ).shipments[0]
    add_status_event(saigon, "picked_up")

    by_province = dispatcher.get(
        "/operations/shipments/", {"province": str(PROVINCE_HCMC)}
    ).content.decode()
    by_status = dispatcher.get("/operations/shipments/", {"status": "created"}).content.decode()

    assert saigon.waybill in by_province
    assert hanoi.waybill not in by_province
    assert hanoi.waybill in by_status
    assert saigon.waybill not in by_status


def test_list_pages_keep_the_filters(
    dispatcher: HttpsClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("logitrack.logistics.selectors_pages.PAGE_SIZE", 2)
    made = [make_order(tenant).shipments[0] for _ in range(3)]

    first = dispatcher.get("/operations/shipments/", {"status": "created"}).content.decode()
    second = dispatcher.get(
        "/operations/shipments/", {"status": "created", "page": "2"}
    ).content.decode()

    assert made[2].waybill in first
    assert made[1].waybill in first
    assert made[0].waybill not in first
    assert "?status=created&amp;page=2" in first
    assert made[0].waybill in second


def test_lists_refuse_a_driver(client: HttpsClient, tenant: Tenant) -> None:
    sign_in(client, make_member(tenant, Role.DRIVER))

    assert client.get("/operations/shipments/").status_code == 403
    assert client.get("/operations/orders/").status_code == 403


def test_order_form_creates_the_order_and_its_parcels(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    shipper = make_shipper(tenant)

    response = dispatcher.post("/operations/orders/new/", _order_form(shipper.pk))

    assert response.status_code == 302
    order = Order.dangerously_unscoped.get(tenant=tenant)
    assert response["Location"] == f"/operations/orders/{order.pk}/"
    assert order.consignee_phone == "+84903111222"
    assert order.cod_amount_vnd == 350_000
    assert order.delivery_ward_code == WARD_IN_HANOI
    assert Shipment.dangerously_unscoped.filter(order=order).count() == 2


def test_order_form_with_a_new_shipper_creates_it_from_the_pickup_address(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    form = _order_form(
        0,
        shipper="",
        shipper_name="Tiệm Gốm Bát Tràng",
        pickup_street="3 Giang Cao",
        pickup_province=str(PROVINCE_HANOI),
        pickup_ward=str(WARD_IN_HANOI),
    )

    response = dispatcher.post("/operations/orders/new/", form)

    assert response.status_code == 302
    order = Order.dangerously_unscoped.select_related("shipper").get(tenant=tenant)
    assert order.shipper.name == "Tiệm Gốm Bát Tràng"
    assert order.pickup_street == "3 Giang Cao"


def test_a_resubmitted_order_form_creates_one_order(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    form = _order_form(make_shipper(tenant).pk)

    dispatcher.post("/operations/orders/new/", form)
    again = dispatcher.post("/operations/orders/new/", form)

    assert again.status_code == 302
    assert _orders(tenant) == 1


def test_order_form_refuses_a_commune_outside_the_province(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    form = _order_form(make_shipper(tenant).pk, delivery_ward=str(WARD_IN_HCMC))

    response = dispatcher.post("/operations/orders/new/", form)

    assert response.status_code == 400
    assert "Xã/phường này không thuộc tỉnh/thành phố đã chọn." in response.content.decode()
    assert _orders(tenant) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("cod_amount_vnd", "100000001"), ("weight_g", "-5"), ("consignee_phone", "12")],
)
def test_order_form_refuses_bad_numbers_and_saves_nothing(
    dispatcher: HttpsClient, tenant: Tenant, field: str, value: str
) -> None:
    form = _order_form(make_shipper(tenant).pk, **{field: value})

    response = dispatcher.post("/operations/orders/new/", form)

    assert response.status_code == 400
    assert _orders(tenant) == 0


def test_showing_the_communes_without_javascript_saves_nothing(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    form = _order_form(make_shipper(tenant).pk, action="communes", delivery_ward="")

    response = dispatcher.post("/operations/orders/new/", form)

    assert response.status_code == 200
    assert f'<option value="{WARD_IN_HANOI}">Phường Ba Đình</option>' in response.content.decode()
    assert _orders(tenant) == 0


def test_commune_options_follow_the_chosen_province(client: HttpsClient) -> None:
    response = client.get("/operations/orders/communes/", {"delivery_province": PROVINCE_HANOI})

    assert response.status_code == 200
    assert "Phường Ba Đình" in response.content.decode()


def test_order_edit_changes_the_reference(dispatcher: HttpsClient, tenant: Tenant) -> None:
    from logitrack.logistics.views.order_form import initial_of

    order = make_order(tenant).order
    with tenant_context(tenant):
        form = {k: "" if v is None else str(v) for k, v in initial_of(order).items()}
    form["reference"] = "DH-SỬA-1"

    response = dispatcher.post(f"/operations/orders/{order.pk}/edit/", form)

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.reference == "DH-SỬA-1"


def test_shipment_detail_shows_the_timeline_and_label_links(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    shipment = make_order(tenant).shipments[0]
    add_status_event(shipment, "picked_up", place="Kho Cầu Giấy", province_code=PROVINCE_HANOI)

    page = dispatcher.get(f"/operations/shipments/{shipment.waybill}/").content.decode()

    assert "Kho Cầu Giấy, Thành phố Hà Nội" in page
    assert "Đã lấy hàng" in page or "Picked up" in page
    assert f"/api/v1/shipments/{shipment.waybill}/label?size=a6" in page
    assert "0912 345 678" in page
    assert "+84912345678" not in page


def test_bulk_print_returns_one_pdf_with_a_page_per_shipment(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    made = make_order(tenant, parcels=3).shipments

    response = dispatcher.post(
        "/operations/shipments/bulk/",
        {"waybills": [s.waybill for s in made], "action": "print", "size": "a6"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.content.count(b"/Type /Page\n") + response.content.count(b"/Type /Page>") >= 0

    assert len(PdfReader(io.BytesIO(response.content)).pages) == 3


def test_bulk_cancel_cancels_shipments_not_yet_picked_up(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    made = make_order(tenant, parcels=2).shipments

    response = dispatcher.post(
        "/operations/shipments/bulk/",
        {"waybills": [s.waybill for s in made], "action": "cancel_confirmed"},
        follow=True,
    )

    statuses = set(
        Shipment.dangerously_unscoped.filter(order_id=made[0].order_id).values_list(
            "status", flat=True
        )
    )
    assert statuses == {"cancelled"}
    assert "2 vận đơn đã được hủy." in response.content.decode()


def test_bulk_cancel_refuses_all_when_one_was_picked_up_and_names_it(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    first, second = make_order(tenant, parcels=2).shipments
    add_status_event(second, "picked_up")
    events_before = ShipmentEvent.dangerously_unscoped.count()

    response = dispatcher.post(
        "/operations/shipments/bulk/",
        {"waybills": [first.waybill, second.waybill], "action": "cancel_confirmed"},
        follow=True,
    )

    first.refresh_from_db()
    assert first.status == "created"
    assert ShipmentEvent.dangerously_unscoped.count() == events_before
    assert second.waybill in response.content.decode()


def test_bulk_actions_ignore_another_tenants_waybills(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    foreign = make_order(make_tenant()).shipments[0]

    response = dispatcher.post(
        "/operations/shipments/bulk/", {"waybills": [foreign.waybill], "action": "cancel_confirmed"}
    )

    foreign.refresh_from_db()
    assert response.status_code == 302
    assert foreign.status == "created"


def test_dashboard_counts_today_failed_attempts_and_late_shipments(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    on_time = make_order(tenant).shipments[0]
    late = make_order(tenant, delivery_window_end=timezone.now() - timedelta(hours=2)).shipments[0]
    for status in ("picked_up", "in_transit", "at_hub", "out_for_delivery"):
        add_status_event(on_time, status)
    add_status_event(on_time, "failed_attempt", failure_reason="recipient_absent")
    assert late

    page = dispatcher.get("/").content.decode()

    assert 'data-kpi="created"><strong>2</strong>' in page
    assert 'data-kpi="failed"><strong>1</strong>' in page
    assert 'data-kpi="late"><strong>1</strong>' in page
    assert f"/operations/shipments/{late.waybill}/" in page
    assert f"/operations/shipments/{on_time.waybill}/" not in page
    assert '<g data-bar="failed_attempt">' in page


def test_dashboard_is_not_shown_without_operations_view(
    client: HttpsClient, tenant: Tenant
) -> None:
    sign_in(client, make_member(tenant, Role.DRIVER))
    make_order(tenant)

    page = client.get("/").content.decode()

    assert "data-dashboard" not in page


def test_status_form_moves_the_shipment_once_per_submit(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    shipment = make_order(tenant).shipments[0]
    form = {"status": "picked_up", "place": "Kho Tân Bình", "form_token": "status-token-0123456789"}

    first = dispatcher.post(f"/operations/shipments/{shipment.waybill}/status/", form)
    again = dispatcher.post(f"/operations/shipments/{shipment.waybill}/status/", form)

    shipment.refresh_from_db()
    assert first.status_code == 302
    assert again.status_code == 302
    assert shipment.status == "picked_up"
    assert (
        ShipmentEvent.dangerously_unscoped.filter(shipment=shipment, status="picked_up").count()
        == 1
    )


def test_status_form_refuses_a_forbidden_transition_and_changes_nothing(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    shipment = make_order(tenant).shipments[0]
    events_before = ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).count()

    response = dispatcher.post(
        f"/operations/shipments/{shipment.waybill}/status/",
        {"status": "delivered", "form_token": "status-token-forbidden-01"},
        follow=True,
    )

    shipment.refresh_from_db()
    assert shipment.status == "created"
    assert ShipmentEvent.dangerously_unscoped.filter(shipment=shipment).count() == events_before
    assert "Hãy chọn trạng thái" in response.content.decode()
