"""One structured JSON line per request, without personal data, secrets or query strings."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from logitrack.core.logging import JsonFormatter
from logitrack.core.testing import HttpsClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("logitrack.request")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def _entries(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line]


def test_each_request_writes_exactly_one_json_line(
    client: HttpsClient, log_lines: io.StringIO
) -> None:
    response = client.get("/healthz")

    entries = _entries(log_lines)
    assert len(entries) == 1
    entry = entries[0]
    assert entry["route"] == "healthz"
    assert entry["status"] == 200
    assert entry["method"] == "GET"
    assert entry["request_id"] == response["X-Request-ID"]
    assert entry["user_id"] is None
    assert entry["tenant_id"] is None
    assert isinstance(entry["duration_ms"], float)


def test_log_line_holds_no_path_query_string_or_personal_data(
    client: HttpsClient, log_lines: io.StringIO
) -> None:
    client.get("/login/?email=lan%40example.vn&token=s3cr3t", HTTP_USER_AGENT="Secret-Agent/1")
    client.post("/login/", {"username": "lan@example.vn", "password": "hunter2hunter2"})

    text = log_lines.getvalue()
    assert len(_entries(log_lines)) == 2
    for forbidden in ("lan@example.vn", "lan%40example.vn", "s3cr3t", "hunter2", "Secret-Agent"):
        assert forbidden not in text
    assert "/login/" not in text
    assert {entry["route"] for entry in _entries(log_lines)} == {"web:login"}


def test_unknown_route_is_logged_without_its_path(
    client: HttpsClient, log_lines: io.StringIO
) -> None:
    client.get("/waybills/VN123456789/")

    entries = _entries(log_lines)
    assert entries[0]["route"] is None
    assert entries[0]["status"] == 404
    assert "VN123456789" not in log_lines.getvalue()


def test_signed_in_request_logs_the_user_and_tenant_ids_only(
    client: HttpsClient, log_lines: io.StringIO
) -> None:
    from logitrack.tenancy.roles import Role
    from tests.isolation.world import make_tenant

    side = make_tenant("Log")
    user = side.users[Role.DISPATCHER]
    client.force_login(user)

    client.get("/company/")

    entry = _entries(log_lines)[-1]
    assert entry["route"] == "tenancy:company"
    assert entry["status"] == 200
    assert entry["user_id"] == user.pk
    assert entry["tenant_id"] == side.tenant.pk
    assert entry["api_key_id"] is None
    text = log_lines.getvalue()
    assert user.email not in text
    assert side.tenant.name not in text
