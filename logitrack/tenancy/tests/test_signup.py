"""Signing up a company: all or nothing, and nothing at all of a person under 16."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.security.models import AuditEntry
from logitrack.tenancy.middleware import SESSION_TENANT_KEY
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.tests.factories import (
    GOOD_PASSWORD,
    PROVINCE_HANOI,
    PROVINCE_HCMC,
    WARD_IN_HANOI,
    WARD_IN_HCMC,
    make_tenant,
    make_user,
    valid_tax_code,
)

pytestmark = pytest.mark.django_db

TAX_CODE = valid_tax_code(7)


def _years_ago(years: int, *, days_later: int = 0) -> date:
    today = timezone.localdate()
    born = today.replace(year=today.year - years)
    return born.fromordinal(born.toordinal() + days_later)


def page_data(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Công ty TNHH Giao Nhận Sông Hàn",
        "tax_code": TAX_CODE,
        "industry": "freight_forwarding",
        "street_address": "12 Nguyễn Huệ",
        "province_code": str(PROVINCE_HCMC),
        "ward_code": str(WARD_IN_HCMC),
        "data_region": "vietnam",
        "full_name": "Trần Thị Bích",
        "email": "bich@songhan.vn",
        "password": GOOD_PASSWORD,
        "date_of_birth": _years_ago(30).isoformat(),
        "privacy_consent": "on",
    }
    data.update(changes)
    return data


def api_data(**changes: Any) -> dict[str, Any]:
    data = {
        "company_name": "Công ty TNHH Giao Nhận Sông Hàn",
        "tax_code": TAX_CODE,
        "industry": "freight_forwarding",
        "street_address": "12 Nguyễn Huệ",
        "province_code": PROVINCE_HCMC,
        "ward_code": WARD_IN_HCMC,
        "data_region": "international",
        "owner_full_name": "Trần Thị Bích",
        "owner_email": "bich@songhan.vn",
        "owner_password": GOOD_PASSWORD,
        "owner_date_of_birth": _years_ago(30).isoformat(),
        "privacy_consent": True,
    }
    data.update(changes)
    return data


def _counts() -> tuple[int, int, int]:
    return (
        Tenant.objects.count(),
        User.objects.count(),
        Membership.dangerously_unscoped.count(),
    )


def _post_api(client: Client, data: dict[str, Any]) -> Any:
    return client.post("/api/v1/signup", data=json.dumps(data), content_type="application/json")


def test_the_signup_page_shows_the_form(client: Client) -> None:
    response = client.get(reverse("tenancy:signup"))

    assert response.status_code == 200
    assert b'name="tax_code"' in response.content
    assert b'name="privacy_consent"' in response.content


def test_signing_up_creates_the_company_and_its_owner_and_asks_to_confirm_the_address(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tenancy:signup"), page_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("tenancy:signup-sent")
    tenant = Tenant.objects.get(tax_code=TAX_CODE)
    user = User.objects.get(email="bich@songhan.vn")
    with tenant_context(tenant):
        assert list(Membership.objects.values_list("user_id", "role")) == [(user.pk, "owner")]
    assert tenant.street_address == "12 Nguyễn Huệ"
    assert (tenant.province_code, tenant.ward_code) == (PROVINCE_HCMC, WARD_IN_HCMC)
    # No session: a sign-up with a taken address must answer the same (docs/adr/0012).
    assert SESSION_TENANT_KEY not in client.session
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("tenancy:signup-sent")).status_code == 200
    assert [m.to for m in mail.outbox] == [["bich@songhan.vn"]]
    assert "/account/verify-email/" in mail.outbox[0].body
    actions = set(AuditEntry.objects.filter(tenant_id=tenant.pk).values_list("action", flat=True))
    assert {"tenant_created", "consent_granted"} <= actions


def test_signing_up_through_the_api_answers_202_without_starting_a_session(
    client: Client,
) -> None:
    response = _post_api(client, api_data())

    assert response.status_code == 202
    assert response.json()["status"] == "check_email"
    tenant = Tenant.objects.get(tax_code=TAX_CODE)
    assert tenant.data_region == "international"
    user = User.objects.get(email="bich@songhan.vn")
    with tenant_context(tenant):
        assert list(Membership.objects.values_list("user_id", "role")) == [(user.pk, "owner")]
    assert "_auth_user_id" not in client.session


def test_someone_under_16_is_refused_and_nothing_is_stored(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    before = _counts()
    audit_before = AuditEntry.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tenancy:signup"),
            page_data(date_of_birth=_years_ago(16, days_later=1).isoformat()),
        )

    assert response.status_code == 400
    assert b"16" in response.content
    assert _counts() == before
    assert AuditEntry.objects.count() == audit_before
    assert mail.outbox == []


def test_someone_under_16_is_refused_by_the_api_with_a_code_and_nothing_is_stored(
    client: Client,
) -> None:
    before = _counts()

    response = _post_api(client, api_data(owner_date_of_birth=_years_ago(15).isoformat()))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "under_minimum_age"
    assert _counts() == before
    assert not User.objects.filter(email="bich@songhan.vn").exists()


def test_someone_turning_16_today_may_sign_up(client: Client) -> None:
    response = _post_api(client, api_data(owner_date_of_birth=_years_ago(16).isoformat()))

    assert response.status_code == 202


def test_a_taken_email_creates_nothing_and_answers_like_a_new_sign_up(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    make_user(email="bich@songhan.vn")
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("tenancy:signup"), page_data(email="BICH@songhan.vn"))
        api = _post_api(client, api_data(owner_email="bich@songhan.vn"))
    new_api = _post_api(client, api_data(owner_email="new@songhan.vn", tax_code=valid_tax_code(8)))

    assert page.status_code == 302
    assert page["Location"] == reverse("tenancy:signup-sent")
    assert api.status_code == new_api.status_code == 202
    assert api.json() == new_api.json()
    assert _counts()[0] == before[0] + 1  # only the new address's company
    assert [m.to for m in mail.outbox] == [["bich@songhan.vn"], ["bich@songhan.vn"]]
    assert all("/account/password-reset/" in m.body for m in mail.outbox)


def test_a_taken_tax_code_is_refused_and_no_account_is_created(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    make_tenant(tax_code=TAX_CODE)
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("tenancy:signup"), page_data())
        api = _post_api(client, api_data())

    assert page.status_code == 400
    assert api.status_code == 409
    assert api.json()["error"]["code"] == "tax_code_taken"
    assert _counts() == before
    assert mail.outbox == []


def test_an_invalid_tax_code_is_refused_with_a_code(client: Client) -> None:
    before = _counts()

    response = _post_api(client, api_data(tax_code=TAX_CODE[:9] + str((int(TAX_CODE[9]) + 1) % 10)))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "tax_code_invalid"
    assert _counts() == before


def test_a_ward_outside_the_chosen_province_is_refused(client: Client) -> None:
    before = _counts()

    page = client.post(reverse("tenancy:signup"), page_data(ward_code=str(WARD_IN_HANOI)))
    api = _post_api(client, api_data(ward_code=WARD_IN_HANOI))

    assert page.status_code == 400
    assert b'id="id_ward_code_error"' in page.content
    assert api.status_code == 422
    assert api.json()["error"]["code"] == "address_invalid"
    assert _counts() == before


def test_signing_up_without_consent_to_the_privacy_policy_is_refused(client: Client) -> None:
    before = _counts()
    data = page_data()
    del data["privacy_consent"]

    page = client.post(reverse("tenancy:signup"), data)
    api = _post_api(client, api_data(privacy_consent=False))

    assert page.status_code == 400
    assert api.json()["error"]["code"] == "consent_required"
    assert _counts() == before


def test_a_weak_password_is_refused_with_the_policys_reasons(client: Client) -> None:
    before = _counts()

    response = _post_api(client, api_data(owner_password="12345678"))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "password_rejected"
    assert _counts() == before


def test_without_javascript_the_form_lists_the_communes_of_the_chosen_province(
    client: Client,
) -> None:
    response = client.post(
        reverse("tenancy:signup"),
        {"action": "wards", "province_code": str(PROVINCE_HANOI), "name": "Công ty Hà Thành"},
    )

    assert response.status_code == 200
    assert f'value="{WARD_IN_HANOI}"'.encode() in response.content
    assert f'value="{WARD_IN_HCMC}"'.encode() not in response.content
    assert "Công ty Hà Thành".encode() in response.content
    assert Tenant.objects.count() == 0


def test_the_ward_list_of_a_province_is_served_for_htmx_and_as_json(client: Client) -> None:
    partial = client.get(reverse("tenancy:wards"), {"province_code": PROVINCE_HANOI})
    api = client.get(f"/api/v1/geography/provinces/{PROVINCE_HANOI}/wards")

    assert partial.status_code == 200
    assert f'<option value="{WARD_IN_HANOI}">'.encode() in partial.content
    assert {"code": WARD_IN_HANOI, "name": "Phường Ba Đình"} in api.json()
    assert client.get("/api/v1/geography/provinces/999/wards").status_code == 404
