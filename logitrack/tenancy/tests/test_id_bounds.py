"""Ids from URLs, JSON bodies and forms are bounded to 64 bits: 4xx, never an overflow 500.

A 20-digit id used to overflow SQLite's driver (``POST /api/v1/tenants/current``,
``POST /company/switch/``). The API's path parameters and the pages' URL ids are read from the
URLconf here, so a new route with an unbounded id fails these tests.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from logitrack.core.ids import ID_MAX, IdConverter
from logitrack.core.testing import HttpsClient
from logitrack.tenancy.middleware import SESSION_TENANT_KEY
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import (
    GOOD_PASSWORD,
    PROVINCE_HCMC,
    WARD_IN_HCMC,
    make_member,
    make_tenant,
    sign_in,
    valid_tax_code,
)

pytestmark = pytest.mark.django_db

TWENTY_DIGITS = 10**19 + 7  # larger than ID_MAX
_PATH_PARAM = re.compile(r"{(?:\w+:)?(\w+)}")


@pytest.fixture
def owner() -> Membership:
    return make_member(make_tenant(), Role.OWNER)


@pytest.fixture
def owner_client(owner: Membership) -> HttpsClient:
    client = HttpsClient()
    sign_in(client, owner)
    return client


def _fields(response: Any) -> list[str]:
    error = json.loads(response.content)["error"]
    assert error["code"] == "validation_error"
    return [item["field"] for item in error["fields"]]


# --- the API -------------------------------------------------------------------------------------


@pytest.mark.parametrize("tenant_id", [TWENTY_DIGITS, ID_MAX + 1, 0, -1])
def test_switching_to_an_out_of_range_company_is_422_and_changes_nothing(
    owner: Membership, owner_client: HttpsClient, tenant_id: int
) -> None:
    response = owner_client.post(
        "/api/v1/tenants/current",
        data=json.dumps({"tenant_id": tenant_id}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert _fields(response) == ["tenant_id"]
    assert owner_client.session[SESSION_TENANT_KEY] == owner.tenant_id


def test_the_largest_id_is_in_range_and_simply_not_a_company_of_yours(
    owner: Membership, owner_client: HttpsClient
) -> None:
    response = owner_client.post(
        "/api/v1/tenants/current",
        data=json.dumps({"tenant_id": ID_MAX}),
        content_type="application/json",
    )

    assert response.status_code == 404
    assert owner_client.session[SESSION_TENANT_KEY] == owner.tenant_id


def _all_path_parameters_are_ids(operation: Any) -> bool:
    for model in operation.models:
        if model.__ninja_param_source__ == "path":
            return all(info.annotation is int for info in model.model_fields.values())
    return False


def _api_paths_with_ids() -> list[tuple[str, str]]:
    from logitrack.core.api import api

    get_resolver().url_patterns  # noqa: B018  (loading the URLconf mounts the API's routers)
    found = []
    for prefix, router in api._routers:
        for route, path_view in router.path_operations.items():
            # Ids only: a text parameter (a waybill) has its own bounds in the text layer.
            if not any(name.endswith("_id") for name in _PATH_PARAM.findall(route)):
                continue
            joined = "/".join(p.strip("/") for p in (prefix, route) if p.strip("/"))
            for operation in path_view.operations:
                if not _all_path_parameters_are_ids(operation):
                    continue  # a waybill in the path is text, not an id
                for method in operation.methods:
                    found.append((method, "/api/v1/" + _PATH_PARAM.sub(str(TWENTY_DIGITS), joined)))
    return found


API_PATHS_WITH_IDS = _api_paths_with_ids()


def test_the_api_has_operations_with_ids_in_their_path() -> None:
    assert len(API_PATHS_WITH_IDS) >= 8


@pytest.mark.parametrize(("method", "path"), API_PATHS_WITH_IDS)
def test_every_id_in_an_api_path_is_bounded(
    owner_client: HttpsClient, method: str, path: str
) -> None:
    # A schema-valid body wherever the operation takes one, so that the id is the one error:
    # ninja answers a missing body 400 malformed, before it reports the path.
    bodies = {
        ("PATCH", "/api/v1/orders/"): {"notes": "Gọi trước"},
        ("PATCH", "/api/v1/"): {"role": Role.VIEWER.value},
        ("POST", "/api/v1/imports/"): {"mapping": ["consignee_name"]},
    }
    body = next(
        (b for (verb, prefix), b in bodies.items() if verb == method and path.startswith(prefix)),
        None,
    )
    if path.endswith("/assignments") and method == "POST":
        body = {"target": "none"}
    send = getattr(owner_client, method.lower())
    if body is None:
        response = send(path)
    else:
        response = send(path, data=json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert len(_fields(response)) == 1


@pytest.mark.parametrize("field", ["province_code", "ward_code"])
def test_signup_codes_are_bounded(field: str) -> None:
    payload: dict[str, Any] = {
        "company_name": "Công ty TNHH Giới Hạn",
        "tax_code": valid_tax_code(9_001),
        "industry": "transport",
        "street_address": "1 Lê Lợi",
        "province_code": PROVINCE_HCMC,
        "ward_code": WARD_IN_HCMC,
        "owner_full_name": "Trần Văn Bình",
        "owner_email": "binh@gioihan.vn",
        "owner_password": GOOD_PASSWORD,
        "owner_date_of_birth": "1990-01-01",
        "privacy_consent": True,
    }
    payload[field] = TWENTY_DIGITS
    tenants_before = Tenant.objects.count()

    response = HttpsClient().post(
        "/api/v1/signup", data=json.dumps(payload), content_type="application/json"
    )

    assert response.status_code == 422
    assert _fields(response) == [field]
    assert Tenant.objects.count() == tenants_before


def test_company_update_codes_are_bounded(owner: Membership, owner_client: HttpsClient) -> None:
    response = owner_client.patch(
        "/api/v1/tenant",
        data=json.dumps({"ward_code": TWENTY_DIGITS}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert _fields(response) == ["ward_code"]
    owner.tenant.refresh_from_db()
    assert owner.tenant.ward_code == WARD_IN_HCMC


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("tenant_id", [str(TWENTY_DIGITS), str(ID_MAX + 1), "0", "-3", "abc", ""])
def test_the_switch_page_refuses_an_out_of_range_company_with_a_field_error(
    owner: Membership, owner_client: HttpsClient, tenant_id: str
) -> None:
    response = owner_client.post("/company/switch/", {"tenant_id": tenant_id})

    assert response.status_code == 400
    assert response.context["form"].errors["tenant_id"]
    assert owner_client.session[SESSION_TENANT_KEY] == owner.tenant_id


def test_the_switch_page_still_switches_to_a_company_of_yours(owner: Membership) -> None:
    second = make_member(make_tenant(), Role.VIEWER, user=owner.user)
    client = HttpsClient()
    sign_in(client, owner)

    response = client.post("/company/switch/", {"tenant_id": str(second.tenant_id)})

    assert response.status_code == 302
    assert client.session[SESSION_TENANT_KEY] == second.tenant_id


def _page_url_converters(
    patterns: list[Any] | None = None, prefix: str = ""
) -> list[tuple[str, str, Any]]:
    """(route, parameter, converter) of every page URL parameter, includes resolved."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_page_url_converters(list(entry.url_patterns), route))
        elif isinstance(entry, URLPattern) and not route.startswith("api/"):
            for name, converter in getattr(entry.pattern, "converters", {}).items():
                found.append((route, name, converter))
    return found


