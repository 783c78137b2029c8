"""The plain-HTTP listener redirects browsers and refuses everything else; it serves nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

from logitrack.core.http_redirect import RedirectApp

APP = RedirectApp(["127.0.0.1", "localhost", "[::1]", ".logitrack.vn"], https_port=8443)


def _call(
    method: str, path: str, host: str, query: bytes = b"", headers: list[Any] | None = None
) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[MutableMapping[str, Any]] = []
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "headers": [(b"host", host.encode()), *(headers or [])],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(APP(scope, receive, send))
    start, body = sent
    return start["status"], dict(start["headers"]), body["body"]


def test_browser_get_is_redirected_permanently_to_the_same_path_over_https() -> None:
    status, headers, body = _call("GET", "/login/", "localhost:8080", query=b"next=%2F")

    assert status == 301
    assert headers[b"location"] == b"https://localhost:8443/login/?next=%2F"
    assert body == b""


def test_ipv6_host_keeps_its_brackets() -> None:
    status, headers, _ = _call("GET", "/", "[::1]:8080")

    assert status == 301
    assert headers[b"location"] == b"https://[::1]:8443/"


def test_post_is_refused_with_a_json_error_and_not_redirected() -> None:
    status, headers, body = _call("POST", "/login/", "localhost:8080")

    assert status == 403
    assert b"location" not in headers
    assert json.loads(body)["error"]["code"] == "https_required"


def test_api_get_is_refused_rather_than_redirected() -> None:
    status, _headers, body = _call(
        "GET", "/api/v1/orders", "localhost", headers=[(b"accept-language", b"en-US,en")]
    )

    assert status == 403
    error = json.loads(body)["error"]
    assert error["code"] == "https_required"
    assert error["message"].startswith("Logitrack answers over HTTPS only")


def test_unknown_host_is_refused_so_the_redirect_cannot_point_elsewhere() -> None:
    status, headers, body = _call("GET", "/", "evil.example")

    assert status == 400
    assert b"location" not in headers
    assert json.loads(body)["error"]["code"] == "bad_host"


def test_subdomain_pattern_from_allowed_hosts_is_honoured() -> None:
    status, headers, _ = _call("GET", "/", "acme.logitrack.vn")

    assert status == 301
    assert headers[b"location"] == b"https://acme.logitrack.vn:8443/"


def test_no_answer_over_plain_http_carries_hsts_and_every_one_nosniff() -> None:
    # RFC 6797 §7.2: an HSTS host must not include the header in responses over non-secure
    # transport. Redirect, refusal and bad-host answers alike.
    for method, path, host in (
        ("GET", "/", "localhost"),
        ("POST", "/", "localhost"),
        ("GET", "/api/v1/x", "localhost"),
        ("GET", "/", "evil.example"),
    ):
        _, headers, _ = _call(method, path, host)
        assert b"strict-transport-security" not in headers
        assert headers[b"x-content-type-options"] == b"nosniff"
