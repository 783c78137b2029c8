"""The order form resolves a delivery address typed as free text or in the pre-2025 form."""

from __future__ import annotations

import pytest

from logitrack.core.crypto.api import reveal
from logitrack.core.testing import HttpsClient
from logitrack.logistics.models import Order
from logitrack.logistics.tests.factories import PROVINCE_HCMC, make_shipper
from logitrack.logistics.tests.test_pages import _order_form
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db
WARD_BEN_THANH = 26743


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant()


@pytest.fixture
def dispatcher(client: HttpsClient, tenant: Tenant) -> HttpsClient:
    sign_in(client, make_member(tenant, Role.DISPATCHER))
    return client


def _free_text(shipper_id: int, street: str, **fields: str) -> dict[str, str]:
    return _order_form(
        shipper_id, delivery_street=street, delivery_province="", delivery_ward="", **fields
    )


def test_a_legacy_address_is_resolved_and_its_old_form_kept(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    form = _free_text(make_shipper(tenant).pk, "12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM")

    response = dispatcher.post("/operations/orders/new/", form)

    assert response.status_code == 302
    order = Order.dangerously_unscoped.get(tenant=tenant)
    assert (order.delivery_province_code, order.delivery_ward_code) == (
        PROVINCE_HCMC,
        WARD_BEN_THANH,
    )
    assert reveal(order, "delivery_street") == "12 Lê Lợi"
    assert reveal(order, "delivery_legacy_text") == "P. Bến Thành, Q.1, TP.HCM"


def test_an_ambiguous_address_offers_candidates_and_saves_nothing(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    form = _free_text(make_shipper(tenant).pk, "5 Đinh Tiên Hoàng, P. Đa Kao, Q.1, TP.HCM")

    response = dispatcher.post("/operations/orders/new/", form)

    page = response.content.decode()
    assert response.status_code == 400
    assert 'type="radio" name="delivery_candidate"' in page
    assert "Phường Sài Gòn, Thành phố Hồ Chí Minh" in page
    assert "Phường Tân Định, Thành phố Hồ Chí Minh" in page
    assert Order.dangerously_unscoped.filter(tenant=tenant).count() == 0


def test_a_chosen_candidate_creates_the_order_in_that_commune(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    street = "5 Đinh Tiên Hoàng, P. Đa Kao, Q.1, TP.HCM"
    shipper = make_shipper(tenant)
    page = dispatcher.post("/operations/orders/new/", _free_text(shipper.pk, street))
    choice = page.context["form"].fields["delivery_candidate"].choices[1][0]

    response = dispatcher.post(
        "/operations/orders/new/", _free_text(shipper.pk, street, delivery_candidate=choice)
    )

    assert response.status_code == 302
    order = Order.dangerously_unscoped.get(tenant=tenant)
    assert f"{order.delivery_province_code}:{order.delivery_ward_code}" == choice


def test_a_candidate_not_offered_is_refused(dispatcher: HttpsClient, tenant: Tenant) -> None:
    form = _free_text(
        make_shipper(tenant).pk,
        "5 Đinh Tiên Hoàng, P. Đa Kao, Q.1, TP.HCM",
        delivery_candidate=f"1:{WARD_BEN_THANH}",
    )

    response = dispatcher.post("/operations/orders/new/", form)

    assert response.status_code == 400
    assert "delivery_candidate" in response.context["form"].errors
    assert Order.dangerously_unscoped.filter(tenant=tenant).count() == 0


def test_an_unknown_address_is_an_error_on_the_street(
    dispatcher: HttpsClient, tenant: Tenant
) -> None:
    form = _free_text(make_shipper(tenant).pk, "Xã Không Có Thật, Hà Nội")

    response = dispatcher.post("/operations/orders/new/", form)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["delivery_street"]
    assert Order.dangerously_unscoped.filter(tenant=tenant).count() == 0
