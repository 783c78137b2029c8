"""Property test of the text layer (ADR 0017): every text field of every API operation and of
every form, fed hostile text, answers a 4xx with a field error or stores a normalised value, and
never a 5xx. Operations and forms are discovered (text_layer), not listed by hand; the example
values below only make the rest of each request valid. Runs on SQLite and PostgreSQL.

Hostile text: NUL and other C0/C1 controls, bidi controls, lone surrogates (JSON only),
zero-width and other invisible characters, combining sequences (decomposed Vietnamese),
fullwidth and other-script digits, and huge strings.
"""

from __future__ import annotations

import inspect
import json
import re
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

import pytest
from django import forms
from django.apps import apps
from django.db import models, transaction
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logitrack.accounts.models import User
from logitrack.core.crypto.fields import EncryptedField
from logitrack.core.forms import CodeField, EmailTextField, HumanTextField
from logitrack.core.schemas import TextRule
from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.core.tests import text_layer
from logitrack.core.tests.test_text import fullwidth
from logitrack.core.text import BIDI_CONTROL, CONTROL_CHARACTER, INVALID_CHARACTER, human_text
from logitrack.tenancy.access import access_rule_of
from logitrack.tenancy.middleware import SESSION_TENANT_KEY
from logitrack.tenancy.roles import Permission, Role
from logitrack.tenancy.services import membership_invite
from logitrack.tenancy.tests.factories import (
    GOOD_PASSWORD,
    PROVINCE_HCMC,
    WARD_IN_HCMC,
    make_member,
    make_tenant,
    principal_for,
)
from logitrack.tenancy.tests.test_signup import TAX_CODE

pytestmark = pytest.mark.django_db

LAYER_CODES = {CONTROL_CHARACTER, BIDI_CONTROL, INVALID_CHARACTER}
_SURROGATE = re.compile("[\ud800-\udfff]")
_HAZARD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff]"
)
HOSTILE_CHARACTERS = [
    *"\x00\x01\x07\x08\x1b\x7f\x85\x9b\x9f",
    *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
    *"\u200b\u200c\u200d\u2060\ufeff\u00ad\u3164\u2800\u180e",
    *"\t\n\r\u00a0\u2003\u3000\u2028",
    *"\u0300\u0301\u0303\u0309\u0323\u0302\u0306",
    *fullwidth("0123456789-+"),
    *"\u0660\u0669\u06f5\u0966\u0e51",
]
SAMPLES = [
    "Nguyê\u0303n Văn An",
    "Nguye\u0302\u0303n Thi\u0323 Bi\u0301ch",
    "  Công   ty  ",
    "\u200b",
    "\u200b\ufeff\u2060 \u00ad",
    fullwidth("0912 345 678"),
    fullwidth(TAX_CODE),
    "vi",
    "owner",
    "tenant.view",
    "transport",
    "vietnam",
    "lan@exam\u202eple.vn",
    "lan@example.vn\x00",
    "lan@c\u00f4ngty.vn",
    "lan@co\u0302ngty.vn",
]


def _text(*, surrogates: bool) -> st.SearchStrategy[str]:
    alphabet = st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(HOSTILE_CHARACTERS + (["\ud800", "\udfff"] if surrogates else [])),
    )
    huge = st.tuples(
        st.sampled_from(["x", "ễ", "e\u0303", "\u200b", " ", "\x00", "\u202e"]),
        st.sampled_from([201, 5_000, 300_000]),
    ).map(lambda pair: pair[0] * pair[1])
    return st.one_of(st.text(alphabet, max_size=40), st.sampled_from(SAMPLES), huge)


API_TEXT = _text(surrogates=True)
# A form post is bytes decoded as UTF-8 by Django, which can never yield a lone surrogate.
FORM_TEXT = _text(surrogates=False)
FUZZ = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

# --- the API ---------------------------------------------------------------------------------

