"""Positions as devices report them, and the latest position of each device by fix time.

Units: latitude/longitude in WGS 84 decimal degrees, ``speed`` in metres per second, ``course``
in degrees clockwise from true north (0-360), ``altitude`` in metres above sea level,
``accuracy`` in metres, ``battery`` in percent (0-100). ``fix_time`` is when the receiver took
the fix (event time); ``device_time`` what the device's clock said when sending, when it sent
one; ``server_time`` when Logitrack received it.

On PostgreSQL the table is natively partitioned by ``fix_time`` (one partition per UTC day and a
default partition; docs/adr/0026, ``logitrack tracking_partitions``); on SQLite it is a plain
table. Rows are written by the group-commit writer (``logitrack.tracking.ingest.writer``), not
through the ORM.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import TenantScopedModel


class Position(TenantScopedModel):
    device = models.ForeignKey(
        "tracking.Device",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the unique (device, fix_time) index serves lookups by device
        verbose_name=_("device"),
    )
    # The driver the device was assigned to when the position arrived; positions tied to a
    # person are precise location data (privacy inventory: user.location.precise).
    driver = models.ForeignKey(
        "tracking.Driver",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        verbose_name=_("driver"),
    )
    fix_time = models.DateTimeField(_("fix time"))
    device_time = models.DateTimeField(_("device time"), null=True, blank=True)
    server_time = models.DateTimeField(_("server time"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    speed = models.FloatField(_("speed (m/s)"), null=True, blank=True)
    course = models.FloatField(_("course"), null=True, blank=True)
    altitude = models.FloatField(_("altitude"), null=True, blank=True)
    accuracy = models.FloatField(_("accuracy"), null=True, blank=True)
    battery = models.FloatField(_("battery"), null=True, blank=True)
    valid = models.BooleanField(_("valid"), default=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        # The unique index also serves "one device over a time range" and "latest per device".
        constraints = [
            models.UniqueConstraint(
                fields=["device", "fix_time"], name="tracking_position_device_fix_unique"
            )
        ]


class DeviceLatest(TenantScopedModel):
    """The newest position of a device by fix time (never by arrival): a late replay of an
    offline buffer does not move it backwards. One row per device."""

    device = models.OneToOneField(
        "tracking.Device",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="latest",
        verbose_name=_("device"),
    )
    fix_time = models.DateTimeField(_("fix time"))
    server_time = models.DateTimeField(_("server time"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    speed = models.FloatField(_("speed (m/s)"), null=True, blank=True)
    course = models.FloatField(_("course"), null=True, blank=True)
    battery = models.FloatField(_("battery"), null=True, blank=True)

    class Meta:
        verbose_name = _("latest position")
        verbose_name_plural = _("latest positions")


class PositionBacklog(TenantScopedModel):
    """Work owed to a device's positions: the earliest fix time whose geofence events
    (``geofences_from``) and whose trips and daily summaries (``trips_from``) must be derived
    again. The position writer lowers both in the transaction that stores the positions (a late
    replay lowers them to its own fix times); ``version`` grows at every write, so a consumer
    clears its column only if no write came since it read the row (compare-and-clear:
    ``logitrack.tracking.geo.backlog``). One row per device."""

    device = models.OneToOneField(
        "tracking.Device",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("device"),
    )
    geofences_from = models.DateTimeField(_("geofences owed from"), null=True, blank=True)
    trips_from = models.DateTimeField(_("trips owed from"), null=True, blank=True)
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("position backlog")
        verbose_name_plural = _("position backlogs")
