"""The ingestion gateway: a lean ASGI application for the OsmAnd protocol (and the batch API),
served by granian over TLS on LOGITRACK_OSMAND_PORT (default 5055; ``logitrack gateway``).

It runs no Django middleware, sessions or templates: per request it parses the report
(``logitrack.tracking.protocols.osmand``), finds the device in the per-process directory, spends
the device's rate, hands the row to the group-commit writer and answers once the row is durable.
It holds no state that another gateway process needs, so several run side by side behind one
port (granian workers) or on several machines.

Routes: ``GET|POST /`` and ``/ingest/osmand`` (OsmAnd; Traccar Client posts to the root),
``POST /api/v1/ingest/positions`` (the batch API, ``logitrack.tracking.ingest.batch``) and
``POST /ingest/rfid/zebra`` (RFID reads of Zebra readers, ``logitrack.tracking.rfid.ingest``).

``plain_app`` is the same gateway for the plain-HTTP legacy port (``LOGITRACK_OSMAND_PLAIN_PORT``,
unset by default; docs/adr/0030): OsmAnd routes only (the batch API carries a token and is never
served in clear), and a device whose tenant has not turned plain HTTP on is refused exactly like
an unknown device (same status, same text).

Bad input: a body over ``LOGITRACK_INGEST_MAX_BODY`` bytes is refused with 413 before it is
read whole; a body not received within ``BODY_TIMEOUT`` seconds gets 408; slow headers are cut
by granian (``--http1-header-read-timeout``). Messages are Vietnamese or English by the
request's Accept-Language (Vietnamese first).
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_plus

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from django.utils.functional import Promise  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402

from logitrack.core.heap import freeze_heap  # noqa: E402
from logitrack.tracking.ingest.accept import (  # noqa: E402
    IngestRefused,
    ack_timeout,
    get_gate,
    max_future,
    not_durable,
    row_of,
)
from logitrack.tracking.ingest.directory import (  # noqa: E402
    DeviceEntry,
    DirectoryUnavailable,
    directory,
)
from logitrack.tracking.ingest.writer import get_writer  # noqa: E402
from logitrack.tracking.protocols.osmand import parse_json, parse_parameters  # noqa: E402
from logitrack.tracking.protocols.report import ReportRefused  # noqa: E402

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

BODY_TIMEOUT = 10.0
# How often (seconds) the thread holding the GIL is asked to hand it over; Python's default is
# 5 ms (``set_gil_switching``).
GIL_SWITCH_INTERVAL = 0.001
# Seconds after startup when the objects made while warming up (lazy imports, the first
# queries, connections) join the collector's permanent generation too (``freeze_heap``).
HEAP_SETTLE = 10.0
MAX_FIELDS = 200
OSMAND_PATHS = frozenset({"/", "/ingest/osmand"})
BATCH_PATH = "/api/v1/ingest/positions"
RFID_PATH = "/ingest/rfid/zebra"
# Routes that carry a device token: never served on the plain-HTTP port, POST only.
TOKEN_PATHS = frozenset({BATCH_PATH, RFID_PATH})


class BodyTooLarge(Exception):
    pass


def max_body() -> int:
    return int(getattr(settings, "LOGITRACK_INGEST_MAX_BODY", 64 * 1024))


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", [])}


def _language(headers: dict[bytes, bytes]) -> str:
    accept = headers.get(b"accept-language", b"").decode("latin-1").lower()
    first = accept.split(",")[0].strip()
    return "en" if first.startswith("en") else "vi"


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionError("client went away")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, text: str = "") -> None:
    body = text.encode("utf-8")
    headers = [(b"content-length", str(len(body)).encode())]
    if body:
        headers.append((b"content-type", b"text/plain; charset=utf-8"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _pairs(text: str) -> list[tuple[str, str]]:
    """``application/x-www-form-urlencoded`` pairs (WHATWG URL standard, as ``parse_qsl`` with
    blank values kept), decoding only the parts that need it; ValueError past MAX_FIELDS."""
    pairs: list[tuple[str, str]] = []
    if not text:
        return pairs
    parts = text.split("&")
    if len(parts) > MAX_FIELDS:
        raise ValueError("too many fields")
    for part in parts:
        if not part:
            continue
        key, _sep, value = part.partition("=")
        if "%" in key or "+" in key:
            key = unquote_plus(key)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        pairs.append((key, value))
    return pairs


async def _entry(
    identifier: str, token: str | None, source: str | None, *, plain: bool = False
) -> DeviceEntry:
    gate = get_gate()
    hit, cached = directory.cached(identifier)
    if hit:
        entry = cached
    else:
        try:
            entry = await asyncio.to_thread(directory.lookup, identifier)
        except DirectoryUnavailable:
            raise not_durable() from None
    if (
        entry is None
        or (plain and not entry.plain_http)
        or not entry.admits(token=token, source=source, token_required=False)
    ):
        from logitrack.tracking.ingest.accept import unknown_device

        raise unknown_device()
    gate.spend(entry)
    return entry


async def _osmand(
    scope: Scope, body: bytes, headers: dict[bytes, bytes], *, plain: bool = False
) -> tuple[int, str | Promise]:
    """(status, message): the message is lazy, translated by the caller only when refused."""
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    is_json = content_type == b"application/json"
    now = timezone.now()
    try:
        if is_json:
            report = parse_json(body, now=now, max_future=max_future())
        else:
            pairs = _pairs(scope.get("query_string", b"").decode("utf-8"))
            if scope["method"] == "POST" and content_type == b"application/x-www-form-urlencoded":
                pairs += _pairs(body.decode("utf-8"))
            report = parse_parameters(pairs, now=now, max_future=max_future())
        client = scope.get("client")
        entry = await _entry(
            report.identifier, report.token, client[0] if client else None, plain=plain
        )
        ticket = get_writer().submit_async([row_of(report, entry, now)])
        if not await ticket.wait_async(ack_timeout()):
            raise not_durable()
    except ReportRefused as exc:
        return 400, exc.message
    except IngestRefused as exc:
        status = 404 if exc.code == "device_unknown" and is_json else exc.status
        return status, exc.message
    except (UnicodeDecodeError, ValueError):
        return 400, gettext_lazy("The request body could not be read.")
    return 200, ""


def _mqtt_start() -> Any:
    """The MQTT subscriber when LOGITRACK_MQTT_URL is set (logitrack.tracking.ingest.mqtt)."""
    if not settings.LOGITRACK_MQTT_URL:
        return None
    from logitrack.tracking.ingest.mqtt import MqttIngest

    subscriber = MqttIngest(
        url=settings.LOGITRACK_MQTT_URL,
        ca_file=settings.LOGITRACK_MQTT_CA,
        prefix=settings.LOGITRACK_MQTT_TOPIC_PREFIX,
        gate=get_gate(),
        writer=get_writer(),
    )
    subscriber.start()
    return subscriber


def set_gil_switching() -> None:
    """Ask the running thread for the GIL every ``GIL_SWITCH_INTERVAL`` instead of 5 ms.

    The group-commit writer releases the GIL on each of its database round trips (begin,
    COPY, insert, upserts, commit) and must take it back after each, while the event-loop
    thread, busy with requests, gives it up only when asked: with 5 ms each round trip could
    wait up to 5 ms more, and every waiting acknowledgement with it. ``bench/ingest.py``
    (PostgreSQL, 2,500 positions/s offered, alternating runs) saw the commit's median go from
    18-23 ms to 6-8 ms and the acknowledgement's median from 62-73 ms to 16-35 ms."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)


