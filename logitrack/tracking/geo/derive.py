"""Geofence events kept in step with stored positions: claim the owed devices (``backlog``),
derive each device's events again from its mark, store them, settle.

Restart point: the device's side of each geofence just before ``start`` follows from its
non-retracted events before ``start``. ``start`` is the owed mark, moved back to ``dwell_s``
before the last plausible fix preceding it, so that a change of side that was still waiting
for its dwell when the last round ended is seen again from its first fix. Everything from
``start`` to the newest fix is derived again (``engine.derive``); the outcome is written
idempotently under the events' unique key: a new event is inserted, one that happens again
after having been retracted is un-retracted, and a stored event at or after ``start`` that no
longer happens is retracted (``retracted_at``), never deleted. So the same positions sent twice,
an offline buffer replayed hours later, or any arrival order give the events of in-order
arrival.

Bounds: a mark older than the tenant's ``geo_late_window_h`` is raised to that window (older
positions are stored, but events that far back are settled); only active geofences take part,
each from its ``created_at`` on (a new geofence does not invent events in the past). Fix
plausibility is ``geo.fixes.plausible`` over the window and the ``CONTEXT`` fixes before it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, F, Max
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.tracking.geo import backlog
from logitrack.tracking.geo.engine import Event, FenceIndex, FenceSpec, Fix, derive
from logitrack.tracking.geo.fixes import plausible
from logitrack.tracking.models import (
    DeviceLatest,
    Geofence,
    GeofenceEvent,
    Position,
    PositionBacklog,
    TenantDeviceSettings,
)

logger = logging.getLogger("logitrack.tracking.geo")

CONTEXT = 8  # fixes before the window that anchor the plausibility rule (reanchor after 5)
CLAIM_LIMIT = 500


@dataclass(frozen=True, slots=True)
class GeoSettings:
    hysteresis_m: float = 30.0
    dwell_s: float = 20.0
    late_window: timedelta = timedelta(hours=72)
    max_speed_mps: float = 250 / 3.6


def geo_settings(tenant_id: int) -> GeoSettings:
    row = (
        TenantDeviceSettings.dangerously_unscoped.filter(tenant_id=tenant_id)
        .values_list(
            "geofence_hysteresis_m",
            "geofence_min_dwell_s",
            "geo_late_window_h",
            "max_plausible_speed_kmh",
        )
        .first()
    )
    if row is None:
        return GeoSettings()
    hysteresis, dwell, late_h, speed = row
    return GeoSettings(float(hysteresis), float(dwell), timedelta(hours=late_h), speed / 3.6)


@dataclass(frozen=True, slots=True)
class _Cached:
    stamp: tuple[object, ...]
    index: FenceIndex
    created: dict[int, datetime]


_INDEXES: dict[int, _Cached] = {}
_INDEXES_MAX = 1000


def fence_index(tenant_id: int, hysteresis_m: float) -> tuple[FenceIndex, dict[int, datetime]]:
    """The tenant's active geofences, indexed; rebuilt only when one was added, changed or
    deactivated since (their count, newest ``updated_at`` and largest id) or the hysteresis
    changed. Call with the tenant bound."""
    active = Geofence.objects.filter(active=True)
    summary = active.aggregate(count=Count("id"), newest=Max("updated_at"), last=Max("id"))
    stamp = (summary["count"], summary["newest"], summary["last"], float(hysteresis_m))
    cached = _INDEXES.get(tenant_id)
    if cached is not None and cached.stamp == stamp:
        return cached.index, cached.created
    rows = list(active.values_list("id", "shape", "geometry", "radius_m", "created_at"))
    index = FenceIndex(
        [FenceSpec(pk, shape, geometry, radius) for pk, shape, geometry, radius, _ in rows],
        hysteresis_m,
    )
    created = {pk: created_at for pk, _, _, _, created_at in rows}
    if len(_INDEXES) >= _INDEXES_MAX:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[tenant_id] = _Cached(stamp, index, created)
    return index, created


def _plausible_fixes(
    rows: list[tuple[datetime, float, float, bool]], max_speed_mps: float
) -> list[tuple[Fix, bool]]:
    if not rows:
        return []
    epoch = rows[0][0]
    times = np.array([(r[0] - epoch).total_seconds() for r in rows], dtype=np.float64)
    lat = np.array([r[1] for r in rows], dtype=np.float64)
    lon = np.array([r[2] for r in rows], dtype=np.float64)
    valid = np.array([r[3] for r in rows], dtype=np.bool_)
    ok = plausible(times, lat, lon, valid, max_speed_mps=max_speed_mps).tolist()
    return [(Fix(r[0], r[1], r[2]), good) for r, good in zip(rows, ok, strict=True)]


_COLUMNS = ("fix_time", "latitude", "longitude", "valid")


def _restart(device_id: int, since: datetime, geo: GeoSettings) -> datetime:
    before = list(
        Position.objects.filter(device_id=device_id, fix_time__lt=since)
        .order_by("-fix_time")
        .values_list(*_COLUMNS)[:CONTEXT]
    )[::-1]
    accepted = [fix for fix, good in _plausible_fixes(before, geo.max_speed_mps) if good]
    if not accepted:
        return since
    return min(since, accepted[-1].time - timedelta(seconds=geo.dwell_s))


def _inside_before(device_id: int, start: datetime) -> set[int]:
    earlier = GeofenceEvent.objects.filter(
        device_id=device_id, retracted_at__isnull=True, fix_time__lt=start
    )
    latest = earlier.values("geofence_id").annotate(last=Max("fix_time"))
    inside: set[int] = set()
    for row in latest:
        kinds = set(
            earlier.filter(geofence_id=row["geofence_id"], fix_time=row["last"]).values_list(
                "kind", flat=True
            )
        )
        if kinds == {"enter"}:
            inside.add(row["geofence_id"])
    return inside


@dataclass(frozen=True, slots=True)
class Derived:
    created: int = 0
    retracted: int = 0
    restored: int = 0


# pg_advisory_xact_lock's first key: the namespace of "deriving a device's geofence events".
_ADVISORY_NAMESPACE = 5_901


def device_events_derive(
    *, device_id: int, since: datetime, now: datetime | None = None
) -> Derived:
    """Derive ``device_id``'s geofence events again from ``since`` (module docstring) and store
    the outcome. Call with the device's tenant bound.

    Two derivations of one device (two workers, or a round overlapping a slow one) run one
    after the other: on PostgreSQL a transaction-scoped advisory lock per device orders them
    without touching the rows the position writer locks (its acknowledgements never wait for
    a derivation); SQLite has one writer at a time anyway. The second then reads the first
    one's events and has nothing to add."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [_ADVISORY_NAMESPACE, device_id % 2_147_483_647],  # int4 keys
                )
        return _derive_locked(device_id=device_id, since=since, now=now)


