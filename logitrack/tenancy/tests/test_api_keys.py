"""API keys: created once, usable as a bearer token for one tenant, limited, revocable."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.security.models import AuditEntry
from logitrack.tenancy.api_keys import LAST_USED_GRANULARITY, token_hash
from logitrack.tenancy.models import ApiKey, Membership, Tenant
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import (
    bearer,
    make_api_key,
    make_member,
    make_tenant,
    sign_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner() -> Membership:
    return make_member(make_tenant(), Role.OWNER)


def _create(client: Client, **changes: Any) -> Any:
    body = {
        "name": "Website đặt hàng",
        "permissions": ["tenant.view", "operations.view"],
        "expires_at": (timezone.now() + timedelta(days=90)).isoformat(),
    }
    body.update(changes)
    return client.post("/api/v1/api-keys", data=json.dumps(body), content_type="application/json")


def _keys(tenant: Tenant) -> list[ApiKey]:
    with tenant_context(tenant):
        return list(ApiKey.objects.all())


def test_a_key_is_created_shown_once_and_then_authenticates_for_its_tenant(
    client: Client, owner: Membership
) -> None:
    sign_in(client, owner)

    created = _create(client)
    token = created.json()["token"]
    listing = client.get("/api/v1/api-keys")
    client.logout()
    used = client.get("/api/v1/tenant", headers=bearer(token))

    assert created.status_code == 201
    assert token.startswith(created.json()["prefix"] + "_")
    [key] = _keys(owner.tenant)
    assert key.secret_hash == token_hash(token)
    assert token not in json.dumps(listing.json())
    assert "token" not in listing.json()[0]
    assert used.status_code == 200
    assert used.json()["id"] == owner.tenant_id
    entry = AuditEntry.objects.get(action="authn_token_created")
    assert token not in json.dumps(entry.details)
    assert key.prefix not in json.dumps(entry.details)


def test_a_revoked_key_is_refused_with_401(client: Client, owner: Membership) -> None:
    created = make_api_key(owner, {Permission.TENANT_VIEW})
    sign_in(client, owner)

    revoked = client.delete(f"/api/v1/api-keys/{created.api_key.pk}")
    client.logout()
    used = client.get("/api/v1/tenant", headers=bearer(created.token))

    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    assert used.status_code == 401
    assert used.json()["error"]["code"] == "invalid_api_key"
    entry = AuditEntry.objects.filter(action="authn_token_reuse").latest("sequence")
    assert (entry.object_id, entry.details) == (str(created.api_key.pk), {"reason": "revoked"})


def test_revoking_twice_is_refused_and_changes_nothing(client: Client, owner: Membership) -> None:
    created = make_api_key(owner, {Permission.TENANT_VIEW})
    sign_in(client, owner)
    client.delete(f"/api/v1/api-keys/{created.api_key.pk}")
    [first] = _keys(owner.tenant)

    again = client.delete(f"/api/v1/api-keys/{created.api_key.pk}")

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "api_key_already_revoked"
    assert _keys(owner.tenant)[0].revoked_at == first.revoked_at


def test_an_expired_key_is_refused_with_401(client: Client, owner: Membership) -> None:
    created = make_api_key(owner, {Permission.TENANT_VIEW})
    with tenant_context(owner.tenant):
        key = ApiKey.objects.get()
        key.created_at = timezone.now() - timedelta(days=31)
        key.expires_at = timezone.now() - timedelta(seconds=1)
        key.save()

    response = client.get("/api/v1/tenant", headers=bearer(created.token))

    assert response.status_code == 401
    assert AuditEntry.objects.filter(
        action="authn_token_invalid", details={"reason": "expired"}
    ).exists()


def test_a_key_is_limited_to_its_permissions(client: Client, owner: Membership) -> None:
    created = make_api_key(owner, {Permission.TENANT_VIEW})

    allowed = client.get("/api/v1/tenant", headers=bearer(created.token))
    refused = client.get("/api/v1/members", headers=bearer(created.token))

    assert allowed.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "api_key_permission_denied",
        "message": "Khóa API này thiếu quyền “members.view”.",
    }


def test_a_person_refused_for_their_level_is_told_so_not_about_keys(
    client: Client, owner: Membership
) -> None:
    from logitrack.tenancy.tests.factories import make_member, sign_in

    viewer = make_member(owner.tenant, Role.VIEWER)
    sign_in(client, viewer)

    refused = client.get("/api/v1/api-keys")

    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "permission_denied",
        "message": "Cấp tài khoản của bạn không được phép thực hiện thao tác này.",
    }


def test_a_key_cannot_act_as_a_person(client: Client, owner: Membership) -> None:
    created = make_api_key(owner, {Permission.TENANT_VIEW})

    response = client.get("/api/v1/tenants/mine", headers=bearer(created.token))

    assert response.status_code == 403


def test_a_key_of_a_terminated_company_is_refused(client: Client, owner: Membership) -> None:
    created = make_api_key(owner, {Permission.TENANT_VIEW})
    Tenant.objects.filter(pk=owner.tenant_id).update(
        status=Tenant.Status.TERMINATED, terminated_at=timezone.now()
    )

    response = client.get("/api/v1/tenant", headers=bearer(created.token))

    assert response.status_code == 401


@pytest.mark.parametrize(
    "token",
    ["", "nonsense", "lt_abcdefgh_" + "A" * 43, "lt_ABCDEFGH_" + "A" * 43],
)
def test_malformed_and_unknown_tokens_are_refused_and_audited_without_the_token(
    client: Client, token: str
) -> None:
    response = client.get("/api/v1/tenant", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    if token:
        entry = AuditEntry.objects.filter(action="authn_token_invalid").latest("sequence")
        assert entry.object_id == ""
        assert token not in json.dumps(entry.details)


def test_a_wrong_secret_for_a_real_key_is_refused(client: Client, owner: Membership) -> None:
    created = make_api_key(owner, {Permission.TENANT_VIEW})
    forged = created.token[:-4] + ("AAAA" if not created.token.endswith("AAAA") else "BBBB")

    response = client.get("/api/v1/tenant", headers=bearer(forged))

    assert response.status_code == 401
    entry = AuditEntry.objects.filter(action="authn_token_invalid").latest("sequence")
    assert (entry.object_id, entry.details) == (
        str(created.api_key.pk),
        {"reason": "wrong_secret"},
    )


def test_last_use_is_recorded_at_most_once_a_minute(client: Client, owner: Membership) -> None:
    created = make_api_key(owner, {Permission.TENANT_VIEW})

    client.get("/api/v1/tenant", headers=bearer(created.token))
    [after_first] = _keys(owner.tenant)
    client.get("/api/v1/tenant", headers=bearer(created.token))
    [after_second] = _keys(owner.tenant)
    with tenant_context(owner.tenant):
        ApiKey.objects.update(last_used_at=timezone.now() - LAST_USED_GRANULARITY)
    client.get("/api/v1/tenant", headers=bearer(created.token))
    [after_third] = _keys(owner.tenant)

    assert after_first.last_used_at is not None
    assert after_second.last_used_at == after_first.last_used_at
    assert after_third.last_used_at is not None
    assert after_third.last_used_at > after_first.last_used_at


def test_a_key_cannot_get_permissions_its_creator_lacks(client: Client) -> None:
    admin = make_member(make_tenant(), Role.ADMIN)
    sign_in(client, admin)

    response = _create(client, permissions=["tenant.view", "owners.manage"])

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "api_key_permissions_invalid"
    assert _keys(admin.tenant) == []


def test_a_key_can_never_manage_keys(client: Client, owner: Membership) -> None:
    sign_in(client, owner)

    response = _create(client, permissions=["api_keys.manage"])

    assert response.status_code == 403
    assert _keys(owner.tenant) == []


@pytest.mark.parametrize("days", [0, 366])
def test_a_key_must_expire_within_a_year(client: Client, owner: Membership, days: int) -> None:
    sign_in(client, owner)

    response = _create(client, expires_at=(timezone.now() + timedelta(days=days)).isoformat())

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "api_key_expiry_invalid"
    assert _keys(owner.tenant) == []


def test_another_tenants_key_cannot_be_read_or_revoked(client: Client, owner: Membership) -> None:
    theirs = make_api_key(make_member(make_tenant(), Role.OWNER), {Permission.TENANT_VIEW})
    sign_in(client, owner)

    read = client.get(f"/api/v1/api-keys/{theirs.api_key.pk}")
    revoke = client.delete(f"/api/v1/api-keys/{theirs.api_key.pk}")
    page = client.post(reverse("tenancy:api-key-revoke", args=[theirs.api_key.pk]))

    assert [read.status_code, revoke.status_code, page.status_code] == [404, 404, 404]
    assert read.json()["error"]["code"] == "api_key_not_found"
    assert client.get("/api/v1/tenant", headers=bearer(theirs.token)).status_code == 200


def test_the_api_keys_page_creates_a_key_and_shows_its_secret_once(
    client: Client, owner: Membership
) -> None:
    sign_in(client, owner)

    page = client.get(reverse("tenancy:api-keys"))
    created = client.post(
        reverse("tenancy:api-key-create"),
        {"name": "Đối tác vận chuyển", "permissions": ["tenant.view"], "lifetime_days": "30"},
    )
    listing = client.get(reverse("tenancy:api-keys"))

    assert page.status_code == 200
    assert created.status_code == 201
    assert "no-store" in created["Cache-Control"]
    [key] = _keys(owner.tenant)
    match = re.search(r'id="new-api-key"[^>]*value="([^"]+)"', created.content.decode())
    assert match is not None
    token = match.group(1)
    assert token.startswith(key.prefix + "_")
    assert key.secret_hash == token_hash(token)
    assert token.encode() not in listing.content
    assert key.prefix.encode() in listing.content


def test_a_dispatcher_cannot_open_the_api_keys_page(client: Client, owner: Membership) -> None:
    dispatcher = make_member(owner.tenant, Role.DISPATCHER)
    sign_in(client, dispatcher)

    assert client.get(reverse("tenancy:api-keys")).status_code == 403
    assert client.get("/api/v1/api-keys").status_code == 403


def test_reloading_the_page_that_showed_a_new_key_goes_back_to_the_list_and_creates_nothing(
    client: Client, owner: Membership
) -> None:
    sign_in(client, owner)

    response = client.get(reverse("tenancy:api-key-create"))

    assert response.status_code == 302
    assert response["Location"] == reverse("tenancy:api-keys")
    assert _keys(owner.tenant) == []
