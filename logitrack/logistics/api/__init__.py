"""The orders and shipments API under /api/v1 (django-ninja), one module per entity."""

from __future__ import annotations

from logitrack.logistics.api import orders, shipments, shippers  # noqa: F401  (registers routes)
from logitrack.logistics.api._router import router

__all__ = ["router"]
