"""Error responses with a stable machine-readable code.

API clients get ``{"error": {"code": ..., "message": ...}}``; pages get a translated template.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.utils.functional import Promise

API_PREFIX = "/api/"


def wants_json(request: HttpRequest) -> bool:
    """API routes and clients that ask for JSON get JSON errors; browsers get pages."""
    if request.path.startswith(API_PREFIX):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_json(
    code: str, message: str, status: int, *, fields: list[dict[str, str]] | None = None
) -> JsonResponse:
    error: dict[str, object] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    return JsonResponse({"error": error}, status=status, json_dumps_params={"ensure_ascii": False})


class CallerError(Exception):
    """A failure the caller can act on, raised before anything is written (or with its
    transaction rolled back), so a refused operation changes nothing.

    Each app derives one base (``ConsentError``, ``LogisticsError``, ...) with its own default
    ``code`` and translated ``message``; pages show ``message`` beside ``field`` (the form field it
    belongs to, "" for the whole form) and the API answers ``{"error": {"code", "message"}}``
    with HTTP ``status``.
    """

    code = "error"
    message: str | Promise = ""
    status = 422
    field = ""

    def __init__(self, message: str | Promise | None = None, *, field: str | None = None) -> None:
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        super().__init__(str(self.message))


class NotFound(Http404):
    """Missing and forbidden look the same, so that object ids cannot be probed.

    ``code`` is the stable API error code, e.g. ``membership_not_found``.
    """

    def __init__(self, code: str = "not_found") -> None:
        super().__init__(code)
        self.code = code


class ErrorResponse(Exception):
    """An answer decided before the view runs (authentication, CSRF, permission).

    The API's exception handler sends ``response`` unchanged; raising it from a django-ninja
    authentication callback stops the operation before its path, query or body is parsed.
    """

    def __init__(self, response: HttpResponseBase) -> None:
        super().__init__(response.status_code)
        self.response = response
