"""A JSON request body must be an object: an array or a scalar is refused before validation."""

from __future__ import annotations

import json

import pytest

from logitrack.accounts.models import User
from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", ["[null, null]", "[]", '"Lan"', "42", "null", "true"])
def test_a_body_that_is_not_an_object_is_400_and_changes_nothing(body: str) -> None:
    user = User.objects.create_user(
        email="lan@example.vn", password="correct horse battery staple", full_name="Lan"
    )
    client = HttpsClient()
    client.force_login(user)

    response = client.patch("/api/v1/me", data=body, content_type="application/json")

    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "body_not_object"
    user.refresh_from_db()
    assert user.full_name == "Lan"
