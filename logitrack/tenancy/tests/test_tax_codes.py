"""Tax codes: three shapes, one ASCII spelling each, the taxpayer's kind recorded, and uniqueness
on the canonical form enforced by the database (ADR 0017). SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from logitrack.accounts.models import User
from logitrack.core.tests.test_text import fullwidth
from logitrack.tenancy.models import Tenant
from logitrack.tenancy.tests.factories import make_tenant
from logitrack.tenancy.tests.test_signup import TAX_CODE, api_data, page_data
from logitrack.tenancy.validators import (
    TaxpayerKind,
    normalise_tax_code,
    taxpayer_kind_for,
    validate_tax_code,
)

PERSONAL_NUMBER = "079203001234"  # 12 digits: a personal identification number (CCCD)


def _post_api(client: Client, data: dict[str, Any]) -> Any:
    return client.post("/api/v1/signup", data=json.dumps(data), content_type="application/json")


def _counts() -> tuple[int, int]:
    return Tenant.objects.count(), User.objects.count()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (TAX_CODE, TAX_CODE),
        (fullwidth(TAX_CODE), TAX_CODE),
        ("".join(chr(0x0660 + int(d)) for d in TAX_CODE), TAX_CODE),  # Arabic-Indic digits
        (f" {TAX_CODE[:4]}.{TAX_CODE[4:7]}.{TAX_CODE[7:]} ", TAX_CODE),
        (f"{TAX_CODE}001", f"{TAX_CODE}-001"),
        (f"{TAX_CODE} - 001", f"{TAX_CODE}-001"),
        (fullwidth(f"{TAX_CODE}-001"), f"{TAX_CODE}-001"),
        (f"{TAX_CODE}\u2013001", f"{TAX_CODE}-001"),  # en dash
        (PERSONAL_NUMBER, PERSONAL_NUMBER),
        (fullwidth("079 203 001 234"), PERSONAL_NUMBER),
    ],
)
def test_every_spelling_of_a_tax_code_has_one_ascii_canonical_form(typed: str, stored: str) -> None:
    canonical = normalise_tax_code(typed)

    validate_tax_code(canonical)
    assert canonical == stored


@pytest.mark.parametrize(
    "value", ["07920300123", "07920300123456", "07920300123a", "0100109106-0011", "\uff10"]
)
def test_other_shapes_are_refused_as_format_errors(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_tax_code(normalise_tax_code(value))

    assert exc.value.code == "tax_code_format"


def test_a_twelve_digit_personal_number_is_not_put_through_the_enterprise_checksum() -> None:
    validate_tax_code("000000000001")


def test_a_tax_code_with_a_control_character_is_refused_by_the_text_layer() -> None:
    with pytest.raises(ValidationError) as exc:
        normalise_tax_code(f"{TAX_CODE}\x00")

    assert exc.value.code == "text_control_character"


@pytest.mark.parametrize(
    ("tax_code", "kind", "expected"),
    [
        (TAX_CODE, None, TaxpayerKind.ENTERPRISE),
        (TAX_CODE, "household_business", TaxpayerKind.HOUSEHOLD_BUSINESS),
        (TAX_CODE, "individual", TaxpayerKind.INDIVIDUAL),
        (f"{TAX_CODE}-001", None, TaxpayerKind.BRANCH),
        (f"{TAX_CODE}-001", "branch", TaxpayerKind.BRANCH),
        (PERSONAL_NUMBER, "household_business", TaxpayerKind.HOUSEHOLD_BUSINESS),
        (PERSONAL_NUMBER, "individual", TaxpayerKind.INDIVIDUAL),
    ],
)
def test_the_taxpayer_kind_is_given_or_follows_from_the_shape(
    tax_code: str, kind: str | None, expected: TaxpayerKind
) -> None:
    assert taxpayer_kind_for(tax_code, kind) == expected


@pytest.mark.parametrize(
    ("tax_code", "kind", "code"),
    [
        (PERSONAL_NUMBER, None, "taxpayer_kind_required"),
        (PERSONAL_NUMBER, "enterprise", "taxpayer_kind_mismatch"),
        (PERSONAL_NUMBER, "branch", "taxpayer_kind_mismatch"),
        (TAX_CODE, "branch", "taxpayer_kind_mismatch"),
        (f"{TAX_CODE}-001", "enterprise", "taxpayer_kind_mismatch"),
        (TAX_CODE, "cooperative", "taxpayer_kind_mismatch"),
    ],
)
def test_a_kind_that_does_not_fit_the_tax_code_is_refused(
    tax_code: str, kind: str | None, code: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        taxpayer_kind_for(tax_code, kind)

    assert exc.value.code == code


@pytest.mark.django_db
def test_a_household_business_signs_up_with_its_twelve_digit_personal_number(
    client: Client,
) -> None:
    response = _post_api(
        client, api_data(tax_code=fullwidth(PERSONAL_NUMBER), kind="household_business")
    )

    assert response.status_code == 202
    tenant = Tenant.objects.get()
    assert (tenant.tax_code, tenant.kind) == (PERSONAL_NUMBER, "household_business")


@pytest.mark.django_db
def test_a_twelve_digit_number_without_the_kind_is_refused_on_the_kind_field(
    client: Client,
) -> None:
    response = _post_api(client, api_data(tax_code=PERSONAL_NUMBER))

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "company_field_invalid"
    assert [(f["field"], f["code"]) for f in error["fields"]] == [("kind", "company_field_invalid")]
    assert _counts() == (0, 0)


@pytest.mark.django_db
def test_a_branch_code_typed_without_its_dash_is_stored_with_it_as_a_branch(
    client: Client,
) -> None:
    response = _post_api(client, api_data(tax_code=f"{TAX_CODE}002"))

    assert response.status_code == 202
    tenant = Tenant.objects.get()
    assert (tenant.tax_code, tenant.kind) == (f"{TAX_CODE}-002", "branch")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spelling",
    [
        fullwidth(TAX_CODE),
        "".join(chr(0x0966 + int(d)) for d in TAX_CODE),  # Devanagari digits
        f"{TAX_CODE[:5]} {TAX_CODE[5:]}",
    ],
)
def test_a_second_spelling_of_a_taken_tax_code_is_refused_and_nothing_is_created(
    client: Client, spelling: str
) -> None:
    make_tenant(tax_code=TAX_CODE)
    before = _counts()

    api = _post_api(client, api_data(tax_code=spelling))
    page = client.post(reverse("tenancy:signup"), page_data(tax_code=spelling))

    assert api.status_code == 409
    assert api.json()["error"]["code"] == "tax_code_taken"
    assert page.status_code == 400
    assert _counts() == before


@pytest.mark.django_db
def test_the_sign_up_page_accepts_a_personal_number_with_its_kind(client: Client) -> None:
    response = client.post(
        reverse("tenancy:signup"), page_data(tax_code=PERSONAL_NUMBER, kind="individual")
    )

    assert response.status_code == 302
    tenant = Tenant.objects.get()
    assert (tenant.tax_code, tenant.kind) == (PERSONAL_NUMBER, "individual")


@pytest.mark.django_db
def test_the_sign_up_page_asks_for_the_kind_of_a_personal_number(client: Client) -> None:
    response = client.post(reverse("tenancy:signup"), page_data(tax_code=PERSONAL_NUMBER))

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["kind"]] == ["taxpayer_kind_required"]
    assert _counts() == (0, 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("tax_code", "kind"),
    [
        (fullwidth("0100109106"), "enterprise"),
        ("0100109106001", "branch"),
        ("0100109106-001", "enterprise"),
        (PERSONAL_NUMBER, "enterprise"),
        ("0100109106 ", "enterprise"),
    ],
)
def test_the_database_refuses_a_tax_code_that_is_not_canonical_or_does_not_fit_its_kind(
    tax_code: str, kind: str
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_tenant(tax_code=tax_code, kind=kind)

    assert Tenant.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_database_accepts_each_canonical_shape_with_a_fitting_kind() -> None:
    make_tenant(tax_code="0100109106", kind="enterprise")
    make_tenant(tax_code="0100109106-001", kind="branch")
    make_tenant(tax_code=PERSONAL_NUMBER, kind="household_business")
    make_tenant(tax_code="079203009999", kind="individual")

    assert Tenant.objects.count() == 4
