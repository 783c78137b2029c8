"""The ASGI gateway, called as granian calls it: routes, size and method refusals, the OsmAnd
and batch answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

import pytest
from django.utils import timezone

from logitrack.tracking.ingest.gateway import app
from logitrack.tracking.ingest.writer import GroupCommitWriter
from logitrack.tracking.models import Position
from logitrack.tracking.tests.factories import make_device, make_manager

pytestmark = pytest.mark.django_db(transaction=True)


def _call(
    method: str,
    path: str,
    *,
    query: str = "",
    body: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"content-length", str(len(body)).encode()), *(headers or [])],
        "client": ("127.0.0.1", 40000),
    }
    sent: list[MutableMapping[str, Any]] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> MutableMapping[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return int(sent[0]["status"]), bytes(sent[1]["body"])


def test_gateway_stores_an_osmand_report_and_answers_an_empty_200(
    writer: GroupCommitWriter,
) -> None:
    device = make_device(make_manager()).device
    stamp = int(timezone.now().timestamp())

    status, body = _call(
        "GET", "/", query=f"id={device.identifier}&lat=10&lon=106&timestamp={stamp}"
    )

    assert (status, body) == (200, b"")
    assert Position.dangerously_unscoped.count() == 1


def test_gateway_answers_in_english_or_vietnamese(writer: GroupCommitWriter) -> None:
    english = _call(
        "GET", "/", query="id=nobody&lat=1&lon=1", headers=[(b"accept-language", b"en")]
    )

    vietnamese = _call("GET", "/", query="id=nobody&lat=1&lon=1")

    assert english == (400, b"This device is not registered or is disabled.")
    assert vietnamese == (
        400,
        "Thiết bị này chưa được đăng ký hoặc đã bị vô hiệu hóa.".encode(),
    )


def test_gateway_refuses_an_oversized_body_before_reading_it(writer: GroupCommitWriter) -> None:
    device = make_device(make_manager()).device
    body = f"id={device.identifier}&lat=1&lon=1&pad=".encode() + b"x" * 300_000

    status, _body = _call(
        "POST", "/", body=body, headers=[(b"content-type", b"application/x-www-form-urlencoded")]
    )

    assert status == 413
    assert Position.dangerously_unscoped.count() == 0


@pytest.mark.parametrize(("method", "path", "status"), [("GET", "/admin", 404), ("PUT", "/", 405)])
def test_gateway_refuses_other_routes_and_methods(
    writer: GroupCommitWriter, method: str, path: str, status: int
) -> None:
    assert _call(method, path)[0] == status


def test_batch_reports_each_position_and_is_idempotent(writer: GroupCommitWriter) -> None:
    created = make_device(make_manager())
    now = int(timezone.now().timestamp())
    body = json.dumps(
        {
            "positions": [
                {"fix_time": now - 10, "latitude": 10, "longitude": 106, "speed": 3},
                {"fix_time": now - 5, "latitude": 95, "longitude": 106},
                {"fix_time": now, "latitude": 10.1, "longitude": 106.1},
            ]
        }
    ).encode()
    auth = [(b"authorization", f"Bearer {created.token}".encode())]

    first = _call("POST", "/api/v1/ingest/positions", body=body, headers=auth)
    again = _call("POST", "/api/v1/ingest/positions", body=body, headers=auth)

    assert first[0] == again[0] == 200
    report = json.loads(first[1])
    assert (report["accepted"], report["refused"]) == (2, 1)
    assert [(e["index"], e["code"]) for e in report["errors"]] == [(1, "latitude_invalid")]
    assert Position.dangerously_unscoped.count() == 2


def test_batch_without_a_valid_token_is_refused_and_stores_nothing(
    writer: GroupCommitWriter,
) -> None:
    created = make_device(make_manager())
    body = json.dumps({"positions": [{"fix_time": 1796000000, "latitude": 1, "longitude": 1}]})
    wrong = [(b"authorization", f"Bearer {created.token[:-2]}xx".encode())]

    status, payload = _call("POST", "/api/v1/ingest/positions", body=body.encode(), headers=wrong)

    assert status == 401
    assert json.loads(payload)["error"]["code"] == "device_token_invalid"
    assert Position.dangerously_unscoped.count() == 0
