"""The orders and shipments API refuses what its OpenAPI schema forbids (docs/adr/0014)."""

from __future__ import annotations

import pytest

from logitrack.core.testing import HttpsClient
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import bearer, make_api_key, make_member, make_tenant

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def _key_client() -> HttpsClient:
    owner = make_member(make_tenant(), Role.OWNER)
    created = make_api_key(owner, {Permission.OPERATIONS_VIEW, Permission.OPERATIONS_MANAGE})
    return HttpsClient(headers=bearer(created.token))


@pytest.mark.parametrize("path", [f"{V1}/shipments", f"{V1}/orders"])
@pytest.mark.parametrize("param", ["created_from", "created_to"])
def test_a_list_date_time_filter_that_is_a_number_answers_422(path: str, param: str) -> None:
    response = _key_client().get(path, {param: "0.5"})

    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == f"query.{param}"


@pytest.mark.parametrize("path", [f"{V1}/shipments", f"{V1}/orders"])
def test_a_list_date_time_filter_with_offset_is_read(path: str) -> None:
    response = _key_client().get(path, {"created_to": "2026-11-29T00:00:00+07:00"})

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}
