"""A multipart body Django cannot parse is the client's fault: 400 wherever it is first read.

The CSRF check is the first reader of ``request.POST`` on a session-authenticated POST (Django's
middleware for pages, ``tenancy.access`` for the API); a multipart body without a valid boundary
used to crash it with a 500 on the API.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.middleware import SESSION_TENANT_KEY
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db

MALFORMED = [
    pytest.param("multipart/form-data", id="no boundary"),
    pytest.param("multipart/form-data; boundary=", id="empty boundary"),
]
BODY = b'{"tenant_id": 1, "token": "abcdefghijklmnopqrstuvwxyz"}'


@pytest.fixture
def owner() -> Membership:
    return make_member(make_tenant(), Role.OWNER)


def _browser(membership: Membership | None) -> HttpsClient:
    """A browser that enforces CSRF as a real one does, with its CSRF cookie set."""
    client = HttpsClient(enforce_csrf_checks=True, HTTP_REFERER="https://testserver/")
    if membership is not None:
        sign_in(client, membership)
    client.get("/login/" if membership is None else "/company/switch/")
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["__Host-logitrack_csrf"].value
    return client


def _post(client: HttpsClient, path: str, content_type: str) -> Any:
    return client.post(path, data=BODY, content_type=content_type)


@pytest.mark.parametrize("content_type", MALFORMED)
def test_a_session_api_call_with_a_malformed_multipart_body_is_400(
    owner: Membership, content_type: str
) -> None:
    client = _browser(owner)

    response = _post(client, "/api/v1/tenants/current", content_type)

    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "malformed_body"
    assert client.session[SESSION_TENANT_KEY] == owner.tenant_id


def test_a_session_api_call_with_a_well_formed_multipart_body_is_400_not_a_crash(
    owner: Membership,
) -> None:
    # The CSRF check reads the multipart form; the API must still be able to read the body
    # (it is not JSON, so 400), not fail because the form reader consumed it.
    client = _browser(owner)

    response = client.post("/api/v1/tenants/current", data={"tenant_id": "1"})

    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "malformed_json"
    assert client.session[SESSION_TENANT_KEY] == owner.tenant_id


@pytest.mark.parametrize("content_type", MALFORMED)
def test_a_public_api_call_with_a_session_and_a_malformed_multipart_body_is_400(
    owner: Membership, content_type: str
) -> None:
    response = _post(_browser(owner), "/api/v1/invitations/accept", content_type)

    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "malformed_body"


@pytest.mark.parametrize("content_type", MALFORMED)
def test_an_anonymous_api_call_with_a_malformed_multipart_body_is_401(content_type: str) -> None:
    response = _post(_browser(None), "/api/v1/tenants/current", content_type)

    assert response.status_code == 401


@pytest.mark.parametrize("content_type", MALFORMED)
def test_a_page_post_with_a_malformed_multipart_body_is_400(
    owner: Membership, content_type: str
) -> None:
    client = _browser(owner)

    response = _post(client, "/company/switch/", content_type)

    assert response.status_code == 400
    assert client.session[SESSION_TENANT_KEY] == owner.tenant_id


@pytest.mark.parametrize("content_type", MALFORMED)
def test_the_sign_in_page_with_a_malformed_multipart_body_is_400(content_type: str) -> None:
    response = _post(_browser(None), "/login/", content_type)

    assert response.status_code == 400


def test_a_page_form_posted_by_a_client_asking_for_json_is_still_read(owner: Membership) -> None:
    # Django's CSRF middleware reads the multipart form first; the access check that follows
    # for a JSON-asking client must not then fail on the consumed body.
    second = make_member(make_tenant(), Role.VIEWER, user=owner.user)
    client = _browser(owner)

    response = client.post(
        "/company/switch/",
        {
            "tenant_id": str(second.tenant_id),
            "csrfmiddlewaretoken": client.defaults["HTTP_X_CSRFTOKEN"],
        },
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 302
    assert client.session[SESSION_TENANT_KEY] == second.tenant_id