# Valid values by field name; the request of every operation is built from these.
EXAMPLES: dict[str, Any] = {
    "full_name": "Trần Thị Bích",
    "phone": "0912 345 678",
    "language": "vi",
    "time_zone": "Asia/Ho_Chi_Minh",
    "current_password": GOOD_PASSWORD,
    "new_password": "mountain lantern bamboo river",
    "company_name": "Công ty TNHH Giao Nhận Sông Hàn",
    "tax_code": TAX_CODE,
    "kind": "enterprise",
    "industry": "freight_forwarding",
    "street_address": "12 Nguyễn Huệ",
    "province_code": PROVINCE_HCMC,
    "ward_code": WARD_IN_HCMC,
    "data_region": "vietnam",
    "owner_full_name": "Trần Thị Bích",
    "owner_email": "bich@songhan.vn",
    "owner_password": "lúa-chín-vàng-trên-đồng-xa",
    "owner_date_of_birth": "1990-05-17",
    "date_of_birth": "1990-05-17",
    "privacy_consent": True,
    "name": "Website đặt hàng",
    "role": "viewer",
    "email": "moi@songhan.vn",
    "password": "lúa-chín-vàng-trên-đồng-xa",
    "permissions": ["tenant.view"],
    # Orders and shipments (logitrack.logistics): nested values carry the fuzzed text in their
    # first text leaf (World.body).
    "reference": "DH-2026-1",
    "delivery": {"street": "12 Lê Lợi", "ward_code": WARD_IN_HCMC, "province_code": PROVINCE_HCMC},
    "pickup": {"street": "1 Nguyễn Huệ", "ward_code": WARD_IN_HCMC, "province_code": PROVINCE_HCMC},
    "address": {
        "street": "1 Nguyễn Huệ",
        "ward_code": WARD_IN_HCMC,
        "province_code": PROVINCE_HCMC,
    },
    "consignee": {"name": "Trần Thị Bích", "phone": "0912345678"},
    "service_level": "express",
    "cod_amount_vnd": 150_000,
    "declared_value_vnd": 300_000,
    "pickup_window_start": None,
    "pickup_window_end": None,
    "delivery_window_start": None,
    "delivery_window_end": None,
    "notes": "Gọi trước khi giao",
    "items": [{"description": "Áo dài lụa", "quantity": 1, "declared_value_vnd": 300_000}],
    "parcels": [{"weight_g": 1200}],
    "status": "picked_up",
    "source": "user",  # the world signs in a person, who may record only "user"
    "idempotency_key": "evt-1",
    "place": "Kho Tân Bình",
    "latitude": None,
    "longitude": None,
    "reason": None,
    "reason_text": "",
    "shipper_id": None,  # set per test: a shipper of the owner's tenant
    "waybills": None,  # set per test: a shipment of the owner's tenant
    "occurred_at": None,  # set per test: now
    "tenant_id": None,  # set per test: the owner's tenant
    "token": None,  # set per test: a live invitation's token
    "expires_at": None,  # set per test: 90 days from now
    "text": "12 Lê Lợi",
    "province": "TP.HCM",
    "district": "Quận 1",
    "commune": "Phường Bến Thành",
    "identifier": "TRK-0001",
    "require_token": False,
    "allowed_networks": ["10.0.0.0/8"],
    "enabled": True,
    "target": "dock",
    "place_name": "Cửa 3",
    "vehicle_id": None,
    "driver_id": None,
    # A shipment's carrier (PUT /api/v1/shipments/{waybill}/carrier): null is "nobody".
    "vehicle": None,
    "driver": None,
    # Consents of a tenant's consignees and drivers (logitrack.privacy.consent).
    "subject": {"email": "khach@songhan.vn", "kind": "consignee"},
    "purpose": "marketing_email",
    "action": "grant",
    "method": "api",
    "notice_text": "Chúng tôi gửi bản tin khuyến mãi qua e-mail.",
    # Marketing campaigns (logitrack.privacy.consent, /api/v1/campaigns).
    "channel": "email",
    "subject_vi": "Bản tin tháng Năm",
    "subject_en": "May newsletter",
    "body_vi": "Giảm 20% phí giao hàng nội thành.",
    "body_en": "20% off city deliveries.",
    # Labels (logitrack.logistics.labels).
    "size": "a6",
    "format": "pdf",
    "dpi": 203,
}
# The required query of GET operations besides the text field under test.
GET_QUERY: dict[str, dict[str, str]] = {
    "/api/v1/devices/{identifier}/trips": {
        "start": "2026-11-02T00:00:00+07:00",
        "end": "2026-11-03T00:00:00+07:00",
    },
    "/api/v1/reports/daily": {"start": "2026-11-01", "end": "2026-11-30"},
}
# Where one field name means different things on different routes: (path prefix, name) -> value.
PATH_EXAMPLES: dict[tuple[str, str], Any] = {
    ("/api/v1/devices", "kind"): "gps_tracker",
    ("/api/v1/devices", "name"): "Xe tải 51C-123.45",
    ("/api/v1/driver/", "status"): "delivered",
    ("/api/v1/dock-doors", "name"): "Cửa nhập số 2",
    ("/api/v1/dock-doors", "place"): "Kho Tân Bình",
    ("/api/v1/dock-doors", "direction"): "in",
    ("/api/v1/dock-doors", "antenna"): 2,
    ("/api/v1/dock-doors", "location_id"): "urn:epc:id:sgln:0614141.12345.0",
    ("/api/v1/dock-doors", "active"): True,
    ("/api/v1/shipments/", "epcs"): ["urn:epc:id:sgtin:0614141.812345.6789"],
    ("/api/v1/geofences", "type"): "Feature",
    ("/api/v1/geofences", "geometry"): {"type": "Point", "coordinates": [106.7, 10.8]},
    ("/api/v1/geofences", "properties"): {
        "name": "Kho Tân Bình",
        "site_kind": "warehouse",
        "site_name": "Kho Tân Bình",
        "radius": 200.0,
    },
}
_PATH_PARAMETER = re.compile(r"\{(?:\w+:)?(\w+)\}")


