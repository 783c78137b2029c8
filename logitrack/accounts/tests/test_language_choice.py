"""The language chosen in the page header is saved on a signed-in person's profile."""

from __future__ import annotations

import pytest
from django.urls import reverse

from logitrack.accounts.models import User
from logitrack.core.testing import HttpsClient
from logitrack.tenancy.tests.factories import GOOD_PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_a_signed_in_person_choosing_english_has_it_saved_on_their_profile(
    client: HttpsClient,
) -> None:
    user = make_user(email="an.nguyen@example.vn")
    client.force_login(user)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"


def test_the_saved_language_comes_back_at_the_next_sign_in(client: HttpsClient) -> None:
    user = make_user(email="binh.tran@example.vn")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("web:logout"))
    fresh = HttpsClient()

    response = fresh.post(
        reverse("web:login"), {"username": "binh.tran@example.vn", "password": GOOD_PASSWORD}
    )

    assert response.status_code == 302
    assert response.cookies["__Host-logitrack_lang"].value == "en"


def test_an_unknown_language_changes_nothing(client: HttpsClient) -> None:
    user = make_user(email="chau.le@example.vn")
    client.force_login(user)

    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    user.refresh_from_db()
    assert user.language == "vi"


def test_a_visitor_choosing_a_language_gets_only_the_cookie(client: HttpsClient) -> None:
    count = User.objects.count()

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["__Host-logitrack_lang"].value == "en"
    assert User.objects.count() == count
