"""Geofences: create (one GeoJSON Feature), import (a GeoJSON FeatureCollection or a KML file,
all or nothing) and delete.

Drawing and changing geofences needs ``operations.manage`` (dispatchers and admins). Each call
is atomic and audited in the same transaction; a refused call raises a ``TrackingError`` (the
geometry errors of ``geo.geofences``) before anything is written.

A new geofence counts from its creation on (``created_at``): the derivation never invents
events before it. Creating one owes the tenant's recently seen devices a derivation from now
(``derive.devices_owe_from``), so a device parked inside it gets its enter at its next round
without waiting for a new position. Deleting a geofence that has events deactivates it (the
events stay, they may have moved shipments); one without events is deleted.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from logitrack.core.text import TextRefused, human_text
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import GeofenceInvalid, GeofenceNameTaken, NotAllowed
from logitrack.tracking.geo import geofences as geometry
from logitrack.tracking.geo.derive import devices_owe_from, geo_settings
from logitrack.tracking.models import Geofence, GeofenceEvent, SiteKind

NAME_MAX = 100
SITE_NAME_MAX = 100


def _tenant(principal: Principal) -> int:
    if principal.tenant_id is None or not principal.has(Permission.OPERATIONS_MANAGE):
        raise NotAllowed()
    return principal.tenant_id


def _audit(principal: Principal, action: str, pk: int, **details: object) -> None:
    from logitrack.security.services import audit_record

    audit_record(
        action=action,
        actor=actor_of(principal),
        tenant_id=principal.tenant_id,
        object_type="tracking.geofence",
        object_id=str(pk),
        details=details or None,
    )


def _clean(text: str, field: str, most: int, *, required: bool) -> str:
    try:
        clean = human_text(text or "")
    except TextRefused as exc:
        raise GeofenceInvalid(exc.message, field=field) from exc
    if (required and not clean) or len(clean) > most:
        raise GeofenceInvalid(field=field)
    return clean


def _build(tenant_id: int, parsed: geometry.ParsedFeature, now: datetime) -> Geofence:
    if parsed.site_kind not in SiteKind.values:
        raise GeofenceInvalid(field="site_kind")
    shape = parsed.shape
    return Geofence(
        tenant_id=tenant_id,
        name=_clean(parsed.name, "name", NAME_MAX, required=True),
        site_kind=parsed.site_kind,
        site_name=_clean(parsed.site_name, "site_name", SITE_NAME_MAX, required=False),
        shape=shape.shape,
        geometry=shape.geometry,
        radius_m=shape.radius_m,
        min_latitude=shape.min_latitude,
        min_longitude=shape.min_longitude,
        max_latitude=shape.max_latitude,
        max_longitude=shape.max_longitude,
        area_m2=shape.area_m2,
        created_at=now,
        updated_at=now,
    )


def _save_all(tenant_id: int, fences: list[Geofence]) -> None:
    names = [f.name for f in fences]
    if len(set(names)) != len(names) or Geofence.objects.filter(name__in=names).exists():
        raise GeofenceNameTaken()
    try:
        with transaction.atomic():
            for fence in fences:
                fence.save()
    except IntegrityError as exc:  # the same name committed meanwhile
        raise GeofenceNameTaken() from exc


def _owe(tenant_id: int, now: datetime) -> None:
    late = geo_settings(tenant_id).late_window
    devices_owe_from(tenant_id=tenant_id, since=now, active_after=now - late)


def geofence_create(*, principal: Principal, feature: object) -> Geofence:
    """A geofence of the principal's tenant from a GeoJSON Feature (``geo.geofences``).

    Invariants: the geometry is valid and within the area limit (422 with its code); the name
    is 1-100 characters and unique in the tenant (409 ``geofence_name_taken``); ``site_kind``
    is a ``SiteKind``."""
    tenant_id = _tenant(principal)
    now = timezone.now()
    fence = _build(tenant_id, geometry.parse_feature(feature), now)
    with transaction.atomic():
        _save_all(tenant_id, [fence])
        _audit(principal, "geofence_created", fence.pk, shape=fence.shape)
        _owe(tenant_id, now)
    return fence


def geofence_import(*, principal: Principal, data: bytes, kml: bool) -> list[Geofence]:
    """Geofences from a GeoJSON FeatureCollection (``kml=False``, UTF-8 JSON) or a KML
    document: every one or none (``GeofenceImportRefused`` lists the refused items)."""
    import json

    tenant_id = _tenant(principal)
    if kml:
        parsed = geometry.parse_kml(data)
    else:
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # nesting too deep
            raise geometry.GeofenceImportInvalid() from exc
        parsed = geometry.parse_feature_collection(document)
    now = timezone.now()
    problems: list[geometry.ImportProblem] = []
    fences: list[Geofence] = []
    for number, item in enumerate(parsed, start=1):
        try:
            fences.append(_build(tenant_id, item, now))
        except GeofenceInvalid as exc:
            problems.append(geometry.ImportProblem(number, exc.code, str(exc.message)))
    if problems:
        raise geometry.GeofenceImportRefused(problems)
    with transaction.atomic():
        _save_all(tenant_id, fences)
        for fence in fences:
            _audit(principal, "geofence_created", fence.pk, shape=fence.shape, imported=True)
        _owe(tenant_id, now)
    return fences


def geofence_delete(*, principal: Principal, geofence: Geofence) -> bool:
    """Delete ``geofence``, or deactivate it when it has events (they stay, retracted or not);
    True when it was deleted. Deactivating an inactive geofence writes nothing."""
    tenant_id = _tenant(principal)
    if geofence.tenant_id != tenant_id:
        raise NotAllowed()
    with transaction.atomic():
        if GeofenceEvent.objects.filter(geofence=geofence).exists():
            if geofence.active:
                geofence.active = False
                geofence.updated_at = timezone.now()
                geofence.save(update_fields=["active", "updated_at"])
                _audit(principal, "geofence_deactivated", geofence.pk)
            return False
        pk = geofence.pk
        geofence.delete()
        _audit(principal, "geofence_deleted", pk)
    return True
