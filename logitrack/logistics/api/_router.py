"""The router every logistics API module adds its operations to, and shared helpers."""

from __future__ import annotations

from django.http import JsonResponse
from ninja import Router

from logitrack.core.errors import error_json
from logitrack.logistics.errors import LogisticsError

router = Router(tags=["orders and shipments"])


def error(exc: LogisticsError) -> JsonResponse:
    """``{"error": {"code", "message", "fields"?}}`` with the error's status."""
    fields = None
    if exc.field:
        fields = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}]
    return error_json(exc.code, str(exc.message), exc.status, fields=fields)