def _is_multipart(op: text_layer.ApiOperation) -> bool:
    """Operations that take a multipart form (file uploads) cannot be sent JSON; their text
    fields are checked by their own tests (logitrack/documents/tests/test_pod_api.py)."""
    sources = {getattr(model, "__ninja_param_source__", "") for model in op.input_models}
    return bool(sources & {"form", "file"})


def _fuzz_targets() -> list[tuple[str, str, str]]:
    targets = []
    for op in text_layer.api_operations():
        if _is_multipart(op):
            continue
        for model in op.input_models:
            for where, _covered in text_layer.text_paths(model):
                field = where.split(".")[2] if where.count(".") >= 2 else where
                if op.path == "/api/v1/track/{waybill}":
                    # Refused text is read as a code that matches nothing: public tracking
                    # answers it like an unknown waybill, never 422 (docs/adr/0024).
                    continue
                targets.append((op.method, op.path, field))
    return sorted(set(targets))


def _operation(method: str, path: str) -> text_layer.ApiOperation:
    [op] = [o for o in text_layer.api_operations() if (o.method, o.path) == (method, path)]
    return op


def _field_info(op: text_layer.ApiOperation, field: str) -> Any:
    """The pydantic FieldInfo of ``field``: a body field by name, a query field by name (within
    the query schema), or ``PathParams.waybill``/``HeaderParams.idempotency_key``."""
    body = _payload_fields(op)
    if field in body:
        return body[field]
    name = field.rsplit(".", maxsplit=1)[-1]
    for model in op.input_models:
        for info in model.model_fields.values():
            if info.alias == name or name in model.model_fields:
                return model.model_fields.get(name, info)
            nested = getattr(info.annotation, "model_fields", {})
            if name in nested:
                return nested[name]
    raise AssertionError(f"no input field {field!r} in {op.method} {op.path}")


def _is_secret(op: text_layer.ApiOperation, field: str) -> bool:
    """A password: the layer passes it unchanged (it is hashed, never stored as text)."""
    info = _field_info(op, field)
    return any(isinstance(m, TextRule) and m.kind == "secret" for m in info.metadata)


