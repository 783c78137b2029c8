"""Pydantic's refusals reach people in their own language, on the API, pages and import reports."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import translation
from pydantic import ValidationError

from logitrack.core.pydantic_errors import BUILT_IN_TYPES, error_message
from logitrack.core.testing import HttpsClient
from logitrack.imports.report import issue, issue_message, refusal_params
from logitrack.logistics.inputs import OrderInput
from logitrack.logistics.tests.factories import make_shipper, order_input
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.tests.factories import bearer, make_api_key, make_member, make_tenant

PYDANTIC_ENGLISH = ("Input should", "Field required", "Extra inputs", "Value error")


def _bad_order(shipper_id: int) -> dict[str, Any]:
    body = order_input_body(shipper_id)
    body["cod_amount_vnd"] = -5
    body["items"][0]["quantity"] = "hai"
    body["parcels"] = [{"weight_g": 0}]
    body["service_level"] = "rocket"
    body["extra"] = 1
    del body["consignee"]
    return body


def order_input_body(shipper_id: int) -> dict[str, Any]:
    return {
        "shipper_id": shipper_id,
        "reference": "DH-1",
        "delivery": {"street": "12 Lê Lợi", "ward_code": 4, "province_code": 1},
        "consignee": {"name": "Trần Thị Bích", "phone": "0912 345 678"},
        "service_level": "express",
        "cod_amount_vnd": 250_000,
        "items": [{"description": "Áo dài lụa", "quantity": 2, "declared_value_vnd": 400_000}],
        "parcels": [{"weight_g": 1200}],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "vi",
            {
                ("cod_amount_vnd", "greater_than_equal"): "Hãy nhập giá trị không nhỏ hơn 0.",
                ("items.0.quantity", "int_parsing"): "Hãy nhập một số nguyên.",
                ("parcels.0.weight_g", "greater_than"): "Hãy nhập giá trị lớn hơn 0.",
                ("service_level", "enum"): (
                    "Hãy chọn một trong các giá trị: 'standard', 'express', 'same_day'."
                ),
                ("extra", "extra_forbidden"): "Trường này không được chấp nhận ở đây.",
                ("consignee", "missing"): "Trường này là bắt buộc.",
            },
        ),
        (
            "en",
            {
                ("cod_amount_vnd", "greater_than_equal"): "Enter a value of at least 0.",
                ("items.0.quantity", "int_parsing"): "Enter a whole number.",
                ("parcels.0.weight_g", "greater_than"): "Enter a value greater than 0.",
                ("service_level", "enum"): "Choose one of: 'standard', 'express', 'same_day'.",
                ("extra", "extra_forbidden"): "This field is not accepted here.",
                ("consignee", "missing"): "This field is required.",
            },
        ),
    ],
)
def test_the_api_422_speaks_the_callers_language_with_pydantics_codes(
    language: str, expected: dict[tuple[str, str], str]
) -> None:
    tenant = make_tenant()
    key = make_api_key(
        make_member(tenant, Role.OWNER), {Permission.OPERATIONS_VIEW, Permission.OPERATIONS_MANAGE}
    )
    client = HttpsClient(headers=bearer(key.token))
    body = _bad_order(make_shipper(tenant).pk)

    response = client.post(
        "/api/v1/orders",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert {(f["field"], f["code"]): f["message"] for f in fields} == expected


def test_a_refusal_of_our_own_keeps_its_translated_message() -> None:
    own = {"type": "text_control_character", "msg": "Hãy xoá ký tự điều khiển (U+0000).", "ctx": {}}

    assert error_message(own) == "Hãy xoá ký tự điều khiển (U+0000)."


@pytest.mark.parametrize("kind", sorted(BUILT_IN_TYPES))
def test_no_built_in_type_passes_pydantics_english_through(kind: str) -> None:
    error = {"type": kind, "msg": "Input should be something", "ctx": {"error": "x"}}

    with translation.override("vi"):
        message = error_message(error)

    assert message
    assert not any(english in message for english in PYDANTIC_ENGLISH)


def test_a_developers_value_error_is_not_shown_to_the_reader() -> None:
    error = {"type": "value_error", "msg": "Value error, id out of range: 99", "ctx": {}}

    with translation.override("en"):
        assert error_message(error) == "This value is not valid."


@pytest.mark.django_db
def test_an_import_report_writes_a_refused_order_in_the_readers_language() -> None:
    shipper = make_shipper(make_tenant())
    values = order_input(shipper).model_dump(mode="json", exclude_none=True)
    values["parcels"] = [{"weight_g": 0}]
    with pytest.raises(ValidationError) as refused:
        OrderInput.model_validate(values)

    params = refusal_params(refused.value.errors()[0])
    entry = issue(9, "Khối lượng (gram)", "order_invalid", **params)

    assert json.loads(json.dumps(entry)) == entry  # stored as JSON in ImportJob.report
    with translation.override("vi"):
        assert issue_message(entry["code"], entry["params"]) == (
            "Đơn hàng bị từ chối: Hãy nhập giá trị lớn hơn 0."
        )
    with translation.override("en"):
        assert issue_message(entry["code"], entry["params"]) == (
            "The order was refused: Enter a value greater than 0."
        )
