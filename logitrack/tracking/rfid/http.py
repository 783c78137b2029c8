"""``POST /ingest/rfid/zebra`` over HTTP: the gateway's handler and the main site's view, both
around ``logitrack.tracking.rfid.ingest.accept_zebra`` (the contract is in its docstring).

The device token comes in ``Authorization: Bearer <token>`` (what Zebra's IoT Connector HTTP
POST endpoint sends as its bearer authentication) or ``X-Device-Token``. On the main site the
API-key middleware leaves a Bearer header on this path alone (``LOGITRACK_DEVICE_BEARER_PATHS``),
so that it reaches the view as a device token. Messages are Vietnamese, or English when the
request's Accept-Language starts with ``en``.
"""

from __future__ import annotations

import asyncio
import functools
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from django.utils.translation import override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from logitrack.tenancy.access import public
from logitrack.tracking.ingest.batch import token_of
from logitrack.tracking.rfid.ingest import accept_zebra

JSON = b"application/json"


def _language(accept_language: str) -> str:
    first = accept_language.lower().split(",")[0].strip()
    return "en" if first.startswith("en") else "vi"


def _encoded(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _accept_in(
    language: str, token: str | None, body: bytes, source: str | None
) -> tuple[int, bytes]:
    with override(language):
        status, payload = accept_zebra(token, body, source)
        return status, _encoded(payload)


@functools.cache
def _pool() -> ThreadPoolExecutor:
    """The gateway process's RFID threads (``LOGITRACK_RFID_THREADS``; by default 1 on SQLite,
    whose single writer lock lets one batch in at a time, and 4 on PostgreSQL, where batches of
    different readers overlap their round trips). A batch is CPU-bound Python: threads beyond
    what the database lets run at once only contend for the GIL (bench/rfid.py: 80 -> 67 µs of
    gateway CPU per read on SQLite with one thread instead of Python's default pool)."""
    from django.conf import settings
    from django.db import connection

    configured = int(getattr(settings, "LOGITRACK_RFID_THREADS", 0))
    count = configured if configured > 0 else (1 if connection.vendor == "sqlite" else 4)
    return ThreadPoolExecutor(max_workers=count, thread_name_prefix="rfid")


async def handle_zebra(
    headers: dict[bytes, bytes], body: bytes, source: str | None
) -> tuple[int, bytes, bytes]:
    """The gateway's handler: (status, content type, body). The database work runs in a
    worker thread, off the event loop."""
    language = _language(headers.get(b"accept-language", b"").decode("latin-1"))
    loop = asyncio.get_running_loop()
    status, payload = await loop.run_in_executor(
        _pool(), _accept_in, language, token_of(headers), body, source
    )
    return status, JSON, payload


def max_body() -> int:
    from django.conf import settings

    return int(getattr(settings, "LOGITRACK_INGEST_MAX_BODY", 256 * 1024))


@public("RFID readers authenticate with their device token (Bearer), checked by the view")
@csrf_exempt
@require_http_methods(["POST"])
def zebra_reads(request: HttpRequest) -> HttpResponse:
    """The main site's ``POST /ingest/rfid/zebra`` (see the module docstring)."""
    language = _language(request.headers.get("Accept-Language", ""))
    declared = request.META.get("CONTENT_LENGTH") or "0"
    too_large = declared.isdigit() and int(declared) > max_body()
    body = b""
    if not too_large:
        try:
            body = request.body
        except (RequestDataTooBig, RawPostDataException):
            too_large = True
        too_large = too_large or len(body) > max_body()
    if too_large:
        with override(language):
            message = _("The request body is too large.")
        payload = _encoded({"error": {"code": "body_too_large", "message": message}})
        return HttpResponse(payload, status=413, content_type="application/json")
    headers = {b"authorization": request.headers.get("Authorization", "").encode("latin-1")}
    explicit = request.headers.get("X-Device-Token")
    if explicit:
        headers[b"x-device-token"] = explicit.encode("latin-1")
    status, payload = _accept_in(language, token_of(headers), body, request.META.get("REMOTE_ADDR"))
    return HttpResponse(payload, status=status, content_type="application/json")