def _payload_fields(op: text_layer.ApiOperation) -> dict[str, Any]:
    """The body model's fields, name -> pydantic FieldInfo."""
    for model in op.input_models:
        if "payload" in model.model_fields:
            payload = model.model_fields["payload"].annotation
            return dict(payload.model_fields)  # type: ignore[union-attr]
    return {}


class World:
    """An owner signed in per request, a second member, and a live invitation."""

    def __init__(self) -> None:
        self.owner = make_member(make_tenant(), Role.OWNER)
        self.member = make_member(self.owner.tenant, Role.VIEWER)
        from logitrack.tracking.tests.factories import make_device

        self.device_id = make_device(self.owner, identifier="TRK-FIXTURE").device.pk
        from logitrack.tracking.tests.factories import make_dock_door, make_reader

        reader = make_reader(self.owner.tenant)
        self.reader_id = reader.pk
        self.door_id = make_dock_door(reader, antenna=1).pk
        with tenant_context(self.owner.tenant):
            self.invitation_token = membership_invite(
                principal=principal_for(self.owner), email="newcomer@example.vn", role="viewer"
            ).token

        from logitrack.logistics.tests.factories import make_order

        self.order = make_order(self.owner.tenant)
        self.shipment = self.order.shipments[0]
        # A driver records only on a shipment out for delivery (/api/v1/driver/...).
        from logitrack.logistics.tests.factories import make_order_row, make_shipment_row

        self.out_for_delivery = make_shipment_row(
            make_order_row(self.order.order.shipper), status="out_for_delivery"
        )

    def example(self, name: str, path: str = "") -> Any:
        for (prefix, field_name), value in PATH_EXAMPLES.items():
            if name == field_name and path.startswith(prefix):
                return value
        per_test: dict[str, Callable[[], Any]] = {
            "tenant_id": lambda: self.owner.tenant_id,
            "shipper_id": lambda: self.order.order.shipper_id,
            "waybills": lambda: [self.shipment.waybill],
            "occurred_at": lambda: timezone.now().isoformat(),
            "device_id": lambda: self.reader_id,
        }
        if name in per_test:
            return per_test[name]()
        if name == "token":
            return self.invitation_token
        if name == "expires_at":
            return (timezone.now() + timedelta(days=90)).isoformat()
        assert name in EXAMPLES, f"add a valid example value for the API field {name!r}"
        return EXAMPLES[name]

    def url(self, path: str) -> str:
        values = {
            "membership_id": self.member.pk,
            "order_id": self.order.order.pk,
            "shipper_id": self.order.order.shipper_id,
            "waybill": (
                self.out_for_delivery.waybill
                if path.startswith("/api/v1/driver/")
                else self.shipment.waybill
            ),
            "device_id": self.device_id,
            "identifier": "TRK-FIXTURE",
            "door_id": self.door_id,
        }

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            assert name in values, f"add a path value for {name!r}"
            return str(values[name])

        return _PATH_PARAMETER.sub(fill, path)

    def client_for(self, op: text_layer.ApiOperation) -> HttpsClient:
        client = HttpsClient(raise_request_exception=False)
        rule = access_rule_of(op.operation.view_func)
        if rule is not None and rule.kind != "public":
            client.force_login(self.owner.user)
            session = client.session
            session[SESSION_TENANT_KEY] = self.owner.tenant_id
            session.save()
        return client

    def body(self, op: text_layer.ApiOperation, field: str, value: str) -> dict[str, Any]:
        fields = _payload_fields(op)
        body = {name: self.example(name, op.path) for name in fields}
        body[field] = _with_text(body.get(field), value)
        return body


def _with_text(example: Any, value: str) -> Any:
    """``example`` with ``value`` as its first text: a nested object or list keeps its shape."""
    if isinstance(example, dict):
        changed = dict(example)
        for key, item in changed.items():
            if isinstance(item, str):
                changed[key] = value
                return changed
        return changed
    if isinstance(example, list):
        if example and isinstance(example[0], dict):
            return [_with_text(example[0], value), *example[1:]]
        return [value]
    return value


