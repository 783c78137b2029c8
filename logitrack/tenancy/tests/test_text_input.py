"""Human text entering tenancy (sign-up, company profile, API keys) goes through the text layer:
hazards answer 4xx with a field error and change nothing; the rest is stored normalised.
These run on SQLite and PostgreSQL, where a NUL reaching the database used to answer 500."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import ApiKey, Membership, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in
from logitrack.tenancy.tests.test_signup import TAX_CODE, api_data, page_data

pytestmark = pytest.mark.django_db

HAZARDS = [
    ("\x00", "text_control_character"),
    ("\x1b[2J", "text_control_character"),
    ("\u202e", "text_bidi_control"),
    ("\u2067", "text_bidi_control"),
    ("\ud800", "text_invalid_character"),
]
# A form post is UTF-8 bytes decoded by Django, so it cannot carry a lone surrogate.
PAGE_HAZARDS = HAZARDS[:-1]


@pytest.fixture
def owner() -> Membership:
    return make_member(make_tenant(), Role.OWNER)


def _json(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    # json.dumps escapes a lone surrogate as \ud800, as a client would send it.
    send = getattr(client, method)
    return send(path, data=json.dumps(body), content_type="application/json")


def _field_errors(response: Any) -> list[tuple[str, str]]:
    return [(f["field"], f["code"]) for f in response.json()["error"]["fields"]]


def _snapshot() -> tuple[int, int, int, int]:
    return (
        Tenant.objects.count(),
        User.objects.count(),
        Membership.dangerously_unscoped.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(("hazard", "code"), HAZARDS)
@pytest.mark.parametrize(
    "field", ["company_name", "tax_code", "street_address", "owner_full_name", "owner_email"]
)
def test_the_public_sign_up_refuses_hazards_in_every_text_field_and_stores_nothing(
    client: Client, field: str, hazard: str, code: str
) -> None:
    before = _snapshot()
    body = api_data()
    body[field] = f"{body[field]}{hazard}"

    response = _json(client, "post", "/api/v1/signup", body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert _field_errors(response) == [(field, code)]
    assert _snapshot() == before


def test_the_sign_up_stores_the_company_and_owner_names_normalised(client: Client) -> None:
    response = _json(
        client,
        "post",
        "/api/v1/signup",
        api_data(
            company_name="  Công   ty\u00a0TNHH  Sông Hàn \u200b",
            owner_full_name="Nguye\u0302\u0303n  Thi\u0323  Bi\u0301ch",
            street_address="\t12  Nguye\u0302\u0303n Hue\u0302\u0323 ",
        ),
    )

    assert response.status_code == 202
    tenant = Tenant.objects.get(tax_code=TAX_CODE)
    assert tenant.name == "Công ty TNHH Sông Hàn"
    assert tenant.street_address == "12 Nguyễn Huệ"
    owner = Membership.dangerously_unscoped.select_related("user").get(tenant=tenant).user
    assert owner.full_name == "Nguyễn Thị Bích"


def test_a_company_name_of_invisible_characters_only_is_refused_as_missing(
    client: Client,
) -> None:
    before = _snapshot()

    response = _json(client, "post", "/api/v1/signup", api_data(company_name="\u200b\ufeff \u2060"))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "company_field_invalid"
    assert _field_errors(response) == [("name", "company_field_invalid")]
    assert _snapshot() == before


@pytest.mark.parametrize(("hazard", "code"), PAGE_HAZARDS)
def test_the_sign_up_page_refuses_hazards_with_a_field_error(
    client: Client, hazard: str, code: str
) -> None:
    before = _snapshot()

    response = client.post(reverse("tenancy:signup"), page_data(name=f"Công ty{hazard}"))

    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["name"]] == [code]
    assert _snapshot() == before


def test_the_sign_up_page_requires_a_name_that_is_not_only_invisible(client: Client) -> None:
    before = _snapshot()

    response = client.post(reverse("tenancy:signup"), page_data(name="\u200b \ufeff"))

    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["name"]] == ["required"]
    assert _snapshot() == before


@pytest.mark.parametrize(("hazard", "code"), HAZARDS)
@pytest.mark.parametrize("field", ["name", "street_address", "industry", "data_region"])
def test_changing_the_company_through_the_api_refuses_hazards_and_changes_nothing(
    client: Client, owner: Membership, field: str, hazard: str, code: str
) -> None:
    sign_in(client, owner)
    before = Tenant.objects.values().get(pk=owner.tenant_id)

    response = _json(client, "patch", "/api/v1/tenant", {field: f"Công ty Mới{hazard}"})

    assert response.status_code == 422
    assert _field_errors(response) == [(field, code)]
    assert Tenant.objects.values().get(pk=owner.tenant_id) == before
    assert not AuditEntry.objects.filter(action="tenant_updated").exists()


def test_changing_the_company_name_through_the_api_stores_it_normalised(
    client: Client, owner: Membership
) -> None:
    sign_in(client, owner)

    response = _json(client, "patch", "/api/v1/tenant", {"name": "  Công   ty  "})

    assert response.status_code == 200
    assert response.json()["name"] == "Công ty"
    assert Tenant.objects.get(pk=owner.tenant_id).name == "Công ty"


def _company_page(owner: Membership, **changes: str) -> dict[str, str]:
    tenant = owner.tenant
    data = {
        "name": tenant.name,
        "industry": tenant.industry,
        "street_address": str(tenant.street_address),
        "province_code": str(tenant.province_code),
        "ward_code": str(tenant.ward_code),
        "data_region": tenant.data_region,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(("hazard", "code"), PAGE_HAZARDS)
def test_the_company_page_refuses_hazards_and_changes_nothing(
    client: Client, owner: Membership, hazard: str, code: str
) -> None:
    sign_in(client, owner)
    before = Tenant.objects.values().get(pk=owner.tenant_id)

    response = client.post(
        reverse("tenancy:company-edit"), _company_page(owner, street_address=f"1 Lê Lợi{hazard}")
    )

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["street_address"]] == [code]
    assert Tenant.objects.values().get(pk=owner.tenant_id) == before


def test_the_company_page_stores_the_name_normalised(client: Client, owner: Membership) -> None:
    sign_in(client, owner)

    response = client.post(
        reverse("tenancy:company-edit"),
        _company_page(owner, name="  Công   ty  Nguye\u0302\u0303n "),
    )

    assert response.status_code == 302
    assert Tenant.objects.get(pk=owner.tenant_id).name == "Công ty Nguyễn"


def _keys(tenant: Tenant) -> list[ApiKey]:
    with tenant_context(tenant):
        return list(ApiKey.objects.all())


def _api_key_body(**changes: Any) -> dict[str, Any]:
    body = {
        "name": "Website đặt hàng",
        "permissions": ["tenant.view"],
        "expires_at": (timezone.now() + timedelta(days=90)).isoformat(),
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(("hazard", "code"), HAZARDS)
def test_an_api_key_name_with_a_hazard_is_refused_and_no_key_is_created(
    client: Client, owner: Membership, hazard: str, code: str
) -> None:
    sign_in(client, owner)

    response = _json(client, "post", "/api/v1/api-keys", _api_key_body(name=f"Web{hazard}"))

    assert response.status_code == 422
    assert _field_errors(response) == [("name", code)]
    assert _keys(owner.tenant) == []


def test_an_api_key_permission_with_a_hazard_is_refused(client: Client, owner: Membership) -> None:
    sign_in(client, owner)

    response = _json(
        client, "post", "/api/v1/api-keys", _api_key_body(permissions=["tenant.view\x00"])
    )

    assert response.status_code == 422
    assert _field_errors(response) == [("permissions.0", "text_control_character")]
    assert _keys(owner.tenant) == []


def test_an_api_key_name_is_stored_normalised(client: Client, owner: Membership) -> None:
    sign_in(client, owner)

    response = _json(client, "post", "/api/v1/api-keys", _api_key_body(name=" Web \u3000 shop "))

    assert response.status_code == 201
    assert [k.name for k in _keys(owner.tenant)] == ["Web shop"]


@pytest.mark.parametrize(("hazard", "code"), PAGE_HAZARDS)
def test_the_api_key_page_refuses_hazards_and_creates_no_key(
    client: Client, owner: Membership, hazard: str, code: str
) -> None:
    sign_in(client, owner)

    response = client.post(
        reverse("tenancy:api-key-create"),
        {"name": f"Web{hazard}", "permissions": ["tenant.view"], "lifetime_days": "90"},
    )

    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["name"]] == [code]
    assert _keys(owner.tenant) == []


def test_the_api_key_service_refuses_a_nul_from_any_caller(owner: Membership) -> None:
    from logitrack.tenancy.errors import InvalidApiKeyName
    from logitrack.tenancy.tests.factories import make_api_key

    with translation.override("en"), pytest.raises(InvalidApiKeyName) as refused:
        make_api_key(owner, set(), name="Web\x00")
    # The text layer's own reason, not the generic "at most 100 characters".
    assert str(refused.value.message) == "Remove the control character (U+0000)."
    assert refused.value.field == "name"
    assert _keys(owner.tenant) == []


@pytest.mark.parametrize("blank", ["", "   ", "\u200b\ufeff"])
def test_a_blank_owner_name_is_refused_as_a_field_error_and_stores_nothing(
    client: Client, blank: str
) -> None:
    before = _snapshot()

    response = _json(client, "post", "/api/v1/signup", api_data(owner_full_name=blank))

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "full_name_invalid"
    assert _snapshot() == before


def _invite(owner: Membership) -> str:
    from logitrack.tenancy.services import membership_invite
    from logitrack.tenancy.tests.factories import principal_for

    with tenant_context(owner.tenant):
        created = membership_invite(
            principal=principal_for(owner), email="tai@example.vn", role=Role.DRIVER
        )
    return created.token


def _accept_body(token: str, **changes: Any) -> dict[str, Any]:
    body = {
        "token": token,
        "full_name": "Lê Văn Tài",
        "password": "lúa-chín-vàng-trên-đồng-xa",
        "date_of_birth": "1990-01-01",
        "privacy_consent": True,
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(("hazard", "code"), HAZARDS)
@pytest.mark.parametrize("field", ["token", "full_name"])
def test_accepting_an_invitation_through_the_api_refuses_hazards_and_creates_nobody(
    client: Client, owner: Membership, field: str, hazard: str, code: str
) -> None:
    token = _invite(owner)
    body = _accept_body(token)
    body[field] = f"{body[field]}{hazard}"
    before = _snapshot()

    response = _json(client, "post", "/api/v1/invitations/accept", body)

    assert response.status_code == 422
    assert _field_errors(response) == [(field, code)]
    assert _snapshot() == before


def test_accepting_an_invitation_through_the_api_stores_the_name_normalised(
    client: Client, owner: Membership
) -> None:
    token = _invite(owner)

    response = _json(
        client,
        "post",
        "/api/v1/invitations/accept",
        _accept_body(token, full_name="  Le\u0302   Va\u0306n Ta\u0300i\u200b "),
    )

    assert response.status_code == 201
    assert User.objects.get(email="tai@example.vn").full_name == "Lê Văn Tài"


@pytest.mark.parametrize(("hazard", "code"), PAGE_HAZARDS)
def test_the_invitation_page_refuses_hazards_in_the_name_and_creates_nobody(
    client: Client, owner: Membership, hazard: str, code: str
) -> None:
    token = _invite(owner)
    before = _snapshot()

    response = client.post(
        reverse("tenancy:invitation-accept", kwargs={"token": token}),
        {
            "full_name": f"Lê Văn Tài{hazard}",
            "password": "lúa-chín-vàng-trên-đồng-xa",
            "date_of_birth": "1990-01-01",
            "privacy_consent": "on",
        },
    )

    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["full_name"]] == [code]
    assert _snapshot() == before


@pytest.mark.parametrize(("hazard", "code"), HAZARDS)
@pytest.mark.parametrize("field", ["email", "role"])
def test_inviting_through_the_api_refuses_hazards_and_invites_nobody(
    client: Client, owner: Membership, field: str, hazard: str, code: str
) -> None:
    from logitrack.tenancy.models import Invitation

    sign_in(client, owner)
    body = {"email": "tai@example.vn", "role": "driver"}
    body[field] = f"{body[field]}{hazard}"

    response = _json(client, "post", "/api/v1/invitations", body)

    assert response.status_code == 422
    assert _field_errors(response) == [(field, code)]
    with tenant_context(owner.tenant):
        assert not Invitation.objects.exists()


@pytest.mark.parametrize(("hazard", "code"), HAZARDS)
def test_changing_a_members_level_through_the_api_refuses_hazards_and_changes_nothing(
    client: Client, owner: Membership, hazard: str, code: str
) -> None:
    member = make_member(owner.tenant, Role.VIEWER)
    sign_in(client, owner)

    response = _json(
        client, "patch", f"/api/v1/members/{member.pk}", {"role": f"dispatcher{hazard}"}
    )

    assert response.status_code == 422
    assert _field_errors(response) == [("role", code)]
    with tenant_context(owner.tenant):
        assert Membership.objects.get(pk=member.pk).role == "viewer"
