"""Helpers shared by the accounts tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from logitrack.core.testing import HttpsClient
from logitrack.security.models import AuditEntry

PASSWORD = "correct horse battery staple"
EMAIL = "lan.nguyen@example.vn"
# django_capture_on_commit_callbacks: e-mails leave on commit, which tests must run by hand.
Commit = Callable[..., AbstractContextManager[Any]]
HOME_IP = "198.51.100.7"
OTHER_IP = "203.0.113.9"


def sign_in(
    client: HttpsClient, email: str = EMAIL, password: str = PASSWORD, ip: str = HOME_IP
) -> Any:
    return client.post("/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True))


def audit_of(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("sequence"))


def csrf_token(client: HttpsClient) -> str:
    client.get("/login/")
    return client.cookies["__Host-logitrack_csrf"].value


def error_of(response: Any) -> dict[str, Any]:
    body = json.loads(response.content)
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    return error