def _send(
    world: World,
    op: text_layer.ApiOperation,
    field: str,
    value: str | None,
    client: HttpsClient | None = None,
) -> Any:
    """The operation's request with ``value`` in ``field`` (None: the example request).

    Body fields go in the JSON body; a query field in the query string; a path parameter
    (``PathParams.waybill``) in the URL and a header parameter in its header.
    """
    from urllib.parse import quote

    client = client or world.client_for(op)
    send = getattr(client, op.method.lower())
    url = world.url(op.path)
    headers: dict[str, str] = {}
    if value is not None and field.startswith("PathParams."):
        name = field.split(".", 1)[1]
        # The other parameters are filled first; the fuzzed one is marked without braces.
        url = world.url(op.path.replace("{" + name + "}", "__fuzz__")).replace(
            "__fuzz__", quote(value.encode("utf-8", "surrogatepass"), safe="")
        )
    elif value is not None and field.startswith("HeaderParams."):
        headers["Idempotency-Key"] = value
    if op.method == "GET":
        query = dict(GET_QUERY.get(op.path, {}))
        query.update({field: value} if value is not None and "." not in field else {})
        return send(url, query, headers=headers)
    body = (
        world.body(op, field, value)
        if value is not None and "." not in field
        else {name: world.example(name, op.path) for name in _payload_fields(op)}
    )
    return send(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def world() -> World:
    return World()


def _stored_text(*, with_audit: bool = True) -> list[tuple[str, str]]:
    """Every value of every plain text column of every Logitrack model, as (column, value).

    ``with_audit=False`` leaves out the security app (audit chain): a refused request may be
    audited, and that is a change the refusal is meant to make.
    """
    values = []
    for model in apps.get_models():
        if not model.__module__.startswith("logitrack."):
            continue
        if not with_audit and model._meta.app_label == "security":
            continue
        columns = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not isinstance(f, EncryptedField)
        ]
        manager = getattr(model, "dangerously_unscoped", model._base_manager)
        for row in manager.values_list(*columns):
            values += [(f"{model.__name__}.{c}", v) for c, v in zip(columns, row, strict=True) if v]
    return values


def _strings_of(document: Any) -> list[str]:
    if isinstance(document, str):
        return [document]
    if isinstance(document, dict):
        return [s for value in document.values() for s in _strings_of(value)]
    if isinstance(document, list):
        return [s for value in document for s in _strings_of(value)]
    return []


def _assert_normalised(values: list[tuple[str, str]]) -> None:
    for where, value in values:
        assert not _HAZARD.search(value), f"{where} holds a refused character: {value!r}"
        assert unicodedata.is_normalized("NFC", value), f"{where} is not NFC: {value!r}"


def test_the_example_request_of_every_operation_with_a_text_field_is_accepted(
    world: World,
) -> None:
    for method, path in sorted({(m, p) for m, p, _f in _fuzz_targets()}):
        op = _operation(method, path)
        with transaction.atomic():
            response = _send(world, op, "", None)
            assert response.status_code < 300, (method, path, response.content)
            transaction.set_rollback(True)


@pytest.mark.parametrize(("method", "path", "field"), _fuzz_targets())
def test_every_api_text_field_answers_a_field_error_or_stores_normalised_text(
    world: World, method: str, path: str, field: str
) -> None:
    op = _operation(method, path)
    _assert_normalised(_stored_text())

    @FUZZ
    @given(value=API_TEXT)
    def check(value: str) -> None:
        if (method == "GET" or "." in field) and _SURROGATE.search(value):
            return  # a URL or a header carries bytes: no lone surrogate reaches the server
        with transaction.atomic():
            client = world.client_for(op)
            before = _stored_text(with_audit=False)
            response = _send(world, op, field, value, client)

            assert response.status_code < 500, response.content[:300]
            if _HAZARD.search(value) and not _is_secret(op, field):
                assert response.status_code == 422
                errors = response.json()["error"]["fields"]
                name = field.rsplit(".", maxsplit=1)[-1]
                # A header is named as sent ("header.Idempotency-Key"), a parameter as declared.
                assert any(
                    name in e["field"].lower().replace("-", "_").split(".")
                    and e["code"] in LAYER_CODES
                    for e in errors
                ), errors
            if response.status_code < 300:
                _assert_normalised(_stored_text())
                answer = response.json() if response.content else {}
                assert not any(_HAZARD.search(s) for s in _strings_of(answer))
            else:
                assert sorted(_stored_text(with_audit=False)) == sorted(before)
            transaction.set_rollback(True)

    check()


