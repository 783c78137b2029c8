"""Sign-up and invitations see one address whatever its spelling (canonical_email)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.tenancy.errors import AlreadyMember
from logitrack.tenancy.models import Invitation, Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.selectors import invitation_has_account
from logitrack.tenancy.services import membership_invite
from logitrack.tenancy.tests.factories import (
    make_member,
    make_tenant,
    make_user,
    principal_for,
    sign_in,
)
from logitrack.tenancy.tests.test_signup import _counts, _post_api, api_data, page_data

pytestmark = pytest.mark.django_db

FULLWIDTH = "".join(chr(ord(c) + 0xFEE0) for c in "bich@songhan.vn")


@pytest.mark.parametrize(
    "spelling",
    [FULLWIDTH, "bich@songhan\u3002vn", "bich@songhan\uff61vn", "BICH@SONGHAN.VN"],
    ids=["fullwidth", "ideographic-dot", "halfwidth-ideographic-dot", "upper"],
)
def test_signing_up_with_another_spelling_of_a_taken_address_mails_its_holder_not_a_500(
    client: Client, spelling: str, django_capture_on_commit_callbacks: Any
) -> None:
    make_user(email="bich@songhan.vn")
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("tenancy:signup"), page_data(email=spelling))
        api = _post_api(client, api_data(owner_email=spelling))

    # Answered like a new sign-up (docs/adr/0012); the holder of the address is told instead.
    assert page.status_code == 302
    assert page["Location"] == reverse("tenancy:signup-sent")
    assert api.status_code == 202
    assert _counts() == before
    assert [m.to for m in mail.outbox] == [["bich@songhan.vn"], ["bich@songhan.vn"]]


def test_signing_up_with_the_a_label_of_a_taken_idn_address_mails_its_holder(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    make_user(email="lan@côngty.vn")
    before = _counts()

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("tenancy:signup"), page_data(email="lan@xn--cngty-6ta.vn"))
        api = _post_api(client, api_data(owner_email="LAN@XN--CNGTY-6TA.VN"))

    assert page.status_code == 302
    assert api.status_code == 202
    assert _counts() == before
    assert [m.to for m in mail.outbox] == [["lan@côngty.vn"], ["lan@côngty.vn"]]


def test_a_fullwidth_spelling_of_a_new_address_signs_up_under_its_canonical_form(
    client: Client,
) -> None:
    response = _post_api(client, api_data(owner_email=FULLWIDTH))

    assert response.status_code == 202
    assert list(User.objects.values_list("email", flat=True)) == ["bich@songhan.vn"]


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("bich@song\x00han.vn", "text_control_character"),
        ("\u202ebich@songhan.vn", "text_bidi_control"),
        ("b\u0131ch@songhan.vn", "email_invalid"),
        ("bich@localhost", "email_domain_invalid"),
    ],
)
def test_a_sign_up_with_a_non_address_answers_its_code_and_stores_nothing(
    client: Client, spelling: str, code: str
) -> None:
    before = _counts()

    page = client.post(reverse("tenancy:signup"), page_data(email=spelling))
    api = _post_api(client, api_data(owner_email=spelling))

    assert page.status_code == 400
    assert api.status_code == 422
    assert [f["code"] for f in api.json()["error"]["fields"]] == [code]
    assert _counts() == before


# --- invitations -------------------------------------------------------------------------------


def _invite(email: str) -> Invitation:
    owner = make_member(make_tenant(), Role.OWNER)
    with tenant_context(owner.tenant):
        created = membership_invite(principal=principal_for(owner), email=email, role=Role.VIEWER)
    return created.invitation


def test_an_invitation_stores_the_canonical_address() -> None:
    invitation = _invite("LAN@XN--CNGTY-6TA.VN")

    assert invitation.email == "lan@côngty.vn"


def test_an_invitation_to_any_spelling_matches_the_existing_account() -> None:
    make_user(email="lan@côngty.vn")

    invitation = _invite("\uff4c\uff41\uff4e@xn--cngty-6ta\u3002vn")

    assert invitation_has_account(invitation=invitation)


def test_an_invitation_to_a_dotless_i_domain_does_not_match_the_i_account() -> None:
    make_user(email="minh@logistics.vn")

    invitation = _invite("minh@log\u0131stics.vn")

    assert invitation.email == "minh@log\u0131stics.vn"
    assert not invitation_has_account(invitation=invitation)


def test_inviting_another_spelling_of_a_pending_address_replaces_the_first_invitation() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    with tenant_context(owner.tenant):
        membership_invite(principal=principal_for(owner), email="an@example.vn", role=Role.VIEWER)
        membership_invite(principal=principal_for(owner), email="AN@EXAMPLE。VN", role=Role.ADMIN)
        pending = list(
            Invitation.objects.filter(revoked_at__isnull=True).values_list("email", "role")
        )

    assert pending == [("an@example.vn", "admin")]


def test_a_member_invited_again_under_another_spelling_is_refused() -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    make_member(owner.tenant, Role.VIEWER, email="an@côngty.vn")

    with tenant_context(owner.tenant):
        with pytest.raises(AlreadyMember):
            membership_invite(
                principal=principal_for(owner), email="AN@xn--cngty-6ta.vn", role=Role.VIEWER
            )
        assert Invitation.objects.count() == 0
        assert Membership.objects.count() == 2


def test_a_signed_in_person_accepts_an_invitation_sent_to_another_spelling(
    client: Client,
) -> None:
    person = make_user(email="lan@côngty.vn")
    owner = make_member(make_tenant(), Role.OWNER)
    with tenant_context(owner.tenant):
        created = membership_invite(
            principal=principal_for(owner), email="Lan@XN--CNGTY-6TA.VN", role=Role.VIEWER
        )
    client.force_login(person)

    response = client.post(
        reverse("tenancy:invitation-accept", kwargs={"token": created.token}), {}
    )

    assert response.status_code == 302
    with tenant_context(owner.tenant):
        assert Membership.objects.filter(user=person).count() == 1


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("an@exam\u202eple.vn", "text_bidi_control"),
        ("an@example.vn\u200b", "email_forbidden_character"),
        ("\u0430n@example.vn", "email_invalid"),  # Cyrillic a
        ("an@exam_ple.vn", "email_domain_invalid"),
    ],
)
def test_the_invitation_api_refuses_a_non_address_with_its_code_and_stores_nothing(
    client: Client, spelling: str, code: str
) -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    sign_in(client, owner)

    response = client.post(
        "/api/v1/invitations",
        data=json.dumps({"email": spelling, "role": "viewer"}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert [f["code"] for f in response.json()["error"]["fields"]] == [code]
    with tenant_context(owner.tenant):
        assert Invitation.objects.count() == 0


def test_the_migration_keeps_the_newest_pending_invitation_per_address_and_withdraws_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    owner = make_member(make_tenant(), Role.OWNER)
    other = make_member(make_tenant(), Role.OWNER)
    with tenant_context(owner.tenant):
        older = _invite_in(owner, "seed1@example.vn")
        newer = _invite_in(owner, "seed2@example.vn")
        broken = _invite_in(owner, "seed3@example.vn")
    with tenant_context(other.tenant):
        elsewhere = _invite_in(other, "seed4@example.vn")
    spellings = {
        older: "lan@xn--cngty-6ta.vn",
        newer: "LAN@CÔNGTY.VN",
        broken: "lan@localhost",
        elsewhere: "Lan@Côngty.vn",
    }
    for pk, spelling in spellings.items():
        Invitation.dangerously_unscoped.filter(pk=pk).update(email=spelling)

    migration = import_module("logitrack.tenancy.migrations.0003_invitation_email_canonical")
    migration.canonicalise_invitation_emails(apps, SimpleNamespace(connection=connection))

    rows = {
        pk: (email, revoked is not None)
        for pk, email, revoked in Invitation.dangerously_unscoped.values_list(
            "pk", "email", "revoked_at"
        )
    }
    assert rows == {
        older: ("", True),
        newer: ("lan@côngty.vn", False),
        broken: ("", True),
        elsewhere: ("lan@côngty.vn", False),
    }
    assert f"ids {sorted([older, broken])}" in caplog.text


def _invite_in(owner: Membership, email: str) -> int:
    created = membership_invite(principal=principal_for(owner), email=email, role=Role.VIEWER)
    pk: int = created.invitation.pk
    return pk
