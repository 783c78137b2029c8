"""Authentication and permission run before the API parses anything, and the OpenAPI document
says which credentials each operation takes.

The operations are read from the API itself, so a new operation is covered without editing this
file. Each request is built to be invalid (ids of 0, every body field of the wrong type): the
control case proves that a caller who may use the operation gets 422 for it, so a 401 or 403
for the others is authentication or permission deciding first, not an accident of the input.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from logitrack.core.testing import HttpsClient
from logitrack.security.models import AuditEntry
from logitrack.tenancy.access import SAFE_METHODS, AccessRule, access_rule_of
from logitrack.tenancy.models import Membership
from logitrack.tenancy.roles import API_KEY_PERMISSIONS, Permission, Role, has_permission
from logitrack.tenancy.tests.factories import (
    bearer,
    make_api_key,
    make_member,
    make_tenant,
    sign_in,
)

pytestmark = pytest.mark.django_db

_PATH_PARAM = re.compile(r"{(?:(\w+):)?(\w+)}")
WELL_FORMED_UNKNOWN_KEY = "lt_abcdefgh_" + "A" * 43


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    rule: AccessRule
    body: dict[str, Any] | None

    def label(self) -> str:
        return f"{self.method} {self.path}"

    def send(self, client: Client, **extra: Any) -> Any:
        send = getattr(client, self.method.lower())
        if self.body is None:
            return send(self.path, **extra)
        return send(self.path, data=json.dumps(self.body), content_type="application/json", **extra)


def _invalid_body(operation: Any) -> dict[str, Any] | None:
    """Every field of the operation's JSON body, with a value no field type accepts."""
    for model in operation.models:
        if model.__ninja_param_source__ != "body":
            continue
        fields: dict[str, Any] = {}
        for info in model.model_fields.values():
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                fields.update({name: {"wrong": ["type"]} for name in annotation.model_fields})
        return fields
    return None


def _invalid_path_value(match: re.Match[str]) -> str:
    """An id no row has (0), or for a text parameter (a waybill) a NUL the text layer refuses.

    A parameter behind the ``int`` converter (a province code) gets 0 too: a NUL would not
    match the route at all, and the call would be a 404 that never reaches the operation.
    """
    converter, name = match.group(1), match.group(2)
    return "0" if converter == "int" or name.endswith("_id") else "%00"


def _calls() -> list[Call]:
    from django.urls import get_resolver

    from logitrack.core.api import api

    get_resolver().url_patterns  # noqa: B018  (loading the URLconf mounts the API's routers)
    calls = []
    for prefix, router in api._routers:
        for route, path_view in router.path_operations.items():
            for operation in path_view.operations:
                rule = access_rule_of(operation.view_func)
                assert rule is not None
                joined = "/".join(p.strip("/") for p in (prefix, route) if p.strip("/"))
                path = "/api/v1/" + _PATH_PARAM.sub(_invalid_path_value, joined)
                for method in operation.methods:
                    calls.append(Call(method, path, rule, _invalid_body(operation)))
    return calls


CALLS = _calls()
PROTECTED = [call for call in CALLS if call.rule.kind != "public"]
PARSED = [
    call for call in PROTECTED if call.body is not None or "/0" in call.path or "%00" in call.path
]
WITH_PERMISSION = [call for call in PARSED if call.rule.kind == "permission"]
UNSAFE = [call for call in PARSED if call.method not in SAFE_METHODS]


def _owner() -> Membership:
    return make_member(make_tenant(), Role.OWNER)


def _signed_in(membership: Membership, **client_options: Any) -> HttpsClient:
    client = HttpsClient(**client_options)
    sign_in(client, membership)
    return client


def _error_code(response: Any) -> str:
    code: str = json.loads(response.content)["error"]["code"]
    return code


def test_the_api_has_protected_operations_that_parse_input() -> None:
    # Guards the parametrised tests below against silently testing nothing.
    assert len(PARSED) >= 10
    assert {"POST /api/v1/tenants/current", "POST /api/v1/api-keys"} <= {
        call.label() for call in PARSED
    }
    assert "PATCH /api/v1/members/0" in {call.label() for call in PARSED}


@pytest.mark.parametrize("call", PARSED, ids=Call.label)
def test_a_caller_allowed_to_use_the_operation_gets_422_for_the_invalid_request(
    call: Call,
) -> None:
    response = call.send(_signed_in(_owner()))

    assert response.status_code == 422, response.content
    assert _error_code(response) == "validation_error"


@pytest.mark.parametrize("call", PROTECTED, ids=Call.label)
def test_an_anonymous_call_gets_401_before_its_input_is_read(call: Call) -> None:
    response = call.send(HttpsClient())

    assert response.status_code == 401
    assert json.loads(response.content) == {
        "error": {
            "code": "not_authenticated",
            "message": "Hãy đăng nhập hoặc gửi một khóa API hợp lệ.",
        }
    }


