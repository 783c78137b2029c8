"""Invitations and API keys follow the person who sent them or vouches for them (ADR 0015).

Removing a member, or changing their level, withdraws the pending invitations they could no
longer send and suspends the API keys they could no longer create, until an owner confirms or
revokes them. Accepting an invitation re-checks what its sender may grant now.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.security.models import AuditEntry
from logitrack.tenancy.api_keys import api_key_create
from logitrack.tenancy.errors import NotAllowed, PermissionsNotGrantable
from logitrack.tenancy.models import ApiKey, Invitation, Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.services import membership_invite
from logitrack.tenancy.tests.factories import (
    GOOD_PASSWORD,
    bearer,
    make_api_key,
    make_member,
    make_tenant,
    principal_for,
    sign_in,
)

pytestmark = pytest.mark.django_db

P = Permission


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant()


@pytest.fixture
def owner(tenant: Tenant) -> Membership:
    return make_member(tenant, Role.OWNER)


@pytest.fixture
def admin(tenant: Tenant) -> Membership:
    return make_member(tenant, Role.ADMIN)


def _invite(inviter: Membership, email: str, role: Role = Role.DISPATCHER) -> tuple[int, str]:
    with tenant_context(inviter.tenant):
        created = membership_invite(principal=principal_for(inviter), email=email, role=role)
    return created.invitation.pk, created.token


def _invitations(tenant: Tenant) -> dict[int, tuple[str, bool]]:
    """Invitation id -> (address, withdrawn)."""
    with tenant_context(tenant):
        return {row.pk: (row.email, row.revoked_at is not None) for row in Invitation.objects.all()}


def _key(pk: int) -> ApiKey:
    key: ApiKey = ApiKey.dangerously_unscoped.get(pk=pk)
    return key


def _set_role(membership: Membership, role: Role) -> None:
    """Change a level behind the services' back, as a stale invitation would find it."""
    Membership.dangerously_unscoped.filter(pk=membership.pk).update(role=role)


def _accept_api(client: Client, token: str) -> Any:
    body = {
        "token": token,
        "full_name": "Lê Văn Tài",
        "password": GOOD_PASSWORD,
        "date_of_birth": "1990-01-01",
        "privacy_consent": True,
    }
    return client.post(
        "/api/v1/invitations/accept", data=json.dumps(body), content_type="application/json"
    )


def _audit(action: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (entry.object_id, entry.details)
        for entry in AuditEntry.objects.filter(action=action).order_by("pk")
    ]


def _tenant_name(tenant: Tenant) -> str:
    return Tenant.objects.get(pk=tenant.pk).name


# --- invitations follow their sender -----------------------------------------------------------


def test_removing_a_member_withdraws_every_invitation_they_sent_audited(
    client: Client, owner: Membership, admin: Membership
) -> None:
    sent = [_invite(admin, "a@example.vn")[0], _invite(admin, "b@example.vn", Role.VIEWER)[0]]
    kept, _token = _invite(owner, "c@example.vn")
    sign_in(client, owner)

    response = client.delete(f"/api/v1/members/{admin.pk}")

    assert response.status_code == 204
    assert _invitations(owner.tenant) == {
        sent[0]: ("", True),
        sent[1]: ("", True),
        kept: ("c@example.vn", False),
    }
    assert _audit("invitation_revoked") == [
        (str(sent[0]), {"reason": "inviter_removed"}),
        (str(sent[1]), {"reason": "inviter_removed"}),
    ]


