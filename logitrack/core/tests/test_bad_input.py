"""Bad input gets a clear, coded error and never a stack trace."""

from __future__ import annotations

import json
from typing import cast

import pytest
from django.test import override_settings
from django.urls import path
from ninja import Router, Schema

from logitrack.core.api import build_api
from logitrack.core.testing import HttpsClient
from logitrack.tenancy.access import public

pytestmark = pytest.mark.django_db


class Parcel(Schema):
    weight_grams: int


router = Router()


@router.post("/parcels")
@public("test route exercising the shared error handlers")
def create_parcel(request: object, payload: Parcel) -> dict[str, int]:
    return {"weight_grams": payload.weight_grams}


@router.get("/boom")
@public("test route exercising the shared error handlers")
def boom(request: object) -> dict[str, int]:
    raise RuntimeError("secret internal detail")


_api = build_api()
_api.urls_namespace = "api-test"
_api.add_router("/", router)
urlpatterns = [path("api/v1/", _api.urls)]


@pytest.fixture
def api_client() -> HttpsClient:
    return HttpsClient(raise_request_exception=False)


def _error(response: object) -> dict[str, object]:
    body = json.loads(response.content)  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    return body["error"]  # type: ignore[no-any-return]


def test_unknown_host_header_is_answered_400(client: HttpsClient) -> None:
    response = client.get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert b"Traceback" not in response.content


def test_unknown_host_on_an_api_route_gets_a_json_error(client: HttpsClient) -> None:
    response = client.get("/api/v1/openapi.json", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert _error(response)["code"] == "bad_request"


@override_settings(ROOT_URLCONF=__name__)
def test_malformed_json_is_answered_400_with_a_coded_error(api_client: HttpsClient) -> None:
    response = api_client.post(
        "/api/v1/parcels", data=b'{"weight_grams": 12', content_type="application/json"
    )

    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "malformed_json"
    assert error["message"]


@override_settings(ROOT_URLCONF=__name__)
def test_invalid_utf8_body_is_answered_as_malformed_json(api_client: HttpsClient) -> None:
    response = api_client.post(
        "/api/v1/parcels", data=b"\xff\xfe{", content_type="application/json"
    )

    assert response.status_code == 400
    assert _error(response)["code"] == "malformed_json"


@override_settings(ROOT_URLCONF=__name__)
def test_schema_violation_names_the_field(api_client: HttpsClient) -> None:
    response = api_client.post(
        "/api/v1/parcels", data={"weight_grams": "heavy"}, content_type="application/json"
    )

    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "validation_error"
    fields = cast(list[dict[str, str]], error["fields"])
    assert [field["field"] for field in fields] == ["weight_grams"]


@override_settings(ROOT_URLCONF=__name__)
def test_unexpected_api_error_reveals_nothing_internal(api_client: HttpsClient) -> None:
    response = api_client.get("/api/v1/boom")

    assert response.status_code == 500
    assert _error(response)["code"] == "internal_error"
    assert b"secret internal detail" not in response.content
    assert b"Traceback" not in response.content


@override_settings(LOGITRACK_MAX_BODY_BYTES=1024)
def test_oversized_body_is_refused_413_before_it_is_read(client: HttpsClient) -> None:
    response = client.post(
        "/api/v1/anything", data=b"x" * 2048, content_type="application/octet-stream"
    )

    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"


@override_settings(LOGITRACK_MAX_BODY_BYTES=1024)
def test_oversized_form_post_to_a_page_is_refused_413(client: HttpsClient) -> None:
    response = client.post("/login/", data={"username": "x" * 4096})

    assert response.status_code == 413


def test_unknown_page_gets_the_translated_404_page(client: HttpsClient) -> None:
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 404
    assert "Không tìm thấy trang".encode() in response.content
    assert b"Traceback" not in response.content


def test_unknown_api_route_gets_a_json_404(client: HttpsClient) -> None:
    response = client.get("/api/v1/no-such-route")

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"