@pytest.mark.parametrize("call", PROTECTED, ids=Call.label)
def test_an_unknown_api_key_gets_401_before_the_input_is_read(call: Call) -> None:
    response = call.send(HttpsClient(), headers=bearer(WELL_FORMED_UNKNOWN_KEY))

    assert response.status_code == 401
    assert _error_code(response) == "invalid_api_key"


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "bearer   "])
def test_a_bearer_header_without_a_key_is_a_wrong_key_not_no_key(header: str) -> None:
    # With a session alongside, a bare "Bearer" must not fall back to the session.
    client = _signed_in(_owner())

    response = client.get("/api/v1/tenant", headers={"Authorization": header})

    assert response.status_code == 401
    assert _error_code(response) == "invalid_api_key"


@pytest.mark.parametrize("call", UNSAFE, ids=Call.label)
def test_a_session_without_its_csrf_token_gets_403_before_the_input_is_read(call: Call) -> None:
    client = _signed_in(_owner(), enforce_csrf_checks=True)

    response = call.send(client, HTTP_REFERER="https://testserver/")

    assert response.status_code == 403
    assert _error_code(response) == "csrf_failed"


KEY_UNSAFE = [
    call
    for call in UNSAFE
    if call.rule.kind == "permission" and call.rule.permission in API_KEY_PERMISSIONS
]


@pytest.mark.parametrize("call", KEY_UNSAFE, ids=Call.label)
def test_an_api_key_needs_no_csrf_token_where_csrf_is_enforced(call: Call) -> None:
    # CSRF protects a browser's cookie; a bearer key is not sent by the browser on its own.
    assert call.rule.permission is not None
    created = make_api_key(_owner(), {call.rule.permission})
    client = HttpsClient(enforce_csrf_checks=True)

    response = call.send(client, headers=bearer(created.token), HTTP_REFERER="https://testserver/")

    assert response.status_code == 422, response.content
    assert _error_code(response) == "validation_error"


def _role_without(permission: Permission) -> Role | None:
    return next((role for role in Role if not has_permission(role, permission)), None)


@pytest.mark.parametrize("call", WITH_PERMISSION, ids=Call.label)
def test_a_member_without_the_permission_gets_403_before_the_input_is_read(call: Call) -> None:
    assert call.rule.permission is not None
    role = _role_without(call.rule.permission)
    assert role is not None, f"every level holds {call.rule.permission}"
    member = make_member(make_tenant(), role)
    refusals_before = AuditEntry.objects.filter(action="authz_fail").count()

    response = call.send(_signed_in(member))

    assert response.status_code == 403
    assert _error_code(response) == "permission_denied"
    assert AuditEntry.objects.filter(action="authz_fail").count() == refusals_before + 1


@pytest.mark.parametrize("call", WITH_PERMISSION, ids=Call.label)
def test_an_api_key_without_the_permission_gets_403_before_the_input_is_read(call: Call) -> None:
    assert call.rule.permission is not None
    others = set(API_KEY_PERMISSIONS) - {call.rule.permission}
    created = make_api_key(_owner(), {next(iter(sorted(others)))})

    response = call.send(HttpsClient(), headers=bearer(created.token))

    assert response.status_code == 403
    # The refusal names the key's missing permission, not the caller's account level.
    assert _error_code(response) == "api_key_permission_denied"


@pytest.mark.parametrize(
    "call", [call for call in PARSED if call.rule.kind == "signed_in"], ids=Call.label
)
def test_an_api_key_on_an_operation_for_a_person_gets_403_before_the_input_is_read(
    call: Call,
) -> None:
    created = make_api_key(_owner(), set(API_KEY_PERMISSIONS))

    response = call.send(HttpsClient(), headers=bearer(created.token))

    assert response.status_code == 403
    assert _error_code(response) == "permission_denied"


def test_an_api_key_with_the_permission_reaches_validation() -> None:
    created = make_api_key(_owner(), {Permission.MEMBERS_MANAGE})

    response = HttpsClient().patch(
        "/api/v1/members/0",
        data="{}",
        content_type="application/json",
        headers=bearer(created.token),
    )

    assert response.status_code == 422


# --- the OpenAPI document ------------------------------------------------------------------------


def _document() -> dict[str, Any]:
    response = HttpsClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = json.loads(response.content)
    return document


def _expected_security(call: Call) -> list[dict[str, list[str]]]:
    session: dict[str, list[str]] = {"SessionCookie": []}
    if call.method not in SAFE_METHODS:
        session = {"SessionCookie": [], "CsrfCookie": [], "CsrfToken": []}
    if call.rule.kind == "public":
        return []
    if call.rule.kind == "permission":
        return [{"ApiKeyBearer": []}, session]
    return [session]