# --- the forms ---------------------------------------------------------------------------------

FORM_EXAMPLES: dict[str, Any] = {
    "username": "lan.nguyen@example.vn",
    "password": GOOD_PASSWORD,
    "current_password": GOOD_PASSWORD,
    "new_password1": "mountain lantern bamboo river",
    "new_password2": "mountain lantern bamboo river",
    "email": "lan.nguyen@example.vn",
    "full_name": "Trần Thị Bích",
    "phone": "0912 345 678",
    "language": "vi",
    "time_zone": "Asia/Ho_Chi_Minh",
    "street_address": "12 Nguyễn Huệ",
    "province_code": str(PROVINCE_HCMC),
    "ward_code": str(WARD_IN_HCMC),
    "name": "Công ty TNHH Giao Nhận Sông Hàn",
    "industry": "freight_forwarding",
    "data_region": "vietnam",
    "tax_code": TAX_CODE,
    "kind": "enterprise",
    "date_of_birth": "1990-05-17",
    "privacy_consent": "on",
    "role": "viewer",
    "permissions": ["tenant.view"],
    "lifetime_days": "90",
    "subject_kind": "consignee",
    "purpose": "marketing_email",
    "action": "grant",
    "method": "phone",
    # Under-16 reports (logitrack.privacy.erasure).
    "account_email": "lan.nguyen@example.vn",
    "reporter_email": "me.lan@example.vn",
    "confirm": "on",
    "decision": "confirm",
    "channel": "email",
    "subject_vi": "Bản tin tháng Năm",
    "subject_en": "May newsletter",
    "body_vi": "Giảm 20% phí giao hàng nội thành.",
    "body_en": "20% off city deliveries.",
}


def _form_kwargs(form_class: type[forms.Form]) -> tuple[list[Any], dict[str, Any]]:
    """Constructor arguments beyond ``data``, chosen by parameter name."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, parameter in inspect.signature(form_class.__init__).parameters.items():
        if name == "request":
            args.append(RequestFactory().post("/login/", REMOTE_ADDR="198.51.100.7"))
        elif name == "permissions":
            kwargs[name] = frozenset(Permission)
        elif name == "purposes":
            kwargs[name] = [("marketing_email", "Marketing e-mail")]
        elif name == "email" and parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[name] = "lan.nguyen@example.vn"
        elif parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is (
            inspect.Parameter.empty
        ):
            raise AssertionError(f"add an argument {name!r} for {form_class.__qualname__}")
    return args, kwargs


def _form_targets() -> list[tuple[type[forms.Form], str]]:
    return [
        (cls, name)
        for cls in text_layer.form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField)
    ]


def _stored_form_of(field: forms.Field, value: str, cleaned: Any) -> None:
    """The cleaned value of an accepted text field is the layer's stored form of it."""
    if isinstance(field, HumanTextField):
        assert cleaned == human_text(value), (value, cleaned)
    elif isinstance(field, CodeField):
        assert not any(unicodedata.category(c) == "Nd" and not c.isascii() for c in cleaned)
        assert not any(c.isspace() for c in cleaned)
        assert not _HAZARD.search(cleaned)
    elif isinstance(field.widget, forms.PasswordInput):
        assert cleaned == value  # a secret is never changed by the layer
    else:
        assert not _HAZARD.search(cleaned)