def test_every_numeric_id_in_a_page_url_uses_the_bounded_converter() -> None:
    numeric = [item for item in _page_url_converters() if "0-9" in item[2].regex]

    unbounded = [
        f"{route} {name}" for route, name, converter in numeric
        if not isinstance(converter, IdConverter)
    ]  # fmt: skip

    assert len(numeric) >= 5
    assert unbounded == []


@pytest.mark.parametrize(
    "path",
    [
        f"/company/members/{TWENTY_DIGITS}/role/",
        f"/company/members/{TWENTY_DIGITS}/remove/",
        f"/company/invitations/{TWENTY_DIGITS}/revoke/",
        f"/company/api-keys/{TWENTY_DIGITS}/revoke/",
        f"/account/sessions/{TWENTY_DIGITS}/revoke/",
        f"/company/members/{ID_MAX + 1}/role/",
    ],
)
def test_a_page_url_with_an_out_of_range_id_is_not_found(
    owner_client: HttpsClient, path: str
) -> None:
    response = owner_client.post(path, {"role": Role.VIEWER.value})

    assert response.status_code == 404


def test_a_page_url_with_the_largest_id_is_answered_as_missing(
    owner: Membership, owner_client: HttpsClient
) -> None:
    response = owner_client.post(f"/company/members/{ID_MAX}/role/", {"role": Role.VIEWER.value})

    assert response.status_code == 404
    assert list(Membership.dangerously_unscoped.values_list("role", flat=True)) == [Role.OWNER]
