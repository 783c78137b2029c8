"""The partner and app API at /api/v1/, with its OpenAPI document at /api/v1/docs.

Every error leaves as ``{"error": {"code": ..., "message": ...}}`` with a stable code; no stack
trace or exception text ever reaches the client.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser

from logitrack.core.errors import ErrorResponse, error_json
from logitrack.core.pydantic_errors import error_message

logger = logging.getLogger("logitrack.api")

_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    429: "rate_limited",
}


def _validation_error(request: HttpRequest, exc: object) -> HttpResponse:
    if not isinstance(exc, ValidationError):
        return _unexpected_error(request, exc)
    fields = []
    for item in exc.errors:
        # ninja's own prefixes (where the value came from) are not part of the field's name.
        location = [
            str(part)
            for part in item.get("loc", ())
            if part not in ("body", "payload", "form", "file")
        ]
        # ``type`` is pydantic's error type, or the text layer's code (logitrack.core.text).
        fields.append(
            {
                "field": ".".join(location),
                "code": str(item.get("type", "invalid")),
                "message": error_message(item),
            }
        )
    return error_json("validation_error", _("Some fields are invalid."), 422, fields=fields)


def _authentication_error(request: HttpRequest, exc: object) -> HttpResponse:
    return error_json("not_authenticated", _("Sign in or send a valid API key."), 401)


class BodyNotAnObject(ValueError):
    """A JSON body that is not an object (an array, a string, a number, null)."""


class ObjectBodyParser(Parser):
    """Request bodies are JSON objects; anything else is refused before validation.

    ninja's schemas read fields as attributes, so ``[null, null]`` would pass for a schema whose
    fields are all optional (``PATCH /me``) and change nothing while answering 200.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise BodyNotAnObject(type(data).__name__)
        return data


def _http_error(request: HttpRequest, exc: object) -> HttpResponse:
    if not isinstance(exc, HttpError):
        return _unexpected_error(request, exc)
    if isinstance(exc.__cause__, BodyNotAnObject):
        return error_json("body_not_object", _("The request body must be a JSON object."), 400)
    if isinstance(exc.__cause__, ValueError):
        # ninja wraps a body that json.loads rejected (bad JSON or bad UTF-8) in a 400.
        return error_json("malformed_json", _("The request body is not valid JSON."), 400)
    code = _STATUS_CODES.get(exc.status_code, "error")
    return error_json(code, str(exc.message), exc.status_code)


def _error_response(request: HttpRequest, exc: object) -> HttpResponse:
    if not isinstance(exc, ErrorResponse) or not isinstance(exc.response, HttpResponse):
        return _unexpected_error(request, exc)
    return exc.response


def _malformed_body(request: HttpRequest, exc: object) -> HttpResponse:
    # Django raises this when request.POST is read (by the CSRF check, or a form) and the
    # multipart body has no valid boundary or is cut short: the client's fault, not ours.
    return error_json("malformed_body", _("The request body could not be read."), 400)


def _not_found(request: HttpRequest, exc: object) -> HttpResponse:
    code = getattr(exc, "code", "not_found")
    return error_json(code, _("Not found."), 404)


def _unexpected_error(request: HttpRequest, exc: object) -> HttpResponse:
    logger.error(
        "unhandled API error",
        exc_info=exc if isinstance(exc, BaseException) else None,
        extra={"error_type": type(exc).__name__},
    )
    return error_json("internal_error", _("Something went wrong on our side."), 500)


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable."},
                "message": {"type": "string", "description": "For people, translated."},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "message"],
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
        }
    },
}


class LogitrackOpenApiSchema(OpenAPISchema):
    """ninja's OpenAPI document, stating each operation's security and its error answers.

    - ``security``: one alternative per ``auth=`` callback; a callback may give several schemes
      that must all be sent together (``security_requirement(methods)``, e.g. the session cookie
      and, on unsafe methods, the CSRF header). An operation without authentication says
      ``security: []`` (public), never leaves readers to guess.
    - ``4XX``: every operation may answer a client error, always as ``Error``.
    """

    def operation_security(self, operation: Operation) -> list[dict[str, Any]]:
        alternatives: list[dict[str, Any]] = []
        for auth in operation.auth_callbacks:
            requirement = getattr(auth, "security_requirement", None)
            schemes: dict[str, Any] = (
                requirement(operation.methods)
                if requirement is not None
                else {type(auth).__name__: auth.openapi_security_schema}  # type: ignore[attr-defined]
            )
            self.securitySchemes.update(schemes)
            alternatives.append({name: [] for name in schemes})
        return alternatives

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details: dict[str, Any] = super().operation_details(operation)
        details["security"] = self.operation_security(operation)
        details["responses"].setdefault(
            "4XX",
            {
                "description": "The request was refused; nothing changed.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )
        self.schemas.setdefault("Error", ERROR_SCHEMA)
        return details


class LogitrackApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return LogitrackOpenApiSchema(self, path_prefix)


def build_api() -> NinjaAPI:
    api = LogitrackApi(
        title="Logitrack API",
        version="1",
        description="Logitrack's API for partners and apps.",
        urls_namespace="api-1",
        docs_url="/docs",
        parser=ObjectBodyParser(),
    )
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(AuthenticationError, _authentication_error)
    api.add_exception_handler(ErrorResponse, _error_response)
    api.add_exception_handler(MultiPartParserError, _malformed_body)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(Exception, _unexpected_error)
    return api


api = build_api()

# Each app's router, mounted under its prefix. An app adds its line here.
ROUTERS: list[tuple[str, str]] = [
    ("/me", "logitrack.accounts.api.router"),
    ("/", "logitrack.tenancy.api.router"),
    ("/", "logitrack.documents.api.router"),
    ("/", "logitrack.logistics.api.router"),
    ("/addresses", "logitrack.addresses.api.router"),
    ("/", "logitrack.imports.api.router"),
    ("/", "logitrack.logistics.public.api.router"),
    ("/", "logitrack.logistics.labels.api.router"),
    ("/devices", "logitrack.tracking.api.router"),
    ("/reports", "logitrack.tracking.api_reports.router"),
    ("/", "logitrack.tracking.rfid.api.router"),
    ("/", "logitrack.tracking.geo.api.router"),
    ("/", "logitrack.tracking.map.api.router"),
    ("/consents", "logitrack.privacy.consent.api.router"),
    ("/privacy", "logitrack.privacy.erasure.api.router"),
    ("/campaigns", "logitrack.privacy.consent.api_campaigns.router"),
]


def api_urls() -> tuple[list[Any], str, str]:
    """The API's URL patterns, with its published specification declared public.

    Every operation must declare its access rule; one that does not stops start-up here, and
    the system check tenancy.E003 names it.
    """
    from logitrack.tenancy.access import access_rule_of, declare_public

    for prefix, dotted in ROUTERS:
        api.add_router(prefix, import_string(dotted))
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        name = getattr(pattern, "name", "")
        if name in {"openapi-json", "openapi-view", "api-root"} and pattern.callback:
            declare_public(pattern.callback, "the API's published specification for partners")
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if access_rule_of(operation.view_func) is None:
                    raise ImproperlyConfigured(
                        f"API operation {operation.view_func.__qualname__} declares no access rule"
                    )
    return patterns, app_name, namespace