async def _lifespan(receive: Receive, send: Send, *, plain: bool = False) -> None:
    subscriber = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            subscriber = None if plain else _mqtt_start()
            set_gil_switching()
            directory.start_refresher()
            # A full collection of this heap paused the event loop and the group-commit writer
            # for 132 ms every few seconds at 2,500 positions/s (bench/ingest.py); after the
            # freeze they took under 1 ms (docs/adr/0045). HEAP_SETTLE seconds later the
            # warm-up's survivors are frozen too, without collecting (a full collection while
            # serving is the pause to avoid).
            freeze_heap()
            asyncio.get_running_loop().call_later(HEAP_SETTLE, gc.freeze)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if subscriber is not None:
                await asyncio.to_thread(subscriber.stop)
            await asyncio.to_thread(get_writer().stop)
            await asyncio.to_thread(directory.stop_refresher)
            await send({"type": "lifespan.shutdown.complete"})
            return


class _Answer(Exception):
    def __init__(self, status: int, text: str | Promise = "") -> None:
        super().__init__(status)
        self.status = status
        self.text = text


async def _body(
    scope: Scope, receive: Receive, headers: dict[bytes, bytes], *, plain: bool = False
) -> bytes:
    """The request body, after the route, method and size checks; raises _Answer otherwise."""
    path = scope.get("path", "/")
    if path not in OSMAND_PATHS and (plain or path not in TOKEN_PATHS):
        raise _Answer(404, gettext_lazy("Not found."))
    allowed = ("POST",) if path in TOKEN_PATHS else ("GET", "POST")
    if scope.get("method", "GET") not in allowed:
        raise _Answer(405, gettext_lazy("This method is not allowed here."))
    declared = headers.get(b"content-length", b"")
    if not declared.strip(b"0") and b"transfer-encoding" not in headers:
        return b""  # no body (RFC 9112 section 6.3): nothing to wait for
    limit = max_body()
    if declared.isdigit() and int(declared) > limit:
        raise _Answer(413, gettext_lazy("The request body is too large."))
    try:
        return await asyncio.wait_for(_read_body(receive, limit), BODY_TIMEOUT)
    except BodyTooLarge:
        raise _Answer(413, gettext_lazy("The request body is too large.")) from None
    except TimeoutError:
        raise _Answer(408, gettext_lazy("The request body arrived too slowly.")) from None


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The gateway over TLS (``LOGITRACK_OSMAND_PORT``)."""
    await _serve(scope, receive, send, plain=False)


async def plain_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The legacy plain-HTTP gateway (``LOGITRACK_OSMAND_PLAIN_PORT``): OsmAnd only, and only
    for devices of tenants that turned plain HTTP on."""
    await _serve(scope, receive, send, plain=True)


async def _serve(scope: Scope, receive: Receive, send: Send, *, plain: bool) -> None:
    if scope["type"] == "lifespan":
        await _lifespan(receive, send, plain=plain)
        return
    if scope["type"] != "http":
        return
    headers = _headers(scope)
    try:
        body = await _body(scope, receive, headers, plain=plain)
    except _Answer as answer:
        await _answer(send, answer.status, _translated(headers, answer.text))
        return
    except ConnectionError:
        return
    path = scope.get("path")
    if path in TOKEN_PATHS:
        client = scope.get("client")
        source = client[0] if client else None
        if path == RFID_PATH:
            from logitrack.tracking.rfid.http import handle_zebra

            status, content_type, payload = await handle_zebra(headers, body, source)
        else:
            from logitrack.tracking.ingest.batch import handle_batch

            with translation.override(_language(headers)):
                status, content_type, payload = await handle_batch(headers, body, source)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
        return
    status, text = await _osmand(scope, body, headers, plain=plain)
    # The success path (an empty 200) needs no language; only a refusal is translated.
    await _answer(send, status, _translated(headers, text) if text else "")


def _translated(headers: dict[bytes, bytes], text: str | Promise) -> str:
    with translation.override(_language(headers)):
        return str(text)