def _derive_locked(*, device_id: int, since: datetime, now: datetime | None) -> Derived:
    from logitrack.core.tenant import bound_tenant_id

    tenant_id = bound_tenant_id()
    assert tenant_id is not None
    moment = now or timezone.now()
    geo = geo_settings(tenant_id)
    since = max(since, moment - geo.late_window)
    index, created = fence_index(tenant_id, geo.hysteresis_m)
    start = _restart(device_id, since, geo)
    context = list(
        Position.objects.filter(device_id=device_id, fix_time__lt=start)
        .order_by("-fix_time")
        .values_list(*_COLUMNS)[:CONTEXT]
    )[::-1]
    window = list(
        Position.objects.filter(device_id=device_id, fix_time__gte=start)
        .order_by("fix_time")
        .values_list(*_COLUMNS)
    )
    judged = _plausible_fixes(context + window, geo.max_speed_mps)[len(context) :]
    fixes = [fix for fix, good in judged if good]
    inside = _inside_before(device_id, start)
    events = [
        event
        for event in derive(
            index,
            fixes,
            inside_at_start=inside,
            dwell_s=geo.dwell_s,
            max_speed_mps=geo.max_speed_mps,
        )
        if event.time >= created[event.geofence_id] and event.time >= start
    ]
    return _store(
        tenant_id=tenant_id,
        device_id=device_id,
        start=start,
        fence_ids=set(index.by_id),
        events=events,
        moment=moment,
    )


def _store(
    *,
    tenant_id: int,
    device_id: int,
    start: datetime,
    fence_ids: set[int],
    events: list[Event],
    moment: datetime,
) -> Derived:
    wanted = {(e.geofence_id, e.kind, e.time): e for e in events}
    with transaction.atomic():
        stored = {
            (row.geofence_id, row.kind, row.fix_time): row
            for row in GeofenceEvent.objects.select_for_update().filter(
                device_id=device_id, fix_time__gte=start, geofence_id__in=fence_ids
            )
        }
        gone = [
            row.pk for key, row in stored.items() if key not in wanted and row.retracted_at is None
        ]
        back = [
            row.pk for key, row in stored.items() if key in wanted and row.retracted_at is not None
        ]
        new = [
            GeofenceEvent(
                tenant_id=tenant_id,
                device_id=device_id,
                geofence_id=e.geofence_id,
                kind=e.kind,
                fix_time=e.time,
                latitude=e.latitude,
                longitude=e.longitude,
                interpolated=e.interpolated,
                created_at=moment,
            )
            for key, e in wanted.items()
            if key not in stored
        ]
        if gone:
            GeofenceEvent.objects.filter(pk__in=gone).update(retracted_at=moment)
        if back:
            GeofenceEvent.objects.filter(pk__in=back).update(retracted_at=None)
        GeofenceEvent.objects.bulk_create(new)
    return Derived(created=len(new), retracted=len(gone), restored=len(back))


def geofences_derive_owed(*, limit: int = CLAIM_LIMIT, now: datetime | None = None) -> int:
    """One round: claim up to ``limit`` owed devices, derive each with its tenant bound, settle.
    A device whose derivation fails stays owed (logged) and the others go on. Returns the
    number of devices derived."""
    done = 0
    by_tenant: dict[int, list[backlog.Owed]] = defaultdict(list)
    for owed in backlog.claim("geofences_from", limit=limit):
        by_tenant[owed.tenant_id].append(owed)
    for tenant_id, owed_devices in by_tenant.items():
        with tenant_context(tenant_id):
            for owed in owed_devices:
                try:
                    device_events_derive(device_id=owed.device_id, since=owed.since, now=now)
                except Exception:
                    logger.exception(
                        "geofence derivation failed", extra={"device_id": owed.device_id}
                    )
                    continue
                backlog.settle("geofences_from", owed)
                done += 1
    return done


def devices_owe_from(*, tenant_id: int, since: datetime, active_after: datetime) -> int:
    """Owe the tenant's devices seen since ``active_after`` a derivation from ``since`` (a new
    geofence): one statement that lowers their marks and bumps their versions. Devices with no
    backlog row yet have never sent a position, and their first one owes itself."""
    recent = DeviceLatest.dangerously_unscoped.filter(
        tenant_id=tenant_id, fix_time__gte=active_after
    ).values("device_id")
    updated: int = PositionBacklog.dangerously_unscoped.filter(
        tenant_id=tenant_id, device_id__in=recent
    ).update(
        geofences_from=Least(Coalesce(F("geofences_from"), since), since),
        version=F("version") + 1,
    )
    return updated
