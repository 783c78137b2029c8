from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import (
    bearer,
    make_api_key,
    make_member,
    make_tenant,
    sign_in,
)

pytestmark = pytest.mark.django_db

V1 = "/api/v1/addresses"


@pytest.fixture
def dispatcher() -> Membership:
    return make_member(make_tenant(), Role.DISPATCHER)


def _post(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post(
        f"{V1}/resolve", data=json.dumps(body), content_type="application/json", headers=headers
    )


def test_a_member_seeing_operations_lists_the_34_provinces_in_vietnamese_order(
    client: Client, dispatcher: Membership
) -> None:
    sign_in(client, dispatcher)

    response = client.get(f"{V1}/provinces")

    assert response.status_code == 200
    provinces = response.json()
    assert len(provinces) == 34
    assert provinces[0] == {"code": 91, "name": "An Giang"}
    assert {"code": 79, "name": "Thành phố Hồ Chí Minh"} in provinces


def test_a_province_lists_its_communes(client: Client, dispatcher: Membership) -> None:
    sign_in(client, dispatcher)

    communes = client.get(f"{V1}/provinces/79/communes").json()

    assert {"code": 26743, "name": "Phường Bến Thành"} in communes
    assert len(communes) == 168


def test_an_unknown_province_has_no_communes(client: Client, dispatcher: Membership) -> None:
    sign_in(client, dispatcher)

    response = client.get(f"{V1}/provinces/99/communes")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "province_not_found"


def test_the_pickers_refuse_anonymous_callers(client: Client) -> None:
    assert client.get(f"{V1}/provinces").status_code == 401
    assert _post(client, {"text": "Phường Sài Gòn, TP.HCM"}).status_code == 401


def test_the_pickers_refuse_members_without_operations_view(client: Client) -> None:
    sign_in(client, make_member(make_tenant(), Role.DRIVER))

    listed = client.get(f"{V1}/provinces")
    communes = client.get(f"{V1}/provinces/79/communes")
    resolved = _post(client, {"text": "Phường Sài Gòn, TP.HCM"})

    assert (listed.status_code, communes.status_code, resolved.status_code) == (403, 403, 403)


def test_an_api_key_with_operations_view_finds_the_ward_code_of_an_order(
    client: Client, dispatcher: Membership
) -> None:
    key = make_api_key(make_member(dispatcher.tenant, Role.OWNER), {Permission.OPERATIONS_VIEW})

    listed = client.get(f"{V1}/provinces", headers=bearer(key.token))
    communes = client.get(f"{V1}/provinces/79/communes", headers=bearer(key.token))
    resolved = _post(client, {"text": "Phường Bến Thành, TP.HCM"}, **bearer(key.token))

    assert listed.status_code == 200
    assert {"code": 26743, "name": "Phường Bến Thành"} in communes.json()
    assert resolved.status_code == 200
    assert resolved.json()["ward_code"] == 26743


def test_the_pickers_refuse_api_keys_without_operations_view(
    client: Client, dispatcher: Membership
) -> None:
    key = make_api_key(make_member(dispatcher.tenant, Role.OWNER), {Permission.TENANT_VIEW})

    listed = client.get(f"{V1}/provinces", headers=bearer(key.token))
    resolved = _post(client, {"text": "Phường Sài Gòn, TP.HCM"}, **bearer(key.token))

    assert (listed.status_code, resolved.status_code) == (403, 403)


def test_resolve_converts_a_legacy_address_and_keeps_the_old_form(
    client: Client, dispatcher: Membership
) -> None:
    sign_in(client, dispatcher)

    response = _post(client, {"text": "12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM"})

    assert response.status_code == 200
    assert response.json() == {
        "street": "12 Lê Lợi",
        "ward_code": 26743,
        "ward_name": "Phường Bến Thành",
        "province_code": 79,
        "province_name": "Thành phố Hồ Chí Minh",
        "new_form": "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
        "legacy_text": "P. Bến Thành, Q.1, TP.HCM",
        "legacy_form": "12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM",
    }


def test_resolve_takes_split_columns(client: Client, dispatcher: Membership) -> None:
    sign_in(client, dispatcher)

    response = _post(client, {"text": "Số 8", "province": "Hà Nội", "commune": "p. hoan kiem"})

    assert response.status_code == 200
    assert response.json()["ward_code"] == 70
    assert response.json()["legacy_text"] is None


def test_resolve_answers_a_split_ward_with_candidates_in_vietnamese(
    client: Client, dispatcher: Membership
) -> None:
    sign_in(client, dispatcher)

    response = _post(client, {"text": "P. Đa Kao, Q.1, TP.HCM"}, **{"Accept-Language": "vi"})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "address_ambiguous"
    assert error["message"] == "Địa chỉ này có thể thuộc nhiều xã/phường; hãy chọn một."
    assert sorted(c["ward_code"] for c in error["candidates"]) == [26737, 26740]


def test_resolve_refuses_a_control_character_before_resolving(
    client: Client, dispatcher: Membership
) -> None:
    sign_in(client, dispatcher)

    response = _post(client, {"text": "Phường Sài Gòn\u202e, TP.HCM"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