@pytest.mark.parametrize(
    ("form_class", "field_name"),
    _form_targets(),
    ids=[f"{cls.__name__}.{name}" for cls, name in _form_targets()],
)
def test_every_form_text_field_answers_a_field_error_or_cleans_to_normalised_text(
    form_class: type[forms.Form], field_name: str
) -> None:
    User.objects.create_user(
        email="lan.nguyen@example.vn", password=GOOD_PASSWORD, full_name="Nguyễn Thị Lan"
    )
    args, kwargs = _form_kwargs(form_class)

    @FUZZ
    @given(value=FORM_TEXT)
    def check(value: str) -> None:
        with transaction.atomic():
            data = {name: FORM_EXAMPLES.get(name, "") for name in form_class.base_fields}
            data[field_name] = value
            form = cast(Any, form_class)(*args, data=data, **kwargs)
            field = form.fields[field_name]

            valid = form.is_valid()

            field_errors = form.errors.as_data().get(field_name, [])
            if _HAZARD.search(value) and not isinstance(field.widget, forms.PasswordInput):
                assert not valid
                assert field_errors, form.errors
                if isinstance(field, HumanTextField | CodeField):
                    assert {e.code for e in field_errors} & LAYER_CODES, field_errors
            if not field_errors and field_name in form.cleaned_data:
                _stored_form_of(field, value, form.cleaned_data[field_name])
            transaction.set_rollback(True)

    check()


def _email_targets() -> list[tuple[type[forms.Form], str]]:
    return [(cls, name) for cls, name in _form_targets() if name in _email_fields(cls)]


def _email_fields(form_class: type[forms.Form]) -> set[str]:
    return {n for n, f in form_class.base_fields.items() if isinstance(f, EmailTextField)}


@pytest.mark.parametrize(
    ("form_class", "field_name"),
    _email_targets(),
    ids=[f"{cls.__name__}.{name}" for cls, name in _email_targets()],
)
@pytest.mark.parametrize("hazard", ["\u202e", "\u2066", "\u200f", "\u061c"])
def test_every_form_email_field_refuses_a_bidi_control_in_the_domain(
    form_class: type[forms.Form], field_name: str, hazard: str
) -> None:
    args, kwargs = _form_kwargs(form_class)
    data = {name: FORM_EXAMPLES.get(name, "") for name in form_class.base_fields}
    data[field_name] = f"lan@exam{hazard}ple.vn"

    form = cast(Any, form_class)(*args, data=data, **kwargs)

    assert not form.is_valid()
    assert isinstance(form.fields[field_name], EmailTextField)
    assert [e.code for e in form.errors.as_data()[field_name]] == ["text_bidi_control"]


# --- payment card numbers (ADR 0027) -----------------------------------------------------------

# One spelling per field: fullwidth digits glued to a word, grouped with NBSP and a zero-width
# space, so that folding, separators and letter contact are all exercised on every field.
CARD_TEXT = "thẻ" + fullwidth("4111") + "\u00a01111\u200b1111 1111"


def _no_card_stored() -> None:
    stored = [(where, value) for where, value in _stored_text() if card_in(value)]
    assert stored == []


def card_in(value: str) -> bool:
    from logitrack.core.cards import contains_payment_card_number

    return contains_payment_card_number(value)


@pytest.mark.parametrize(
    ("form_class", "field_name"),
    _form_targets(),
    ids=[f"{cls.__name__}.{name}" for cls, name in _form_targets()],
)
def test_every_form_text_field_refuses_or_never_cleans_to_a_card_number(
    form_class: type[forms.Form], field_name: str
) -> None:
    args, kwargs = _form_kwargs(form_class)
    data = {name: FORM_EXAMPLES.get(name, "") for name in form_class.base_fields}
    data[field_name] = CARD_TEXT
    form = cast(Any, form_class)(*args, data=data, **kwargs)
    field = form.fields[field_name]

    valid = form.is_valid()

    field_errors = form.errors.as_data().get(field_name, [])
    if isinstance(field, HumanTextField | CodeField):
        assert not valid
        assert [e.code for e in field_errors][:1] == ["text_payment_card"]
    if not isinstance(field.widget, forms.PasswordInput):
        assert not card_in(repr(form.cleaned_data))
    assert not card_in(repr(form.errors.as_data()))