def test_lowering_a_member_below_members_manage_withdraws_their_invitations(
    client: Client, owner: Membership, admin: Membership
) -> None:
    sent, _token = _invite(admin, "a@example.vn", Role.VIEWER)
    sign_in(client, owner)

    response = client.patch(
        f"/api/v1/members/{admin.pk}",
        data=json.dumps({"role": "dispatcher"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert _invitations(owner.tenant) == {sent: ("", True)}
    assert _audit("invitation_revoked") == [(str(sent), {"reason": "inviter_level_changed"})]


def test_an_owner_stepping_down_to_admin_keeps_only_invitations_an_admin_could_send(
    client: Client, owner: Membership
) -> None:
    second_owner = make_member(owner.tenant, Role.OWNER)
    to_owner, _t1 = _invite(second_owner, "boss@example.vn", Role.OWNER)
    to_viewer, _t2 = _invite(second_owner, "viewer@example.vn", Role.VIEWER)
    sign_in(client, owner)

    response = client.post(
        reverse("tenancy:member-role", args=[second_owner.pk]), {"role": "admin"}
    )

    assert response.status_code == 302
    assert _invitations(owner.tenant) == {
        to_owner: ("", True),
        to_viewer: ("viewer@example.vn", False),
    }


def test_a_role_change_that_keeps_members_manage_withdraws_nothing(
    client: Client, owner: Membership, admin: Membership
) -> None:
    sent, _token = _invite(admin, "a@example.vn", Role.VIEWER)
    sign_in(client, owner)

    client.post(reverse("tenancy:member-role", args=[admin.pk]), {"role": "owner"})

    assert _invitations(owner.tenant) == {sent: ("a@example.vn", False)}
    assert _audit("invitation_revoked") == []


@pytest.mark.parametrize(
    ("inviter_now", "invited"),
    [
        (Role.DISPATCHER, Role.VIEWER),  # lost members.manage
        (Role.ADMIN, Role.OWNER),  # keeps members.manage, can no longer grant the level
        (None, Role.VIEWER),  # removed from the company
    ],
)
def test_acceptance_is_refused_when_the_inviter_can_no_longer_grant_the_level(
    client: Client, owner: Membership, inviter_now: Role | None, invited: Role
) -> None:
    inviter = make_member(owner.tenant, Role.OWNER)
    invitation_id, token = _invite(inviter, "lan@example.vn", invited)
    if inviter_now is None:
        Membership.dangerously_unscoped.filter(pk=inviter.pk).delete()
    else:
        _set_role(inviter, inviter_now)
    users_before = User.objects.count()

    response = _accept_api(client, token)
    again = _accept_api(client, token)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invitation_inviter_not_allowed"
    assert again.status_code == 404
    assert User.objects.count() == users_before
    assert not User.objects.filter(email="lan@example.vn").exists()
    assert _invitations(owner.tenant)[invitation_id] == ("", True)
    assert _audit("invitation_revoked") == [(str(invitation_id), {"reason": "inviter_not_allowed"})]


def test_the_invitation_page_says_why_a_refused_invitation_no_longer_works(
    client: Client, owner: Membership, admin: Membership
) -> None:
    invitation_id, token = _invite(admin, "lan@example.vn")
    _set_role(admin, Role.VIEWER)
    url = reverse("tenancy:invitation-accept", kwargs={"token": token})
    memberships_before = Membership.dangerously_unscoped.count()

    response = client.post(
        url,
        {
            "full_name": "Nguyễn Thị Lan",
            "password": GOOD_PASSWORD,
            "date_of_birth": date(1995, 4, 30).isoformat(),
            "privacy_consent": "on",
        },
    )

    assert response.status_code == 403
    assert "không còn quyền cấp cấp tài khoản này" in response.content.decode()
    assert Membership.dangerously_unscoped.count() == memberships_before
    assert _invitations(owner.tenant)[invitation_id] == ("", True)


def test_acceptance_succeeds_while_the_inviter_still_holds_the_level(
    client: Client, owner: Membership, admin: Membership
) -> None:
    _invitation_id, token = _invite(admin, "lan@example.vn", Role.ACCOUNTANT)

    response = _accept_api(client, token)

    assert response.status_code == 201
    assert response.json()["role"] == "accountant"


def test_an_invitation_sent_by_an_api_key_follows_the_key(
    client: Client, owner: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    key = make_api_key(owner, {P.MEMBERS_MANAGE, P.TENANT_VIEW, P.OPERATIONS_VIEW, P.PAYMENTS_VIEW})

    def invite(address: str) -> Any:
        body = {"email": address, "role": "viewer"}
        return client.post(
            "/api/v1/invitations",
            data=json.dumps(body),
            content_type="application/json",
            headers=bearer(key.token),
        )

    with django_capture_on_commit_callbacks(execute=True):
        first = invite("first@example.vn")
        second = invite("second@example.vn")
    [first_token, second_token] = [
        _token_of(owner.tenant, address) for address in ("first@example.vn", "second@example.vn")
    ]
    accepted = _accept_api(client, first_token)
    ApiKey.dangerously_unscoped.filter(pk=key.api_key.pk).update(revoked_at=timezone.now())
    refused = _accept_api(HttpsClient(), second_token)

    assert [first.status_code, second.status_code] == [201, 201]
    assert accepted.status_code == 201
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "invitation_inviter_not_allowed"


def _token_of(tenant: Tenant, address: str) -> str:
    """The token of the pending invitation to ``address``, read from the e-mail sent."""
    import re

    from django.core import mail

    for message in mail.outbox:
        if address in message.to:
            match = re.search(r"/invitations/([A-Za-z0-9_-]+)/", str(message.body))
            assert match is not None
            return match.group(1)
    raise AssertionError(f"no invitation e-mail to {address}")


# --- API keys follow the person who vouches for them ---------------------------------------------


def test_removing_the_creator_suspends_their_keys_until_an_owner_confirms(
    client: Client, owner: Membership, admin: Membership
) -> None:
    key = make_api_key(admin, {P.TENANT_VIEW, P.TENANT_MANAGE})
    name_before = _tenant_name(owner.tenant)
    sign_in(client, owner)

    removed = client.post(reverse("tenancy:member-remove", args=[admin.pk]))
    rename = HttpsClient().patch(
        "/api/v1/tenant",
        data=json.dumps({"name": "Công ty Bị Đổi Tên"}),
        content_type="application/json",
        headers=bearer(key.token),
    )
    review = client.get("/api/v1/api-keys/review")
    page = client.get(reverse("tenancy:api-keys"))

    assert removed.status_code == 302
    assert rename.status_code == 401
    assert _tenant_name(owner.tenant) == name_before
    suspended = _key(key.api_key.pk)
    assert suspended.suspension_reason == "creator_removed"
    assert suspended.suspended_at is not None
    assert [row["id"] for row in review.json()] == [key.api_key.pk]
    assert review.json()[0]["suspension_reason"] == "creator_removed"
    assert review.json()[0]["active"] is False
    assert 'id="api-keys-review"' in page.content.decode()
    assert reverse("tenancy:api-key-confirm", args=[key.api_key.pk]) in page.content.decode()
    assert _audit("authn_token_suspended") == [(str(key.api_key.pk), {"reason": "creator_removed"})]
    refusal = AuditEntry.objects.filter(action="authn_token_invalid").get()
    assert refusal.details == {"reason": "suspended"}

    confirmed = client.post(f"/api/v1/api-keys/{key.api_key.pk}/confirm")
    used = HttpsClient().get("/api/v1/tenant", headers=bearer(key.token))

    assert confirmed.status_code == 200
    assert confirmed.json()["active"] is True
    assert used.status_code == 200
    after = _key(key.api_key.pk)
    assert (after.suspended_at, after.suspension_reason) == (None, "")
    assert after.confirmed_by_id == owner.user_id
    assert after.guarantor_id == owner.user_id
    assert _audit("authn_token_confirmed") == [
        (str(key.api_key.pk), {"suspension_reason": "creator_removed"})
    ]
    assert client.get("/api/v1/api-keys/review").json() == []


def test_the_removal_confirmation_lists_the_keys_and_invitations_that_follow_the_member(
    client: Client, owner: Membership, admin: Membership
) -> None:
    key = make_api_key(admin, {P.TENANT_VIEW}, name="Kho Bình Dương")
    _invite(admin, "a@example.vn")
    _invite(admin, "b@example.vn")
    sign_in(client, owner)

    page = client.get(reverse("tenancy:member-remove", args=[admin.pk])).content.decode()

    assert "2 lời mời họ đã gửi và còn đang chờ sẽ bị rút lại." in page
    assert 'id="removal-api-keys"' in page
    assert key.api_key.prefix in page
    assert "Kho Bình Dương" in page
    assert _key(key.api_key.pk).suspended_at is None


def test_the_removal_confirmation_of_a_member_without_keys_or_invitations_lists_none(
    client: Client, owner: Membership, admin: Membership
) -> None:
    sign_in(client, owner)

    page = client.get(reverse("tenancy:member-remove", args=[admin.pk])).content.decode()

    assert 'id="removal-api-keys"' not in page
    assert 'id="removal-invitations"' not in page


def test_an_owner_revokes_a_suspended_key_and_it_leaves_the_review_list(
    client: Client, owner: Membership, admin: Membership
) -> None:
    key = make_api_key(admin, {P.TENANT_VIEW})
    sign_in(client, owner)
    client.delete(f"/api/v1/members/{admin.pk}")

    revoked = client.delete(f"/api/v1/api-keys/{key.api_key.pk}")

    assert revoked.status_code == 200
    assert _key(key.api_key.pk).revoked_at is not None
    assert client.get("/api/v1/api-keys/review").json() == []
    assert HttpsClient().get("/api/v1/tenant", headers=bearer(key.token)).status_code == 401


def test_an_admin_cannot_confirm_a_suspended_key(client: Client, owner: Membership) -> None:
    leaver = make_member(owner.tenant, Role.ADMIN)
    key = make_api_key(leaver, {P.TENANT_VIEW})
    other_admin = make_member(owner.tenant, Role.ADMIN)
    sign_in(client, other_admin)
    client.delete(f"/api/v1/members/{leaver.pk}")
    before = _key(key.api_key.pk)

    api = client.post(f"/api/v1/api-keys/{key.api_key.pk}/confirm")
    page = client.post(reverse("tenancy:api-key-confirm", args=[key.api_key.pk]))

    assert [api.status_code, page.status_code] == [403, 403]
    after = _key(key.api_key.pk)
    assert (after.suspended_at, after.confirmed_by_id) == (before.suspended_at, None)
    assert (
        "Chỉ chủ sở hữu mới có thể xác nhận khóa."
        in client.get(reverse("tenancy:api-keys")).content.decode()
    )


def test_confirming_a_key_that_is_not_suspended_is_refused_and_changes_nothing(
    client: Client, owner: Membership
) -> None:
    key = make_api_key(owner, {P.TENANT_VIEW})
    sign_in(client, owner)

    response = client.post(f"/api/v1/api-keys/{key.api_key.pk}/confirm")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "api_key_not_awaiting_review"
    assert _key(key.api_key.pk).confirmed_by_id is None
    assert _audit("authn_token_confirmed") == []


def test_confirming_a_revoked_suspended_key_is_refused(client: Client, owner: Membership) -> None:
    admin = make_member(owner.tenant, Role.ADMIN)
    key = make_api_key(admin, {P.TENANT_VIEW})
    sign_in(client, owner)
    client.delete(f"/api/v1/members/{admin.pk}")
    client.delete(f"/api/v1/api-keys/{key.api_key.pk}")

    page = client.post(reverse("tenancy:api-key-confirm", args=[key.api_key.pk]))

    assert page.status_code == 302
    assert _key(key.api_key.pk).confirmed_by_id is None
    assert _audit("authn_token_confirmed") == []


def test_lowering_the_creator_below_api_keys_manage_suspends_their_keys(
    client: Client, owner: Membership, admin: Membership
) -> None:
    key = make_api_key(admin, {P.TENANT_VIEW})
    sign_in(client, owner)

    client.post(reverse("tenancy:member-role", args=[admin.pk]), {"role": "dispatcher"})

    assert _key(key.api_key.pk).suspension_reason == "creator_demoted"
    assert HttpsClient().get("/api/v1/tenant", headers=bearer(key.token)).status_code == 401


def test_an_owner_stepping_down_to_admin_keeps_their_keys_working(
    client: Client, owner: Membership
) -> None:
    second_owner = make_member(owner.tenant, Role.OWNER)
    key = make_api_key(second_owner, {P.TENANT_VIEW, P.MEMBERS_MANAGE, P.TENANT_MANAGE})
    sign_in(client, owner)

    client.post(reverse("tenancy:member-role", args=[second_owner.pk]), {"role": "admin"})

    assert _key(key.api_key.pk).suspended_at is None
    assert HttpsClient().get("/api/v1/tenant", headers=bearer(key.token)).status_code == 200
    assert _audit("authn_token_suspended") == []


def test_a_demotion_suspends_only_keys_beyond_what_the_new_level_could_create(
    owner: Membership, admin: Membership
) -> None:
    within = make_api_key(admin, {P.TENANT_VIEW})
    beyond = make_api_key(admin, {P.TENANT_VIEW, P.PAYMENTS_MANAGE})
    from logitrack.tenancy.api_keys import api_keys_suspend_for_guarantor

    with tenant_context(owner.tenant):
        suspended = api_keys_suspend_for_guarantor(
            principal=principal_for(owner),
            user_id=admin.user_id,
            guarantor_permissions=frozenset({P.API_KEYS_MANAGE, P.TENANT_VIEW}),
            reason="creator_demoted",
        )

    assert [key.pk for key in suspended] == [beyond.api_key.pk]
    assert _key(within.api_key.pk).suspended_at is None


def test_removing_someone_else_leaves_other_members_keys_working(
    client: Client, owner: Membership, admin: Membership
) -> None:
    key = make_api_key(owner, {P.TENANT_VIEW})
    sign_in(client, owner)

    client.delete(f"/api/v1/members/{admin.pk}")

    assert _key(key.api_key.pk).suspended_at is None
    assert HttpsClient().get("/api/v1/tenant", headers=bearer(key.token)).status_code == 200


def test_a_confirmed_key_follows_the_owner_who_confirmed_it(
    client: Client, owner: Membership, admin: Membership
) -> None:
    confirming_owner = make_member(owner.tenant, Role.OWNER)
    key = make_api_key(admin, {P.TENANT_VIEW})
    sign_in(client, confirming_owner)
    client.delete(f"/api/v1/members/{admin.pk}")
    client.post(reverse("tenancy:api-key-confirm", args=[key.api_key.pk]))
    sign_in(client, owner)

    client.delete(f"/api/v1/members/{confirming_owner.pk}")

    after = _key(key.api_key.pk)
    assert after.suspension_reason == "creator_removed"
    assert HttpsClient().get("/api/v1/tenant", headers=bearer(key.token)).status_code == 401


def test_an_expired_key_of_a_removed_creator_is_left_alone(
    client: Client, owner: Membership, admin: Membership
) -> None:
    key = make_api_key(admin, {P.TENANT_VIEW})
    past = timezone.now() - timedelta(days=1)
    ApiKey.dangerously_unscoped.filter(pk=key.api_key.pk).update(
        created_at=past - timedelta(days=2), expires_at=past
    )
    sign_in(client, owner)

    client.delete(f"/api/v1/members/{admin.pk}")

    assert _key(key.api_key.pk).suspended_at is None
    assert _audit("authn_token_suspended") == []


# --- a key never holds more than its creator could grant ---------------------------------------


def test_a_key_cannot_get_a_permission_keys_may_hold_that_its_creator_lacks(
    owner: Membership,
) -> None:
    creator = Principal(
        user=owner.user,
        tenant=owner.tenant,
        membership=owner,
        permissions=frozenset({P.API_KEYS_MANAGE, P.TENANT_VIEW}),
    )

    def create(permissions: set[Permission]) -> ApiKey:
        with tenant_context(owner.tenant):
            return api_key_create(
                principal=creator,
                name="Đối tác",
                permissions=permissions,
                expires_at=timezone.now() + timedelta(days=30),
            ).api_key

    with pytest.raises(PermissionsNotGrantable):
        create({P.TENANT_VIEW, P.OPERATIONS_VIEW})
    assert ApiKey.dangerously_unscoped.count() == 0
    assert create({P.TENANT_VIEW}).permissions == ["tenant.view"]


def test_only_a_holder_of_api_keys_manage_creates_keys(owner: Membership) -> None:
    dispatcher = make_member(owner.tenant, Role.DISPATCHER)

    with tenant_context(owner.tenant), pytest.raises(NotAllowed):
        api_key_create(
            principal=principal_for(dispatcher),
            name="Đối tác",
            permissions={P.TENANT_VIEW},
            expires_at=timezone.now() + timedelta(days=30),
        )
    assert ApiKey.dangerously_unscoped.count() == 0


def test_confirming_and_suspending_keys_is_audited_with_the_key_and_where() -> None:
    from django.test import RequestFactory

    from logitrack.security.actors import Actor
    from logitrack.tenancy.api_keys import api_key_confirm, api_keys_suspend_for_guarantor

    owner = make_member(make_tenant(), Role.OWNER)
    leaver = make_member(owner.tenant, Role.ADMIN)
    key = make_api_key(leaver, {P.TENANT_VIEW})
    request = RequestFactory().post("/x", REMOTE_ADDR="198.51.100.7")
    me = Actor.user(owner.user)

    with tenant_context(owner.tenant):
        api_keys_suspend_for_guarantor(
            principal=principal_for(owner),
            user_id=leaver.user_id,
            guarantor_permissions=frozenset(),
            reason="creator_removed",
            request=request,
        )
        again = api_keys_suspend_for_guarantor(
            principal=principal_for(owner),
            user_id=leaver.user_id,
            guarantor_permissions=frozenset(),
            reason="creator_removed",
        )
        api_key_confirm(principal=principal_for(owner), api_key=key.api_key, request=request)
        after_confirmation = api_keys_suspend_for_guarantor(
            principal=principal_for(owner),
            user_id=leaver.user_id,
            guarantor_permissions=frozenset(),
            reason="creator_removed",
        )

    rows = [
        (e.action, e.actor_pseudonym, e.tenant_id, e.object_type, e.object_id, e.ip)
        for e in AuditEntry.objects.filter(
            action__in=["authn_token_suspended", "authn_token_confirmed"]
        ).order_by("sequence")
    ]
    where = (owner.tenant_id, "api_key", str(key.api_key.pk), "198.51.100.7")
    assert rows == [
        ("authn_token_suspended", me.pseudonym, *where),
        ("authn_token_confirmed", me.pseudonym, *where),
    ]
    assert again == []
    assert after_confirmation == []
    confirmed = _key(key.api_key.pk)
    assert confirmed.confirmed_at is not None
    assert confirmed.suspended_at is None


def test_a_revoked_key_of_a_removed_creator_is_not_suspended(
    client: Client, owner: Membership, admin: Membership
) -> None:
    key = make_api_key(admin, {P.TENANT_VIEW})
    ApiKey.dangerously_unscoped.filter(pk=key.api_key.pk).update(revoked_at=timezone.now())
    sign_in(client, owner)

    client.delete(f"/api/v1/members/{admin.pk}")

    assert _key(key.api_key.pk).suspended_at is None
    assert _audit("authn_token_suspended") == []


def test_only_a_person_holding_every_permission_of_the_key_confirms_it(owner: Membership) -> None:
    from logitrack.tenancy.api_keys import api_key_confirm

    leaver = make_member(owner.tenant, Role.ADMIN)
    key = make_api_key(leaver, {P.TENANT_VIEW, P.PAYMENTS_MANAGE})
    ApiKey.dangerously_unscoped.filter(pk=key.api_key.pk).update(
        suspended_at=timezone.now(), suspension_reason="creator_removed"
    )
    as_key = Principal.for_api_key(
        api_key_id=key.api_key.pk,
        tenant=owner.tenant,
        permissions=frozenset({P.API_KEYS_CONFIRM, P.API_KEYS_MANAGE}),
    )
    partial = Principal(
        user=owner.user,
        tenant=owner.tenant,
        membership=owner,
        permissions=frozenset({P.API_KEYS_CONFIRM, P.TENANT_VIEW}),
    )

    with tenant_context(owner.tenant):
        with pytest.raises(NotAllowed):
            api_key_confirm(principal=as_key, api_key=key.api_key)
        with pytest.raises(PermissionsNotGrantable):
            api_key_confirm(principal=partial, api_key=key.api_key)

    assert _key(key.api_key.pk).suspended_at is not None
    assert _audit("authn_token_confirmed") == []


def test_an_invitation_from_a_suspended_account_grants_nothing(
    client: Client, admin: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    """An under-16 report suspends the admin (sessions and keys end at once): their pending
    invitation must not keep granting their level while the account is switched off."""
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin, "new.member@example.vn")
    token = _token_of(admin.tenant, "new.member@example.vn")
    User.objects.filter(pk=admin.user.pk).update(is_active=False)

    refused = _accept_api(client, token)

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "invitation_inviter_not_allowed"
    assert not User.objects.filter(email="new.member@example.vn").exists()
