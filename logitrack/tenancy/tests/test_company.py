"""Switching company, and the company profile."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from logitrack.core.testing import HttpsClient
from logitrack.security.models import AuditEntry
from logitrack.tenancy.middleware import SESSION_TENANT_KEY
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import (
    PROVINCE_HANOI,
    WARD_IN_HANOI,
    WARD_IN_HCMC,
    make_member,
    make_tenant,
    make_user,
    sign_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> Membership:
    return make_member(make_tenant(), Role.OWNER)


def test_a_person_lists_their_companies_and_switches_between_them(client: Client) -> None:
    person = make_user()
    first = make_member(make_tenant("Công ty Alpha"), Role.OWNER, user=person)
    second = make_member(make_tenant("Công ty Beta"), Role.DRIVER, user=person)
    sign_in(client, first)

    mine = client.get("/api/v1/tenants/mine")
    switched = client.post(
        "/api/v1/tenants/current",
        data=json.dumps({"tenant_id": second.tenant_id}),
        content_type="application/json",
    )

    assert mine.status_code == 200
    assert {(row["tenant_id"], row["role"], row["current"]) for row in mine.json()} == {
        (first.tenant_id, "owner", True),
        (second.tenant_id, "driver", False),
    }
    assert switched.status_code == 200
    assert switched.json() == {
        "tenant_id": second.tenant_id,
        "tenant_name": second.tenant.name,
        "role": "driver",
        "current": True,
    }
    assert client.session[SESSION_TENANT_KEY] == second.tenant_id


def test_switching_through_the_api_with_the_session_cookie_needs_the_csrf_token() -> None:
    person = make_user()
    first = make_member(make_tenant("Công ty Alpha"), Role.OWNER, user=person)
    second = make_member(make_tenant("Công ty Beta"), Role.DRIVER, user=person)
    client = HttpsClient(enforce_csrf_checks=True)
    sign_in(client, first)

    response = client.post(
        "/api/v1/tenants/current",
        data=json.dumps({"tenant_id": second.tenant_id}),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert client.session[SESSION_TENANT_KEY] == first.tenant_id


def test_the_switch_page_changes_the_company_for_the_next_requests(client: Client) -> None:
    person = make_user()
    first = make_member(make_tenant("Công ty Alpha"), Role.OWNER, user=person)
    second = make_member(make_tenant("Công ty Beta"), Role.DRIVER, user=person)
    sign_in(client, first)

    page = client.get(reverse("tenancy:switch"))
    response = client.post(reverse("tenancy:switch"), {"tenant_id": second.tenant_id})
    company = client.get("/api/v1/tenant")

    assert page.status_code == 200
    assert first.tenant.name.encode() in page.content
    assert second.tenant.name.encode() in page.content
    assert response.status_code == 302
    assert client.session[SESSION_TENANT_KEY] == second.tenant_id
    assert company.json()["id"] == second.tenant_id


def test_switching_to_a_company_one_is_not_a_member_of_changes_nothing(
    client: Client, owner: Membership
) -> None:
    stranger = make_tenant("Công ty Lạ")
    sign_in(client, owner)

    page = client.post(reverse("tenancy:switch"), {"tenant_id": stranger.pk})
    api = client.post(
        "/api/v1/tenants/current",
        data=json.dumps({"tenant_id": stranger.pk}),
        content_type="application/json",
    )

    assert page.status_code == 302
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "tenant_not_found"
    assert client.session[SESSION_TENANT_KEY] == owner.tenant_id


def test_the_company_page_shows_the_profile_with_the_address_units_by_name(
    client: Client, owner: Membership
) -> None:
    sign_in(client, owner)

    response = client.get(reverse("tenancy:company"))

    assert response.status_code == 200
    assert owner.tenant.tax_code.encode() in response.content
    assert "Phường Vũng Tàu".encode() in response.content
    assert "Thành phố Hồ Chí Minh".encode() in response.content


def test_an_owner_edits_the_company_but_not_its_tax_code(client: Client, owner: Membership) -> None:
    sign_in(client, owner)
    tax_code = owner.tenant.tax_code

    response = client.post(
        reverse("tenancy:company-edit"),
        {
            "name": "Công ty Mới",
            "industry": "warehousing",
            "street_address": "1 Tràng Tiền",
            "province_code": str(PROVINCE_HANOI),
            "ward_code": str(WARD_IN_HANOI),
            "data_region": "international",
            "tax_code": "0000000000",
        },
    )

    assert response.status_code == 302
    tenant = Tenant.objects.get(pk=owner.tenant_id)
    assert (tenant.name, tenant.industry, tenant.province_code, tenant.ward_code) == (
        "Công ty Mới",
        "warehousing",
        PROVINCE_HANOI,
        WARD_IN_HANOI,
    )
    assert tenant.street_address == "1 Tràng Tiền"
    assert tenant.data_region == "international"
    assert tenant.tax_code == tax_code
    entry = AuditEntry.objects.get(action="tenant_updated")
    assert set(entry.details["fields"]) == {
        "name",
        "industry",
        "street_address",
        "province_code",
        "ward_code",
        "data_region",
    }


def test_a_ward_of_another_province_is_refused_and_nothing_changes(
    client: Client, owner: Membership
) -> None:
    sign_in(client, owner)

    response = client.patch(
        "/api/v1/tenant",
        data=json.dumps({"province_code": PROVINCE_HANOI, "ward_code": WARD_IN_HCMC}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "address_invalid"
    assert Tenant.objects.get(pk=owner.tenant_id).ward_code == WARD_IN_HCMC


def test_a_driver_sees_the_company_but_cannot_edit_it(client: Client, owner: Membership) -> None:
    driver = make_member(owner.tenant, Role.DRIVER)
    sign_in(client, driver)

    view = client.get(reverse("tenancy:company"))
    edit = client.get(reverse("tenancy:company-edit"))
    api = client.patch(
        "/api/v1/tenant", data=json.dumps({"name": "X"}), content_type="application/json"
    )

    assert view.status_code == 200
    assert edit.status_code == 403
    assert api.status_code == 403
    assert Tenant.objects.get(pk=owner.tenant_id).name == owner.tenant.name


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    page = client.get(reverse("tenancy:company"))
    api = client.get("/api/v1/tenant")

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("web:login"))
    assert api.status_code == 401
