"""The shared id bounds: one range for the API type, the form field and the URL converter."""

from __future__ import annotations

import pytest
from django import forms
from pydantic import TypeAdapter, ValidationError

from logitrack.core.ids import ID_MAX, Id, IdConverter, IdField


def test_the_bound_is_the_64_bit_signed_maximum() -> None:
    assert ID_MAX == 9_223_372_036_854_775_807


@pytest.mark.parametrize("value", [1, ID_MAX])
def test_the_api_type_accepts_the_range(value: int) -> None:
    assert TypeAdapter(Id).validate_python(value) == value


@pytest.mark.parametrize("value", [0, -1, ID_MAX + 1, 10**20])
def test_the_api_type_refuses_outside_the_range(value: int) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Id).validate_python(value)


@pytest.mark.parametrize("raw", ["1", str(ID_MAX)])
def test_the_form_field_accepts_the_range(raw: str) -> None:
    assert IdField().clean(raw) == int(raw)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("0", "min_value"), ("-5", "min_value"), (str(ID_MAX + 1), "max_value")],
)
def test_the_form_field_refuses_outside_the_range_with_a_field_error(raw: str, code: str) -> None:
    with pytest.raises(forms.ValidationError) as refused:
        IdField().clean(raw)

    assert [error.code for error in refused.value.error_list] == [code]


@pytest.mark.parametrize("raw", ["0", str(ID_MAX + 1), "99999999999999999999"])
def test_the_url_converter_refuses_ids_that_cannot_exist(raw: str) -> None:
    with pytest.raises(ValueError, match="id out of range"):
        IdConverter().to_python(raw)


def test_the_url_converter_reads_the_largest_id() -> None:
    assert IdConverter().to_python(str(ID_MAX)) == ID_MAX
    assert IdConverter().to_url(ID_MAX) == str(ID_MAX)
