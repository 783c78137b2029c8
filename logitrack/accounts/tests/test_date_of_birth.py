"""A date of birth in the future or implausibly long ago is an invalid date, not "under 16"."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from logitrack.accounts.errors import InvalidDateOfBirth, UnderMinimumAge
from logitrack.accounts.services import ensure_minimum_age
from logitrack.tenancy.models import Tenant

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize("birth", [date(2026, 11, 30), date(2090, 1, 1), date(1905, 11, 28)])
def test_a_future_or_over_120_years_old_date_is_invalid(birth: date) -> None:
    with pytest.raises(InvalidDateOfBirth):
        ensure_minimum_age(birth, today=TODAY)


@pytest.mark.parametrize("birth", [date(2010, 11, 30), date(2026, 11, 29)])
def test_a_person_under_16_is_under_the_minimum_age(birth: date) -> None:
    with pytest.raises(UnderMinimumAge):
        ensure_minimum_age(birth, today=TODAY)


@pytest.mark.parametrize("birth", [date(2010, 11, 29), date(1906, 11, 29), date(1990, 5, 17)])
def test_people_from_16_to_120_are_accepted(birth: date) -> None:
    ensure_minimum_age(birth, today=TODAY)


@pytest.mark.django_db
@pytest.mark.parametrize("birth", ["2999-01-01", "1800-01-01"])
def test_the_sign_up_page_calls_an_impossible_birth_date_invalid(
    client: Client, birth: str
) -> None:
    response = client.post(
        reverse("tenancy:signup"),
        {"full_name": "Lê Văn Tám", "date_of_birth": birth, "email": "tam@example.vn"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "Ngày sinh này không hợp lệ" in body
    assert "dưới 16" not in body
    assert Tenant.objects.count() == 0
