"""``POST /ingest/rfid/zebra`` on the gateway (its ASGI application, called as granian calls it)
and on the main site (through the whole middleware stack)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
from django.test import Client

from logitrack.tracking.ingest.accept import get_gate
from logitrack.tracking.ingest.directory import directory
from logitrack.tracking.ingest.gateway import app, plain_app
from logitrack.tracking.models import TagObservation
from logitrack.tracking.rfid import observations
from logitrack.tracking.tests.factories import make_device, make_manager
from logitrack.tracking.tests.test_rfid_ingest import SGTIN, event

pytestmark = pytest.mark.django_db(transaction=True)
PATH = "/ingest/rfid/zebra"


@pytest.fixture(autouse=True)
def fresh_gate() -> Iterator[None]:
    get_gate.cache_clear()
    directory.forget()
    observations._seen.clear()
    yield
    get_gate.cache_clear()
    directory.forget()


def _call(
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    plain: bool = False,
) -> tuple[int, bytes, dict[bytes, bytes]]:
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": b"",
        "headers": [(b"content-length", str(len(body)).encode()), *(headers or [])],
        "client": ("127.0.0.1", 40000),
    }
    sent: list[MutableMapping[str, Any]] = []
    chunks = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> MutableMapping[str, Any]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run((plain_app if plain else app)(scope, receive, send))
    return int(sent[0]["status"]), bytes(sent[1]["body"]), dict(sent[0]["headers"])


def _concatenated(*events: dict[str, Any]) -> bytes:
    return "\n".join(json.dumps(e) for e in events).encode()


def test_the_gateway_stores_zebra_reads_with_a_bearer_device_token() -> None:
    created = make_device(make_manager(), kind="rfid_reader")
    auth = [(b"authorization", f"Bearer {created.token}".encode())]

    status, body, headers = _call(
        "POST", PATH, body=_concatenated(event(0), event(100), event(5000)), headers=auth
    )

    assert status == 200
    assert headers[b"content-type"] == b"application/json"
    assert json.loads(body) == {
        "accepted": 3,
        "refused": 0,
        "observations_new": 2,
        "duplicate": False,
        "errors": [],
    }
    assert TagObservation.dangerously_unscoped.filter(epc_hex=SGTIN).count() == 2


def test_the_gateway_refuses_a_wrong_token_in_either_language() -> None:
    created = make_device(make_manager(), kind="rfid_reader")
    wrong = f"Bearer {created.token[:-3]}zzz".encode()
    payload = json.dumps(event(0)).encode()

    english = _call(
        "POST",
        PATH,
        body=payload,
        headers=[(b"authorization", wrong), (b"accept-language", b"en-US,en;q=0.9")],
    )
    vietnamese = _call("POST", PATH, body=payload, headers=[(b"authorization", wrong)])

    assert english[0] == vietnamese[0] == 401
    assert json.loads(english[1])["error"] == {
        "code": "device_token_invalid",
        "message": "Send a valid device token.",
    }
    assert json.loads(vietnamese[1])["error"]["message"] == "Hãy gửi một mã bí mật thiết bị hợp lệ."
    assert TagObservation.dangerously_unscoped.count() == 0


def test_the_gateway_answers_400_for_a_malformed_body() -> None:
    created = make_device(make_manager(), kind="rfid_reader")
    auth = [(b"authorization", f"Bearer {created.token}".encode())]

    status, body, _headers = _call("POST", PATH, body=b'{"type": "SIMPLE", ', headers=auth)

    assert (status, json.loads(body)["error"]["code"]) == (400, "body_malformed")
    assert TagObservation.dangerously_unscoped.count() == 0


def test_the_gateway_refuses_an_oversized_body_with_413(settings: Any) -> None:
    created = make_device(make_manager(), kind="rfid_reader")
    settings.LOGITRACK_INGEST_MAX_BODY = 1000
    auth = [(b"authorization", f"Bearer {created.token}".encode())]

    status, _body, _headers = _call(
        "POST", PATH, body=json.dumps([event(k) for k in range(20)]).encode(), headers=auth
    )

    assert status == 413
    assert TagObservation.dangerously_unscoped.count() == 0


@pytest.mark.parametrize(("method", "plain", "status"), [("GET", False, 405), ("POST", True, 404)])
def test_the_gateway_serves_rfid_by_post_over_tls_only(
    method: str, plain: bool, status: int
) -> None:
    created = make_device(make_manager(), kind="rfid_reader")
    auth = [(b"authorization", f"Bearer {created.token}".encode())]

    answer = _call(method, PATH, body=json.dumps(event(0)).encode(), headers=auth, plain=plain)

    assert answer[0] == status
    assert TagObservation.dangerously_unscoped.count() == 0


def test_the_main_site_takes_the_bearer_header_as_the_device_token(client: Client) -> None:
    created = make_device(make_manager(), kind="rfid_reader")

    answer = client.post(
        PATH,
        json.dumps([event(0), event(1)]),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {created.token}",
    )

    assert answer.status_code == 200
    assert answer.json() == {
        "accepted": 2,
        "refused": 0,
        "observations_new": 1,
        "duplicate": False,
        "errors": [],
    }
    assert TagObservation.dangerously_unscoped.count() == 1


def test_the_main_site_refuses_a_bad_token_and_stores_nothing(client: Client) -> None:
    make_device(make_manager(), kind="rfid_reader")

    answer = client.post(
        PATH,
        json.dumps(event(0)),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer lt_notadevicetoken",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "device_token_invalid"
    assert TagObservation.dangerously_unscoped.count() == 0


def test_elsewhere_a_bearer_header_is_still_an_api_key(client: Client) -> None:
    created = make_device(make_manager(), kind="rfid_reader")

    answer = client.post(
        "/ingest/positions",
        "{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {created.token}",
    )

    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_api_key"


def test_the_main_site_refuses_an_oversized_body_with_413(client: Client, settings: Any) -> None:
    created = make_device(make_manager(), kind="rfid_reader")
    settings.LOGITRACK_INGEST_MAX_BODY = 1000

    answer = client.post(
        PATH,
        json.dumps([event(k) for k in range(20)]),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {created.token}",
    )

    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "body_too_large"
    assert TagObservation.dangerously_unscoped.count() == 0


def test_the_main_site_answers_400_for_a_malformed_body(client: Client) -> None:
    created = make_device(make_manager(), kind="rfid_reader")

    answer = client.post(
        PATH,
        b"not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {created.token}",
    )

    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "body_malformed")
