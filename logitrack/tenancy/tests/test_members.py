"""Members: invitations, acceptance, role changes and removal, and the last owner."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Invitation, Membership, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.services import membership_invite
from logitrack.tenancy.tests.factories import (
    GOOD_PASSWORD,
    make_member,
    make_tenant,
    make_user,
    principal_for,
    sign_in,
)

pytestmark = pytest.mark.django_db

INVITEE = "lan.nguyen@example.vn"


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant()


@pytest.fixture
def owner(tenant: Tenant) -> Membership:
    return make_member(tenant, Role.OWNER)


@pytest.fixture
def admin(tenant: Tenant) -> Membership:
    return make_member(tenant, Role.ADMIN)


def _invite(inviter: Membership, email: str = INVITEE, role: Role = Role.DISPATCHER) -> str:
    with tenant_context(inviter.tenant):
        created = membership_invite(principal=principal_for(inviter), email=email, role=role)
    return created.token


def _accept_url(token: str) -> str:
    return reverse("tenancy:invitation-accept", kwargs={"token": token})


def _person(**changes: Any) -> dict[str, Any]:
    data = {
        "full_name": "Nguyễn Thị Lan",
        "password": GOOD_PASSWORD,
        "date_of_birth": date(1995, 4, 30).isoformat(),
        "privacy_consent": "on",
    }
    data.update(changes)
    return data


def _roles(tenant: Tenant) -> dict[int, str]:
    with tenant_context(tenant):
        return dict(Membership.objects.values_list("pk", "role"))


def _patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


# --- inviting ----------------------------------------------------------------------------------


def test_an_invitation_is_emailed_in_vietnamese_then_english_with_a_working_link(
    client: Client, owner: Membership, django_capture_on_commit_callbacks: Any
) -> None:
    sign_in(client, owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tenancy:member-invite"), {"email": INVITEE, "role": "dispatcher"}
        )

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [INVITEE]
    assert message.body.index("Xin chào") < message.body.index("Hello,")
    assert " / " in message.subject
    links = re.findall(r"https://\S+/invitations/([A-Za-z0-9_-]+)/", str(message.body))
    assert len(links) == 2
    assert links[0] == links[1]
    with tenant_context(owner.tenant):
        invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == (INVITEE, "dispatcher")
    assert invitation.token_hash != links[0]
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    entry = AuditEntry.objects.get(action="invitation_created")
    assert entry.details == {"role": "dispatcher"}


def test_inviting_an_existing_member_is_refused(client: Client, owner: Membership) -> None:
    member = make_member(owner.tenant, Role.VIEWER, email="member@example.vn")
    sign_in(client, owner)

    response = client.post(
        "/api/v1/invitations",
        data=json.dumps({"email": member.user.email.upper(), "role": "viewer"}),
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_member"
    with tenant_context(owner.tenant):
        assert Invitation.objects.count() == 0


def test_an_admin_cannot_invite_an_owner(client: Client, admin: Membership) -> None:
    sign_in(client, admin)

    response = client.post(
        "/api/v1/invitations",
        data=json.dumps({"email": INVITEE, "role": "owner"}),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_not_grantable"
    with tenant_context(admin.tenant):
        assert Invitation.objects.count() == 0


def test_inviting_the_same_address_again_kills_the_first_link(
    client: Client, owner: Membership
) -> None:
    first = _invite(owner)
    second = _invite(owner)

    assert client.get(_accept_url(first)).status_code == 404
    assert client.get(_accept_url(second)).status_code == 200


# --- accepting ---------------------------------------------------------------------------------


def test_a_new_person_accepts_by_creating_an_account_and_is_signed_in(
    client: Client, owner: Membership
) -> None:
    token = _invite(owner)

    page = client.get(_accept_url(token))
    response = client.post(_accept_url(token), _person())

    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    assert response.status_code == 302
    user = User.objects.get(email=INVITEE)
    assert user.email_verified_at is not None
    with tenant_context(owner.tenant):
        assert Membership.objects.get(user=user).role == "dispatcher"
        invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None
    assert invitation.email == ""
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session["logitrack_tenant_id"] == owner.tenant_id


def test_an_invitation_link_works_only_once(client: Client, owner: Membership) -> None:
    token = _invite(owner)
    client.post(_accept_url(token), _person())
    client.logout()

    again = client.post(_accept_url(token), _person(full_name="Someone Else"))

    assert again.status_code == 404
    assert User.objects.filter(full_name="Someone Else").count() == 0


def test_a_forged_link_shows_an_error_page_stores_nothing_and_is_audited(
    client: Client, owner: Membership
) -> None:
    users_before = User.objects.count()

    response = client.post(_accept_url("x" * 43), _person())

    assert response.status_code == 404
    assert b"invitation" in response.content.lower() or "lời mời".encode() in response.content
    assert User.objects.count() == users_before
    entry = AuditEntry.objects.filter(action="authz_fail").latest("sequence")
    assert (entry.object_type, entry.details) == (
        "invitation",
        {"reason": "invitation_link_invalid"},
    )


def test_an_expired_link_is_refused(client: Client, owner: Membership) -> None:
    token = _invite(owner)
    with tenant_context(owner.tenant):
        Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(_accept_url(token), _person())

    assert response.status_code == 404
    assert not User.objects.filter(email=INVITEE).exists()


def test_a_withdrawn_invitation_no_longer_works(client: Client, owner: Membership) -> None:
    token = _invite(owner)
    sign_in(client, owner)
    with tenant_context(owner.tenant):
        invitation = Invitation.objects.get()

    withdrawn = client.post(reverse("tenancy:invitation-revoke", args=[invitation.pk]))
    client.logout()

    assert withdrawn.status_code == 302
    assert client.get(_accept_url(token)).status_code == 404


def test_someone_under_16_cannot_accept_and_their_address_is_erased(
    client: Client, owner: Membership
) -> None:
    token = _invite(owner)
    users_before = User.objects.count()
    today = timezone.localdate()

    response = client.post(
        _accept_url(token), _person(date_of_birth=today.replace(year=today.year - 15).isoformat())
    )

    assert response.status_code == 400
    assert User.objects.count() == users_before
    with tenant_context(owner.tenant):
        invitation = Invitation.objects.get()
        assert Membership.objects.count() == 1
    assert invitation.email == ""
    assert invitation.revoked_at is not None


def test_an_existing_account_must_sign_in_to_accept(client: Client, owner: Membership) -> None:
    person = make_user(email=INVITEE)
    token = _invite(owner)

    anonymous = client.post(_accept_url(token), {})
    client.force_login(person)
    accepted = client.post(_accept_url(token), {})

    assert anonymous.status_code == 401
    assert accepted.status_code == 302
    with tenant_context(owner.tenant):
        assert Membership.objects.get(user=person).role == "dispatcher"


def test_another_signed_in_account_cannot_accept_someone_elses_invitation(
    client: Client, owner: Membership
) -> None:
    make_user(email=INVITEE)
    intruder = make_user(email="intruder@example.vn")
    token = _invite(owner)
    client.force_login(intruder)

    response = client.post(_accept_url(token), {})

    assert response.status_code == 403
    with tenant_context(owner.tenant):
        assert not Membership.objects.filter(user=intruder).exists()
        assert Invitation.objects.get().accepted_at is None


def test_the_api_accepts_an_invitation_for_a_new_person(client: Client, owner: Membership) -> None:
    token = _invite(owner, role=Role.DRIVER)

    response = client.post(
        "/api/v1/invitations/accept",
        data=json.dumps(
            {
                "token": token,
                "full_name": "Lê Văn Tài",
                "password": GOOD_PASSWORD,
                "date_of_birth": "1990-01-01",
                "privacy_consent": True,
            }
        ),
        content_type="application/json",
    )

    assert response.status_code == 201
    assert response.json()["role"] == "driver"
    assert "_auth_user_id" not in client.session


# --- role changes ------------------------------------------------------------------------------


def test_an_owner_changes_a_members_role_and_it_is_audited(
    client: Client, owner: Membership
) -> None:
    member = make_member(owner.tenant, Role.VIEWER)
    sign_in(client, owner)

    response = _patch(client, f"/api/v1/members/{member.pk}", {"role": "dispatcher"})

    assert response.status_code == 200
    assert response.json()["role"] == "dispatcher"
    assert _roles(owner.tenant)[member.pk] == "dispatcher"
    entry = AuditEntry.objects.get(action="privilege_permissions_changed")
    assert (entry.object_id, entry.details) == (
        str(member.pk),
        {"from": "viewer", "to": "dispatcher"},
    )


def test_the_last_owner_cannot_be_demoted(client: Client, owner: Membership) -> None:
    sign_in(client, owner)
    before = _roles(owner.tenant)

    api = _patch(client, f"/api/v1/members/{owner.pk}", {"role": "admin"})
    page = client.post(reverse("tenancy:member-role", args=[owner.pk]), {"role": "admin"})

    assert api.status_code == 409
    assert api.json()["error"]["code"] == "last_owner"
    assert page.status_code == 409
    assert _roles(owner.tenant) == before
    assert not AuditEntry.objects.filter(action="privilege_permissions_changed").exists()


def test_an_owner_can_step_down_when_another_owner_remains(
    client: Client, owner: Membership
) -> None:
    other = make_member(owner.tenant, Role.OWNER)
    sign_in(client, owner)

    response = _patch(client, f"/api/v1/members/{owner.pk}", {"role": "admin"})

    assert response.status_code == 200
    assert _roles(owner.tenant) == {owner.pk: "admin", other.pk: "owner"}


def test_an_admin_can_neither_grant_nor_take_away_the_owner_level(
    client: Client, owner: Membership, admin: Membership
) -> None:
    viewer = make_member(owner.tenant, Role.VIEWER)
    sign_in(client, admin)
    before = _roles(owner.tenant)

    promote = _patch(client, f"/api/v1/members/{viewer.pk}", {"role": "owner"})
    demote = _patch(client, f"/api/v1/members/{owner.pk}", {"role": "viewer"})

    assert promote.status_code == demote.status_code == 403
    assert promote.json()["error"]["code"] == "role_not_grantable"
    assert _roles(owner.tenant) == before


def test_an_unknown_role_is_refused(client: Client, owner: Membership) -> None:
    member = make_member(owner.tenant, Role.VIEWER)
    sign_in(client, owner)

    response = _patch(client, f"/api/v1/members/{member.pk}", {"role": "superuser"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "role_invalid"


def test_another_tenants_member_is_not_found_and_unchanged(
    client: Client, owner: Membership
) -> None:
    theirs = make_member(make_tenant(), Role.VIEWER)
    sign_in(client, owner)

    read = client.get(f"/api/v1/members/{theirs.pk}")
    change = _patch(client, f"/api/v1/members/{theirs.pk}", {"role": "admin"})
    remove = client.delete(f"/api/v1/members/{theirs.pk}")
    page = client.post(reverse("tenancy:member-role", args=[theirs.pk]), {"role": "admin"})

    assert [read.status_code, change.status_code, remove.status_code, page.status_code] == [
        404,
        404,
        404,
        404,
    ]
    assert read.json()["error"]["code"] == "membership_not_found"
    assert _roles(theirs.tenant) == {theirs.pk: "viewer"}


def test_a_dispatcher_may_list_members_but_not_change_them(
    client: Client, owner: Membership
) -> None:
    dispatcher = make_member(owner.tenant, Role.DISPATCHER)
    sign_in(client, dispatcher)

    listing = client.get("/api/v1/members")
    change = _patch(client, f"/api/v1/members/{owner.pk}", {"role": "viewer"})
    page = client.get(reverse("tenancy:members"))

    assert listing.status_code == 200
    assert {row["id"] for row in listing.json()} == {owner.pk, dispatcher.pk}
    assert change.status_code == 403
    assert page.status_code == 200
    assert b"tenancy/company/members/invite" not in page.content


# --- removal -----------------------------------------------------------------------------------


def test_removing_a_member_deletes_the_membership_but_not_the_account(
    client: Client, owner: Membership
) -> None:
    member = make_member(owner.tenant, Role.ACCOUNTANT)
    sign_in(client, owner)

    confirm = client.get(reverse("tenancy:member-remove", args=[member.pk]))
    response = client.post(reverse("tenancy:member-remove", args=[member.pk]))

    assert confirm.status_code == 200
    assert response.status_code == 302
    assert member.pk not in _roles(owner.tenant)
    assert User.objects.filter(pk=member.user_id).exists()
    assert AuditEntry.objects.filter(action="membership_removed", object_id=str(member.pk)).exists()


def test_the_last_owner_cannot_be_removed(client: Client, owner: Membership) -> None:
    sign_in(client, owner)

    response = client.delete(f"/api/v1/members/{owner.pk}")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "last_owner"
    assert _roles(owner.tenant) == {owner.pk: "owner"}


def test_the_members_page_lists_members_and_pending_invitations(
    client: Client, owner: Membership
) -> None:
    _invite(owner, email="pending@example.vn")
    sign_in(client, owner)

    response = client.get(reverse("tenancy:members"))

    assert response.status_code == 200
    assert owner.user.email.encode() in response.content
    assert b"pending@example.vn" in response.content
