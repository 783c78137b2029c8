"""After signing in, the home page is the person's own start page, not the marketing page."""

from __future__ import annotations

import pytest

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, make_user, sign_in

pytestmark = pytest.mark.django_db


def test_a_visitor_sees_the_marketing_page(client: HttpsClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert b"data-start-page" not in response.content
    assert "web/home.html" in [template.name for template in response.templates]


def test_a_signed_in_person_sees_their_companies_and_next_steps(client: HttpsClient) -> None:
    owner = make_member(make_tenant(name="Công ty TNHH Cà Mau"), Role.OWNER)
    make_member(make_tenant(name="Công ty CP Đà Nẵng"), Role.VIEWER, user=owner.user)
    sign_in(client, owner)

    response = client.get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "data-start-page" in body
    assert "web/home.html" not in [template.name for template in response.templates]
    assert "Công ty TNHH Cà Mau" in body
    assert "Công ty CP Đà Nẵng" in body
    assert 'href="/company/members/invite/"' in body
    assert 'href="/company/api-keys/"' in body


def test_a_viewer_is_not_offered_what_their_level_cannot_do(client: HttpsClient) -> None:
    viewer = make_member(make_tenant(), Role.VIEWER)
    sign_in(client, viewer)

    body = client.get("/").content.decode()

    assert "data-start-page" in body
    assert 'href="/company/members/invite/"' not in body
    assert 'href="/company/api-keys/"' not in body


def test_the_start_page_shows_no_other_persons_companies(client: HttpsClient) -> None:
    mine = make_member(make_tenant(name="Công ty Của Tôi"), Role.OWNER)
    make_member(make_tenant(name="Công ty Người Khác"), Role.OWNER, user=make_user())
    sign_in(client, mine)

    body = client.get("/").content.decode()

    assert "Công ty Của Tôi" in body
    assert "Công ty Người Khác" not in body
