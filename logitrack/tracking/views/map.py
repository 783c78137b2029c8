"""The live map of the tenant's devices and the history playback of one device's day.

Both pages draw with Leaflet (django-leaflet's static files) and clustering from
Leaflet.markercluster (docs/adr/0056); their scripts are static files of this app loaded with
the CSP nonce, configured by a JSON block (``json_script``), never inline code. The live map
reads ``/api/v1/map/devices`` and ``/api/v1/positions/near``; the playback gets its day in the
page and its trips and stops from ``/api/v1/devices/{identifier}/trips``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from logitrack.security.services import audit_record
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.roles import Permission
from logitrack.tracking.access import access_device_by_id
from logitrack.tracking.map.history import device_day, today_local
from logitrack.tracking.views.common import tracking_nav

# Stands for the device id in URL templates the scripts fill in.
_ID_SLOT = 987654321


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    principal = principal_of(request)
    full = {"principal": principal, "operations_nav": tracking_nav(request), **context}
    return render(request, f"map/{template}", full, status=status)


def _offset(now: dt.datetime) -> str:
    """The UTC offset of Logitrack's zone now, as ``+07:00``: the forms' local times carry it."""
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    text = local.strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def _common_config(now: dt.datetime) -> dict[str, Any]:
    return {
        "tile_url": settings.LOGITRACK_MAP_TILE_URL,
        "attribution": settings.LOGITRACK_MAP_ATTRIBUTION,
        "time_zone": settings.TIME_ZONE,
        "utc_offset": _offset(now),
        "language": get_language() or settings.LANGUAGE_CODE,
    }


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def live_map(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    local_now = now.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(second=0, microsecond=0)
    config = {
        **_common_config(now),
        "devices_url": reverse("api-1:map_devices"),
        "near_url": reverse("api-1:positions_near"),
        "geofences_url": reverse("api-1:geofences_list"),
        "history_url": reverse("devices:history", args=[_ID_SLOT]),
        "shipments_url": reverse("logistics:shipments"),
        "id_slot": str(_ID_SLOT),
        "poll_ms": 4000,
        "labels": {
            "online": _("Online"),
            "offline": _("Offline"),
            "moving": _("Moving"),
            "stopped": _("Stopped"),
            "last_fix": _("Last fix"),
            "speed": _("Speed"),
            "course": _("Course"),
            "battery": _("Battery"),
            "vehicle": _("Vehicle"),
            "driver": _("Driver"),
            "place": _("Warehouse or dock"),
            "shipments": _("Shipments of this vehicle"),
            "history": _("History of the day"),
            "kmh": _("km/h"),
            "updated": _("Updated"),
            "update_failed": _("The map could not be updated; retrying."),
            "near_none": _("No device was within this radius at that time."),
            "near_error": _("The search could not be made."),
            "metres": _("m"),
            "near_pick": _("Click the map to choose the place."),
        },
    }
    context = {
        "config": config,
        "near_start": (local_now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "near_end": local_now.strftime("%Y-%m-%dT%H:%M"),
    }
    return _render(request, "live.html", context)


def _day_of(text: str | None, now: dt.datetime) -> tuple[dt.date, bool]:
    """The chosen day, or today when none or an unreadable one was given (second: whether the
    given text was refused)."""
    if not text:
        return today_local(now), False
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return today_local(now), True
    if not (dt.date(2000, 1, 1) <= day <= dt.date(2999, 12, 31)) or len(text) != 10:
        return today_local(now), True
    return day, False


def duration_text(seconds: float) -> str:
    """``2 h 05 min`` / ``2 giờ 05 phút``: hours and minutes of a duration."""
    minutes = round(seconds / 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


@requires(Permission.OPERATIONS_VIEW)
@require_safe
def device_history(request: HttpRequest, device_id: int) -> HttpResponse:
    principal = principal_of(request)
    device = access_device_by_id(principal, device_id)
    now = timezone.now()
    day, refused = _day_of(request.GET.get("date"), now)
    track = device_day(device=device, day=day)
    if track.driver_fixes:
        # Where a person was during a day (precise location, policy section 2).
        audit_record(
            action="sensitive_read",
            actor=actor_of(principal),
            tenant_id=device.tenant_id,
            object_type="tracking.device",
            object_id=str(device.pk),
            details={
                "page": "history",
                "date": day.isoformat(),
                "driver_positions": track.driver_fixes,
            },
            request=request,
        )
    config = {
        **_common_config(now),
        "trips_url": reverse("api-1:devices_list") + f"/{device.identifier}/trips",
        "start": track.start.isoformat(),
        "end": track.end.isoformat(),
        "points": track.points,
        "totals": {
            "distance_m": track.distance_m,
            "moving_s": track.moving_s,
            "max_speed_kmh": track.max_speed_kmh,
        },
        "labels": {
            "play": _("Play"),
            "pause": _("Pause"),
            "stop": _("Stop"),
            "kmh": _("km/h"),
            "km": _("km"),
            "stop_for": _("Stopped for"),
            "no_stops": _("Stops and trips are not available yet for this device."),
            "stops_count": _("Stops"),
            "invalid_fix": _("Invalid fix (not counted)"),
            "hours_minutes": _("%(hours)d h %(minutes)02d min"),
        },
    }
    context = {
        "device": device,
        "day": day,
        "previous_day": (day - dt.timedelta(days=1)).isoformat(),
        "next_day": (day + dt.timedelta(days=1)).isoformat(),
        "date_refused": refused,
        "track": track,
        "distance_km": track.distance_m / 1000,
        "moving_text": duration_text(track.moving_s),
        "plausible_count": len(track.points) - track.invalid,
        "config": config,
    }
    return _render(request, "history.html", context)
