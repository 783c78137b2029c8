"""No text field of a form or an API schema can bypass the normalisation layer (ADR 0017)."""

from __future__ import annotations

from django import forms
from ninja import Field, Schema

from logitrack.core.forms import EmailTextField, HumanTextField
from logitrack.core.schemas import HumanText
from logitrack.core.tests import text_layer


def test_every_text_field_of_every_logitrack_form_goes_through_the_layer() -> None:
    assert text_layer.form_text_fields_bypassing_the_layer() == []


def test_every_text_field_of_every_api_input_schema_goes_through_the_layer() -> None:
    assert text_layer.api_text_fields_bypassing_the_layer() == []


def test_the_forms_of_every_app_are_discovered() -> None:
    names = {cls.__name__ for cls in text_layer.form_classes()}

    assert {"ProfileForm", "SignupForm", "ApiKeyForm", "CompanyForm", "LoginForm"} <= names


def test_the_operations_of_every_router_are_discovered() -> None:
    found = {(op.method, op.path) for op in text_layer.api_operations()}

    assert {("PATCH", "/api/v1/me"), ("POST", "/api/v1/signup"), ("POST", "/api/v1/api-keys")} <= (
        found
    )


class _Nested(Schema):
    label: str


class _Leaky(Schema):
    name: HumanText = Field(max_length=10)
    note: str | None = None
    tags: list[str] = []
    nested: _Nested | None = None


def test_a_plain_str_field_is_detected_wherever_it_hides_in_a_schema() -> None:
    coverage = dict(text_layer.text_paths(_Leaky))

    assert coverage == {
        "_Leaky.name": True,
        "_Leaky.note": False,
        "_Leaky.tags": False,
        "_Leaky.nested.label": False,
    }


def test_a_plain_char_or_email_field_is_detected_and_only_passwords_are_exempt() -> None:
    assert text_layer.exempt_form_field(forms.CharField()) is None
    assert text_layer.exempt_form_field(HumanTextField()) is None
    assert text_layer.exempt_form_field(forms.EmailField()) is None
    assert text_layer.exempt_form_field(EmailTextField()) == "email"
    assert text_layer.exempt_form_field(forms.CharField(widget=forms.PasswordInput)) == "secret"
