"""A material version in effect sends each signed-in person to the acceptance page once, until
they accept; nobody else, nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from logitrack.accounts.models import User
from logitrack.core.testing import HttpsClient
from logitrack.privacy.policies.models import PolicyAcceptance, PolicyVersion
from logitrack.privacy.policies.tests.helpers import publish_version
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import make_api_key, make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db

ACCEPT = "/privacy/policy/accept/"


def _member(role: Role = Role.OWNER) -> tuple[HttpsClient, User]:
    membership = make_member(make_tenant(), role)
    client = HttpsClient()
    sign_in(client, membership)
    return client, membership.user


def test_nobody_is_interrupted_while_no_material_version_is_in_effect(
    version_1: PolicyVersion, officer: User
) -> None:
    client, _user = _member()
    publish_version(officer, material=False)

    assert client.get("/account/").status_code == 200


def test_a_material_version_sends_a_signed_in_person_to_accept_it(
    version_1: PolicyVersion, officer: User
) -> None:
    client, _user = _member()
    publish_version(officer, material=True)

    response = client.get("/account/?tab=1")

    assert response.status_code == 302
    assert response["Location"] == f"{ACCEPT}?next=%2Faccount%2F%3Ftab%3D1"


def test_accepting_records_the_version_and_lets_the_person_go_on(
    version_1: PolicyVersion, officer: User
) -> None:
    client, user = _member()
    published = publish_version(officer, material=True)

    page = client.get(f"{ACCEPT}?next=/account/")
    assert page.status_code == 200
    assert 'name="number" value="2"' in page.content.decode()
    accepted = client.post(
        ACCEPT,
        {"number": "2", "language": "en", "next": "/account/"},
        REMOTE_ADDR="198.51.100.23",
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
    )

    assert accepted.status_code == 302
    assert accepted["Location"] == "/account/"
    acceptance = PolicyAcceptance.objects.get(user=user)
    assert acceptance.version == published
    assert (acceptance.via, acceptance.language) == ("prompt", "en")
    assert acceptance.ip_prefix == "198.51.100.0"
    assert acceptance.user_agent == "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0"
    assert AuditEntry.objects.filter(action="policy_accepted", object_id="2").count() == 1
    assert client.get("/account/").status_code == 200


def test_a_stale_acceptance_form_records_nothing(version_1: PolicyVersion, officer: User) -> None:
    client, _user = _member()
    publish_version(officer, material=True)

    response = client.post(ACCEPT, {"number": "1", "next": "/account/"})

    assert response.status_code == 302
    assert not PolicyAcceptance.objects.exists()
    assert client.get("/account/").status_code == 302


def test_an_acceptance_page_never_sends_a_person_to_another_site(
    version_1: PolicyVersion, officer: User
) -> None:
    client, _user = _member()
    publish_version(officer, material=True)

    response = client.post(ACCEPT, {"number": "2", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_each_person_accepts_for_themselves_whatever_their_company(
    version_1: PolicyVersion, officer: User
) -> None:
    first, _ = _member(Role.OWNER)
    second, _ = _member(Role.VIEWER)
    publish_version(officer, material=True)

    first.post(ACCEPT, {"number": "2"})

    assert first.get("/account/").status_code == 200
    assert second.get("/account/").status_code == 302
    assert PolicyAcceptance.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    ["/privacy/", "/privacy/policy/v/2/", "/privacy/policy/versions/", "/privacy/policy/diff/1/2/"],
)
def test_the_policy_pages_are_readable_before_accepting(
    version_1: PolicyVersion, officer: User, path: str
) -> None:
    client, _user = _member()
    publish_version(officer, material=True)

    assert client.get(path).status_code == 200


def test_signing_out_and_the_api_are_not_interrupted(
    version_1: PolicyVersion, officer: User
) -> None:
    client, _user = _member()
    publish_version(officer, material=True)

    assert client.get("/api/v1/me").status_code == 200
    signed_out = client.post("/logout/")
    assert signed_out.status_code == 302
    assert not signed_out["Location"].startswith(ACCEPT)


def test_an_api_key_has_no_person_to_ask(version_1: PolicyVersion, officer: User) -> None:
    membership = make_member(make_tenant(), Role.OWNER)
    key = make_api_key(membership, {Permission.TENANT_VIEW})
    publish_version(officer, material=True)

    response = HttpsClient().get("/api/v1/tenant", HTTP_AUTHORIZATION=f"Bearer {key.token}")

    assert response.status_code == 200


def test_an_htmx_request_is_sent_to_the_acceptance_page_as_a_whole(
    version_1: PolicyVersion, officer: User
) -> None:
    client, _user = _member()
    publish_version(officer, material=True)

    response = client.get("/account/", HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(ACCEPT)


def test_a_future_material_version_interrupts_from_its_effective_time(
    version_1: PolicyVersion, officer: User
) -> None:
    client, _user = _member()
    publish_version(officer, material=True, effective_in=timedelta(minutes=10))

    assert client.get("/account/").status_code == 200
    with freeze_time(timezone.now() + timedelta(minutes=11)):
        assert client.get("/account/").status_code == 302


def test_the_privacy_officer_keeps_the_policy_pages_but_accepts_like_everyone(
    version_1: PolicyVersion, officer: User
) -> None:
    publish_version(officer, material=True)
    client = HttpsClient()
    client.force_login(officer)

    assert client.get("/staff/privacy/policies/").status_code == 200
    assert client.get("/account/").status_code == 302
