"""Fixtures for the accounts tests: a person with a known password, signed-in browsers."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.accounts.tests.helpers import EMAIL, OTHER_IP, PASSWORD, sign_in
from logitrack.core.testing import HttpsClient


@pytest.fixture(autouse=True)
def _empty_outbox() -> None:
    mail.outbox.clear()


@pytest.fixture
def user(db: Any) -> User:
    return User.objects.create_user(
        email=EMAIL,
        password=PASSWORD,
        full_name="Nguyễn Thị Lan",
        language="vi",
        email_verified_at=timezone.now(),
    )


@pytest.fixture
def signed_in_client(client: HttpsClient, user: User) -> HttpsClient:
    response = sign_in(client)
    assert response.status_code == 302
    return client


@pytest.fixture
def other_client(user: User) -> HttpsClient:
    """A second browser of the same person, signed in from another address."""
    other = HttpsClient()
    response = sign_in(other, ip=OTHER_IP)
    assert response.status_code == 302
    return other
