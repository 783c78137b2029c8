"""Request and response bodies of the under-16 report API."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from logitrack.core.ids import Id


class UnderageReportIn(Schema):
    user_id: Id


class UnderageReportOut(Schema):
    id: int
    status: str
    erase_after: datetime | None
