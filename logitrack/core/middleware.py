"""Request-level middleware: the structured request log line and the request body size limit."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from logitrack.core.context import request_id_var, tenant_id_var
from logitrack.core.errors import API_PREFIX, error_json, wants_json

logger = logging.getLogger("logitrack.request")

Handler = Callable[[HttpRequest], HttpResponseBase]


class RequestLogMiddleware:
    """Write exactly one JSON line per request.

    The line names the route (the URL pattern's name), never the raw path or query string, which
    can hold waybill numbers, e-mail addresses or tokens. User and tenant appear as ids only.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = uuid.uuid4().hex
        token = request_id_var.set(request_id)
        tenant_token = tenant_id_var.set(None)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            match = getattr(request, "resolver_match", None)
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            # The principal outlives the tenant binding, which ends before this line is written.
            principal = getattr(request, "principal", None)
            tenant_id = getattr(principal, "tenant_id", None) or tenant_id_var.get()
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "route": match.view_name if match is not None else None,
                    "status": status,
                    "duration_ms": duration_ms,
                    "user_id": user_id,
                    "api_key_id": getattr(principal, "api_key_id", None),
                    "tenant_id": tenant_id,
                },
            )
            tenant_id_var.reset(tenant_token)
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Answer 413 to a request whose declared body is larger than LOGITRACK_MAX_BODY_BYTES.

    Routes that take a document (paths matching LOGITRACK_UPLOAD_PATHS) may send up to
    LOGITRACK_UPLOAD_BODY_BYTES instead; the document's own limit is then counted while it streams
    (logitrack.documents.uploads). The check happens before anything reads the body, so an
    oversized upload costs us nothing.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.upload_paths = [
            re.compile(pattern) for pattern in getattr(settings, "LOGITRACK_UPLOAD_PATHS", [])
        ]

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit: int = settings.LOGITRACK_MAX_BODY_BYTES
        if any(pattern.match(request.path_info) for pattern in self.upload_paths):
            limit = max(limit, int(settings.LOGITRACK_UPLOAD_BODY_BYTES))
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            return error_json("bad_content_length", _("The Content-Length header is invalid."), 400)
        if length > limit:
            message = _("The request body is larger than the %(limit)d bytes allowed.") % {
                "limit": limit
            }
            if wants_json(request):
                return error_json("payload_too_large", message, 413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class LanguageMiddleware(LocaleMiddleware):
    """Pages speak Vietnamese unless the person chose English with the language switch.

    Logitrack is built for Vietnamese businesses, whose staff often run browsers set to English;
    the language of the pages is their explicit choice (the language cookie), not the browser's.
    API clients are programs, so for them the Accept-Language header decides.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(API_PREFIX):
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            try:
                language = translation.get_supported_language_variant(chosen)
            except LookupError:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
