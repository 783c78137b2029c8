"""``GET /api/v1/track/{waybill}``: public tracking for partners, as JSON.

The same rules as the page (``views``): no credentials, limited per address, the same answer
(404 ``waybill_not_found``) for an unknown and a malformed code, labels in the language of
``Accept-Language`` (Vietnamese by default, docs/adr/0010), times in ISO 8601 with the
Asia/Ho_Chi_Minh offset (``+07:00``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema

from logitrack.core.schemas import TextRule
from logitrack.logistics.public import limit
from logitrack.logistics.public.cache import Entry, cached_response
from logitrack.logistics.public.selectors import (
    PublicTracking,
    Version,
    lookup_text,
    public_tracking,
    public_tracking_version,
)
from logitrack.logistics.public.whereabouts import GRID_DEG, Whereabouts
from logitrack.logistics.status import FailureReason, ShipmentStatus
from logitrack.tenancy.access import public

router = Router(tags=["tracking"])
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
JSON = "application/json"


@dataclass(frozen=True)
class _WaybillLookup(TextRule):
    """The text layer's ``code`` rule, except that text it refuses becomes a code that matches
    nothing: a malformed waybill must get the unknown waybill's 404, not a 422."""

    def apply(self, value: Any) -> Any:
        return lookup_text(value) if isinstance(value, str) else value


WaybillPath = Annotated[str, _WaybillLookup("code")]


class TrackingEventOut(Schema):
    occurred_at: datetime
    kind: str
    status: str
    status_label: str
    place: str
    province: str
    failure_reason: str
    failure_reason_label: str


class WhereaboutsOut(Schema):
    """Out for delivery only: the 0.01° grid cell (south-west corner; about 1 km) the
    carrier's device was last seen in, never its position, and the ETA window."""

    cell_latitude: float
    cell_longitude: float
    cell_size_deg: float
    as_of: datetime
    eta_from: datetime | None
    eta_to: datetime | None


class TrackingOut(Schema):
    waybill: str
    status: str
    status_label: str
    status_changed_at: datetime
    eta: datetime | None
    recipient_initials: str
    destination_province: str
    events: list[TrackingEventOut]
    whereabouts: WhereaboutsOut | None = None


def _time(value: datetime | None) -> str | None:
    return value.astimezone(VIETNAM).isoformat() if value is not None else None


def _label(choices: type[ShipmentStatus | FailureReason], value: str) -> str:
    return str(choices(value).label) if value else ""


def tracking_document(tracking: PublicTracking) -> dict[str, object]:
    """The JSON document of ``TrackingOut`` for ``tracking``, labels in the active language."""
    return {
        "waybill": tracking.waybill,
        "status": tracking.status,
        "status_label": _label(ShipmentStatus, tracking.status),
        "status_changed_at": _time(tracking.status_changed_at),
        "eta": _time(tracking.eta),
        "recipient_initials": tracking.recipient_initials,
        "destination_province": tracking.destination_province,
        "events": [
            {
                "occurred_at": _time(event.occurred_at),
                "kind": event.kind,
                "status": event.status,
                "status_label": _label(ShipmentStatus, event.status),
                "place": event.place,
                "province": event.province,
                "failure_reason": event.failure_reason,
                "failure_reason_label": _label(FailureReason, event.failure_reason),
            }
            for event in tracking.events
        ],
        "whereabouts": _whereabouts(tracking.whereabouts),
    }


def _whereabouts(where: Whereabouts | None) -> dict[str, object] | None:
    if where is None:
        return None
    return {
        # Two decimals as text-equal floats: the cell, never the point.
        "cell_latitude": round(where.cell_latitude, 2),
        "cell_longitude": round(where.cell_longitude, 2),
        "cell_size_deg": GRID_DEG,
        "as_of": _time(where.as_of),
        "eta_from": _time(where.eta_from),
        "eta_to": _time(where.eta_to),
    }


def _encode(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _found(version: Version, language: str) -> Entry:
    with translation.override(language):
        return 200, JSON, _encode(tracking_document(public_tracking(version)))


def _missing(language: str) -> Entry:
    with translation.override(language):
        message = _("No parcel has this waybill number.")
    return 404, JSON, _encode({"error": {"code": "waybill_not_found", "message": message}})


@router.get(
    "/track/{waybill}",
    response={200: TrackingOut},
    url_name="track",
    summary="Where a parcel is: status, timeline and ETA (public)",
)
@public("anyone holding a waybill number may see where its parcel is; limited per address")
def track(request: HttpRequest, waybill: WaybillPath) -> HttpResponse:
    """Public tracking of one waybill. 404 ``waybill_not_found`` for unknown and malformed
    codes alike; 429 ``rate_limited`` with ``Retry-After`` past the per-address limit."""
    refused = limit.check(request)
    if refused is not None:
        return refused
    language = translation.get_language() or "vi"
    version = public_tracking_version(waybill)
    if version is None:
        return cached_response(f"missing.json.{language}", lambda: _missing(language))
    return cached_response(f"{version.key}.json.{language}", lambda: _found(version, language))
