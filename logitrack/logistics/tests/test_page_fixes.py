"""Issue 7 fixes on the dispatcher pages: phone changes, documents on the shipment page,
navigation to the driver's page and the imports."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.documents.tests import samples
from logitrack.logistics.models import Order
from logitrack.logistics.tests.factories import make_order
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


def _search(client: HttpsClient, phone: str) -> str:
    return str(client.get("/operations/shipments/", {"q": phone}).content.decode())


def test_a_phone_changed_through_the_api_is_found_by_the_new_phone_only(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    created = make_order(tenant)
    waybill = created.shipments[0].waybill
    api = HttpsClient(enforce_csrf_checks=False)
    sign_in(api, make_member(tenant, Role.DISPATCHER))

    response = api.patch(
        f"/api/v1/orders/{created.order.pk}",
        data=json.dumps({"consignee": {"name": "Trần Thị Bích", "phone": "0987 654 321"}}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert waybill in _search(dispatcher, "0987654321")
    assert waybill not in _search(dispatcher, "0912345678")
    with tenant_context(tenant):
        assert list(Order.objects.filter(consignee_phone="+84987654321")) == [created.order]


def test_a_phone_changed_on_the_edit_page_is_found_by_the_new_phone_only(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    from logitrack.logistics.views.order_form import initial_of

    created = make_order(tenant)
    waybill = created.shipments[0].waybill
    with tenant_context(tenant):
        form = {k: "" if v is None else str(v) for k, v in initial_of(created.order).items()}
    form["consignee_phone"] = "0987 654 321"

    response = dispatcher.post(f"/operations/orders/{created.order.pk}/edit/", form)

    assert response.status_code == 302
    assert waybill in _search(dispatcher, "+84987654321")
    assert waybill not in _search(dispatcher, "0912345678")


def test_an_uploaded_document_shows_on_the_shipment_page(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    shipment = make_order(tenant).shipments[0]
    upload = dispatcher.post(
        f"/api/v1/shipments/{shipment.waybill}/documents",
        data={
            "kind": "invoice",
            "file": SimpleUploadedFile("hoá đơn.pdf", samples.pdf(), "application/pdf"),
        },
    )
    assert upload.status_code == 201

    page = dispatcher.get(f"/operations/shipments/{shipment.waybill}/").content.decode()

    assert f'data-document="{upload.json()["id"]}"' in page
    assert "hoá đơn.pdf" in page
    assert f"/documents/shipments/{shipment.waybill}/upload/" in page


def test_the_menu_and_the_start_page_lead_a_driver_to_the_deliveries(
    client: HttpsClient, tenant: Tenant
) -> None:
    sign_in(client, make_member(tenant, Role.DRIVER))

    page = client.get("/").content.decode()

    assert page.count('href="/driver/"') == 2
    assert 'href="/imports/"' not in page


def test_the_menu_and_the_start_page_lead_a_dispatcher_to_the_imports(
    dispatcher: HttpsClient,
) -> None:
    page = dispatcher.get("/").content.decode()

    assert page.count('href="/imports/"') == 2
    assert 'href="/driver/"' not in page


def test_bulk_cancel_asks_for_confirmation_and_changes_nothing(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    made = make_order(tenant, parcels=2).shipments

    response = dispatcher.post(
        "/operations/shipments/bulk/", {"waybills": [s.waybill for s in made], "action": "cancel"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "data-cancel-confirm" in page
    assert 'name="action" value="cancel_confirmed"' in page
    for shipment in made:
        assert f'name="waybills" value="{shipment.waybill}"' in page
        shipment.refresh_from_db()
        assert shipment.status == "created"


def test_bulk_cancel_confirmation_is_refused_to_a_viewer(
    client: HttpsClient, tenant: Tenant
) -> None:
    shipment = make_order(tenant).shipments[0]
    sign_in(client, make_member(tenant, Role.VIEWER))

    response = client.post(
        "/operations/shipments/bulk/", {"waybills": [shipment.waybill], "action": "cancel"}
    )

    assert response.status_code == 302
    assert "data-cancel-confirm" not in response.content.decode()
