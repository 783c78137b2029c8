"""The plain-HTTP listener: it never serves content.

A browser's GET or HEAD for a page is answered with a 301 to the same path over HTTPS; anything
else (an API call, a form POST, any other method) gets a JSON error, so a client that sent data in
clear text learns it must not. The Host header is checked against ALLOWED_HOSTS so the redirect
cannot be pointed at another site.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.http.request import split_domain_port, validate_host

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# No Strict-Transport-Security here: a user agent ignores it over plain HTTP, and a server must
# not send it there (RFC 6797 §7.2); the HTTPS responses carry it (Django's SecurityMiddleware).
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]

MESSAGES = {
    "https_required": {
        "en": "Logitrack answers over HTTPS only. Send this request to the HTTPS address.",
        "vi": "Logitrack chỉ phục vụ qua HTTPS. Hãy gửi yêu cầu này tới địa chỉ HTTPS.",
    },
    "bad_host": {
        "en": "The Host header does not name a host that Logitrack serves.",
        "vi": "Tiêu đề Host không phải là tên máy chủ mà Logitrack phục vụ.",
    },
}


def _language(headers: dict[bytes, bytes]) -> str:
    accept = headers.get(b"accept-language", b"").decode("latin-1").lower()
    first = accept.split(",")[0].strip()
    return "en" if first.startswith("en") else "vi"


class RedirectApp:
    def __init__(self, allowed_hosts: list[str], https_port: int) -> None:
        self.allowed_hosts = allowed_hosts
        self.https_port = https_port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        language = _language(headers)
        host_header = headers.get(b"host", b"").decode("latin-1")
        domain, _port = split_domain_port(host_header)
        if not domain or not validate_host(domain, self.allowed_hosts):
            await self._json(send, 400, "bad_host", language)
            return
        path: str = scope.get("path", "/")
        method: str = scope.get("method", "GET")
        if method not in {"GET", "HEAD"} or path.startswith("/api/"):
            await self._json(send, 403, "https_required", language)
            return
        await self._redirect(send, domain, scope)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _redirect(self, send: Send, domain: str, scope: Scope) -> None:
        # split_domain_port keeps the brackets of an IPv6 literal, as a URL needs them.
        host = domain
        port = "" if self.https_port == 443 else f":{self.https_port}"
        raw_path: bytes = scope.get("raw_path") or scope.get("path", "/").encode("utf-8")
        query: bytes = scope.get("query_string", b"")
        location = f"https://{host}{port}".encode("ascii") + raw_path
        if query:
            location += b"?" + query
        await send(
            {
                "type": "http.response.start",
                "status": 301,
                "headers": [(b"location", location), (b"content-length", b"0"), *SECURITY_HEADERS],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _json(self, send: Send, status: int, code: str, language: str) -> None:
        body = json.dumps(
            {"error": {"code": code, "message": MESSAGES[code][language]}}, ensure_ascii=False
        ).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode("ascii")),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _from_environment() -> RedirectApp:
    hosts = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
    allowed = [item.strip() for item in hosts.split(",") if item.strip()]
    return RedirectApp(allowed, int(os.environ.get("LOGITRACK_HTTPS_PORT", "8443")))


app = _from_environment()
