"""A tenant's geofence, trip and alert thresholds (``TenantDeviceSettings``; defaults in
docs/adr/0059 and 0060 and the README's devices section).

Changing them needs ``tenant.manage`` and is audited (``geo_settings_changed``, the fields'
values before and after) in the same transaction. Geofence thresholds apply to positions
derived afterwards; a change of the trip and stop thresholds owes every device of the tenant
seen in the last ``TRIPS_REDERIVE_DAYS`` days a new derivation of its daily summaries from then
(``geo.backlog.mark``), so that a period keeps adding up to the sum of its days.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import GeoSettingsInvalid, NotAllowed
from logitrack.tracking.models import Device, TenantDeviceSettings

# Each field and its inclusive range: the table's check constraint, said once more here so that
# a bad value is a clear error, never an IntegrityError.
GEO_SETTING_RANGES: dict[str, tuple[int, int]] = {
    "geofence_hysteresis_m": (0, 1000),
    "geofence_min_dwell_s": (0, 3600),
    "geo_late_window_h": (1, 24 * 30),
    "max_plausible_speed_kmh": (30, 1200),
    "trip_min_speed_kmh": (1, 50),
    "stop_min_duration_s": (30, 6 * 3600),
    "stop_radius_m": (10, 1000),
    "trip_min_distance_m": (0, 10000),
    "arrival_radius_m": (20, 5000),
    "overspeed_kmh": (20, 300),  # or None: no overspeed alerts
}
HUB_EXIT_STATUSES = ("in_transit", "out_for_delivery")
TRIP_FIELDS = frozenset(
    {
        "max_plausible_speed_kmh",
        "trip_min_speed_kmh",
        "stop_min_duration_s",
        "stop_radius_m",
        "trip_min_distance_m",
    }
)
TRIPS_REDERIVE_DAYS = 31
FIELDS = (*GEO_SETTING_RANGES, "hub_exit_status")


def tenant_geo_settings(tenant_id: int) -> dict[str, Any]:
    """The tenant's thresholds by field name (the model's defaults without a settings row)."""
    row = TenantDeviceSettings.dangerously_unscoped.filter(tenant_id=tenant_id).first()
    current = row if row is not None else TenantDeviceSettings()
    return {name: getattr(current, name) for name in FIELDS}


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise GeoSettingsInvalid(field=sorted(unknown)[0])
    for name, value in values.items():
        if name == "hub_exit_status":
            if value not in HUB_EXIT_STATUSES:
                raise GeoSettingsInvalid(field=name)
            continue
        if value is None and name == "overspeed_kmh":
            continue
        low, high = GEO_SETTING_RANGES[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise GeoSettingsInvalid(field=name)
    return values


def tenant_geo_settings_set(
    *, principal: Principal, values: dict[str, Any], request: HttpRequest | None = None
) -> dict[str, Any]:
    """Set some of the tenant's thresholds (``values``: field name → value; integers in
    ``GEO_SETTING_RANGES``, ``overspeed_kmh`` may be None, ``hub_exit_status`` one of
    ``HUB_EXIT_STATUSES``); returns the fields that changed, with their new values. Raises
    NotAllowed without ``tenant.manage``, GeoSettingsInvalid (422, naming the field) for an
    unknown field or a value out of range; nothing changes then."""
    from logitrack.security.services import audit_record
    from logitrack.tracking.geo import backlog

    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(Permission.TENANT_MANAGE):
        raise NotAllowed()
    wanted = _checked(dict(values))
    with transaction.atomic():
        current: TenantDeviceSettings
        current, _created = TenantDeviceSettings.objects.select_for_update().get_or_create(
            tenant_id=tenant_id
        )
        changed = {name: value for name, value in wanted.items() if getattr(current, name) != value}
        if not changed:
            return {}
        before = {name: getattr(current, name) for name in changed}
        for name, value in changed.items():
            setattr(current, name, value)
        current.save(update_fields=sorted(changed))
        audit_record(
            action="geo_settings_changed",
            actor=actor_of(principal),
            tenant_id=tenant_id,
            object_type="tracking.tenantdevicesettings",
            object_id=str(current.pk),
            details={"before": before, "after": changed},
            request=request,
        )
        if TRIP_FIELDS & set(changed):
            since = timezone.now() - timedelta(days=TRIPS_REDERIVE_DAYS)
            seen = Device.objects.filter(last_seen_at__gte=since).values_list("pk", flat=True)
            for device_id in seen:
                backlog.mark("trips_from", device_id=device_id, tenant_id=tenant_id, since=since)
    return changed
