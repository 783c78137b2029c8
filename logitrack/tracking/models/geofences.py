"""Geofences (circles and polygons at warehouses, hubs and customer sites) and the enter and
exit events that devices' positions produce at them.

Coordinates are WGS 84 decimal degrees; GeoJSON order is ``[longitude, latitude]`` (RFC 7946,
section 3.1.1). A polygon geofence keeps its GeoJSON ``Polygon`` geometry (exterior ring first,
closed, counter-clockwise; holes after it); a circle keeps its centre as a GeoJSON ``Point`` and
its radius in metres. ``min_latitude`` .. ``max_longitude`` is the bounding box (of the circle
too), so that a database query can narrow candidates before the exact test.

A ``GeofenceEvent`` is derived from positions in fix-time order, never in arrival order: when
late positions (a phone's offline buffer) change what happened, the events of the affected
stretch are derived again, and an event that did not happen after all is retracted
(``retracted_at``), never deleted, because it may already have been acted upon.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import TenantScopedModel


class GeofenceShape(models.TextChoices):
    POLYGON = "polygon", _("Polygon")
    CIRCLE = "circle", _("Circle")


class SiteKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("Warehouse")
    HUB = "hub", _("Hub")
    CUSTOMER_SITE = "customer_site", _("Customer site")
    OTHER = "other", _("Other")


class Geofence(TenantScopedModel):
    """An area of the tenant. ``geometry``: GeoJSON geometry object (``Polygon`` for polygons,
    ``Point`` for circles); ``radius_m``: circle radius in metres (null for polygons).
    ``site_kind`` says what the area is (a hub's geofence moves shipments to ``at_hub``);
    ``site_name``: the warehouse, hub or customer site as shown on shipment timelines."""

    name = models.CharField(_("name"), max_length=100)
    site_kind = models.CharField(
        _("kind of place"), max_length=16, choices=SiteKind.choices, default=SiteKind.OTHER
    )
    site_name = models.CharField(_("place"), max_length=100, blank=True, default="")
    shape = models.CharField(_("shape"), max_length=8, choices=GeofenceShape.choices)
    geometry = models.JSONField(_("geometry (GeoJSON)"))
    radius_m = models.FloatField(_("radius (m)"), null=True, blank=True)
    min_latitude = models.FloatField(_("south edge"))
    min_longitude = models.FloatField(_("west edge"))
    max_latitude = models.FloatField(_("north edge"))
    max_longitude = models.FloatField(_("east edge"))
    area_m2 = models.FloatField(_("area (m²)"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("geofence")
        verbose_name_plural = _("geofences")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="tracking_geofence_name"),
            models.CheckConstraint(
                condition=(
                    models.Q(shape="circle", radius_m__gt=0)
                    | models.Q(shape="polygon", radius_m__isnull=True)
                ),
                name="tracking_geofence_radius_only_for_circles",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GeofenceEventKind(models.TextChoices):
    ENTER = "enter", _("Entered")
    EXIT = "exit", _("Left")


class GeofenceEvent(TenantScopedModel):
    """A device entering or leaving a geofence at ``fix_time`` (the fix time of the position
    that showed it, or, for a crossing between two sparse positions, the time interpolated
    along the straight line between them: ``interpolated``). ``latitude``/``longitude``: where.
    Unique per (device, geofence, kind, fix time), so deriving the same stretch again is
    idempotent; ``retracted_at`` marks an event that late positions showed did not happen."""

    device = models.ForeignKey(
        "tracking.Device", on_delete=models.PROTECT, related_name="+", verbose_name=_("device")
    )
    geofence = models.ForeignKey(
        Geofence, on_delete=models.PROTECT, related_name="events", verbose_name=_("geofence")
    )
    kind = models.CharField(_("kind"), max_length=5, choices=GeofenceEventKind.choices)
    fix_time = models.DateTimeField(_("fix time"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    interpolated = models.BooleanField(_("between two positions"), default=False)
    created_at = models.DateTimeField(_("derived at"), default=timezone.now)
    retracted_at = models.DateTimeField(_("retracted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("geofence event")
        verbose_name_plural = _("geofence events")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "geofence", "kind", "fix_time"],
                name="tracking_geofence_event_once",
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "device", "fix_time"], name="tracking_gfe_device_time")
        ]