def test_the_document_declares_the_bearer_key_the_session_cookie_and_the_csrf_pair() -> None:
    schemes = _document()["components"]["securitySchemes"]

    assert set(schemes) == {"ApiKeyBearer", "SessionCookie", "CsrfCookie", "CsrfToken"}
    assert {k: v for k, v in schemes["ApiKeyBearer"].items() if k != "description"} == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "lt_<prefix>_<secret>",
    }
    assert (schemes["SessionCookie"]["type"], schemes["SessionCookie"]["in"]) == (
        "apiKey",
        "cookie",
    )
    assert schemes["SessionCookie"]["name"] == "__Host-logitrack_session"
    assert (schemes["CsrfCookie"]["in"], schemes["CsrfCookie"]["name"]) == (
        "cookie",
        "__Host-logitrack_csrf",
    )
    assert (schemes["CsrfToken"]["in"], schemes["CsrfToken"]["name"]) == ("header", "X-CSRFToken")


def _concrete(path: str, integers: set[str]) -> str:
    """An OpenAPI path with the values ``_calls`` gives: 0 for ``integers``, else as there."""

    def value(match: re.Match[str]) -> str:
        return "0" if match.group(2) in integers else _invalid_path_value(match)

    return "/" + _PATH_PARAM.sub(value, path).lstrip("/")


def test_every_operation_states_its_security_and_public_ones_state_none() -> None:
    paths = _document()["paths"]
    by_label = {}
    for path, methods in paths.items():
        for method, details in methods.items():
            # The document's paths name no converter: its integer parameters get 0 as above.
            integers = {
                p["name"]
                for p in details.get("parameters", [])
                if p.get("in") == "path" and p.get("schema", {}).get("type") == "integer"
            }
            by_label[f"{method.upper()} {_concrete(path, integers)}"] = details

    mismatched = [
        call.label()
        for call in CALLS
        if by_label[call.label()].get("security") != _expected_security(call)
    ]

    assert mismatched == []
    assert len(by_label) == len(CALLS)
    assert [by_label["POST /api/v1/signup"]["security"]] == [[]]


def test_every_operation_documents_its_error_answers() -> None:
    document = _document()

    undocumented = [
        f"{method} {path}"
        for path, methods in document["paths"].items()
        for method, details in methods.items()
        if details["responses"].get("4XX", {}).get("content", {}).get("application/json")
        != {"schema": {"$ref": "#/components/schemas/Error"}}
    ]

    assert undocumented == []
    assert document["components"]["schemas"]["Error"]["required"] == ["error"]


def test_an_operation_cannot_take_auth_besides_its_access_declaration() -> None:
    from django.core.exceptions import ImproperlyConfigured
    from ninja import Router
    from ninja.security import HttpBearer

    from logitrack.tenancy.access import requires

    class AnyBearer(HttpBearer):
        def authenticate(self, request: Any, token: str) -> str:
            return token

    router = Router()

    with pytest.raises(
        ImproperlyConfigured,
        match=(
            r"^test_an_operation_cannot_take_auth_besides_its_access_declaration"
            r"\.<locals>\.shadow: "
            r"declare access with requires\(\), signed_in\(\), platform_staff\(\) or public\(\), "
            r"not with auth=$"
        ),
    ):

        @router.get("/shadow", auth=AnyBearer())
        @requires(Permission.TENANT_VIEW)
        def shadow(request: Any) -> None:
            return None


def test_a_declared_operation_takes_the_credentials_its_rule_needs() -> None:
    from ninja import Router

    from logitrack.tenancy.access import public, requires, signed_in
    from logitrack.tenancy.api_auth import ApiKeyBearer, SessionCookie

    router = Router()

    @router.get("/guarded")
    @requires(Permission.TENANT_VIEW)
    def guarded(request: Any) -> None:
        return None

    @router.get("/person")
    @signed_in("own profile")
    def person(request: Any) -> None:
        return None

    @router.get("/open")
    @public("anyone")
    def anyone(request: Any) -> None:
        return None

    def auth_of(path: str) -> tuple[Any, list[tuple[type, AccessRule]]]:
        operation: Any = router.path_operations[path].operations[0]
        return operation.auth_param, [(type(auth), auth.rule) for auth in operation.auth_callbacks]

    needs_permission = AccessRule(kind="permission", permission=Permission.TENANT_VIEW)
    guarded_param, guarded_callbacks = auth_of("/guarded")
    assert guarded_callbacks == [
        (ApiKeyBearer, needs_permission),
        (SessionCookie, needs_permission),
    ]
    assert [(type(auth), auth.rule) for auth in guarded_param] == guarded_callbacks
    person_param, person_callbacks = auth_of("/person")
    assert person_callbacks == [(SessionCookie, AccessRule(kind="signed_in", reason="own profile"))]
    assert [(type(auth), auth.rule) for auth in person_param] == person_callbacks
    assert auth_of("/open") == (None, [])
