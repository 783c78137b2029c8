"""A tenant's choices about how its devices may report.

``plain_http_allowed``: the tenant accepts OsmAnd reports on the plain-HTTP legacy port
(``LOGITRACK_OSMAND_PLAIN_PORT``, docs/adr/0030) for hardware that cannot speak TLS. Off by
default; a tenant without a row has it off. ``plain_http_since``: when it was last turned on
(null while off), shown to Logitrack's security officer.

``rfid_dedup_window_ms``: reads of one EPC at one read point closer than this (milliseconds,
100-60,000; default 2,000) are one observation. ``camera_blur_enabled``: faces and licence
plates in camera snapshots are blurred before storage (on by default); turning it off needs
``camera_blur_off_reason`` (kept, and audited) and sets ``camera_blur_changed_at``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import TenantScopedModel


class TenantDeviceSettings(TenantScopedModel):
    plain_http_allowed = models.BooleanField(_("accept reports over plain HTTP"), default=False)
    plain_http_since = models.DateTimeField(_("plain HTTP accepted since"), null=True, blank=True)
    rfid_dedup_window_ms = models.PositiveIntegerField(
        _("RFID de-duplication window (ms)"), default=2000
    )
    camera_blur_enabled = models.BooleanField(_("blur faces and plates in snapshots"), default=True)
    camera_blur_off_reason = models.CharField(
        _("why blurring is off"), max_length=500, blank=True, default=""
    )
    camera_blur_changed_at = models.DateTimeField(
        _("blurring last changed at"), null=True, blank=True
    )
    # Geofences (logitrack.tracking.geo): an exit needs the device this far outside the area,
    # and a change of side must last this long, so GPS jitter at the boundary fires nothing;
    # positions arriving up to ``geo_late_window_h`` hours late still re-derive the events.
    geofence_hysteresis_m = models.PositiveIntegerField(_("geofence hysteresis (m)"), default=30)
    geofence_min_dwell_s = models.PositiveIntegerField(_("geofence minimum dwell (s)"), default=20)
    geo_late_window_h = models.PositiveIntegerField(
        _("late positions accepted for (h)"), default=72
    )
    # Fixes needing a faster move than this from the last good fix are invalid (geo.fixes).
    max_plausible_speed_kmh = models.PositiveIntegerField(
        _("fastest plausible move (km/h)"), default=250
    )
    # Trips and stops (geo.trips): moving above trip_min_speed_kmh; a stop is staying within
    # stop_radius_m for at least stop_min_duration_s; shorter trips than trip_min_distance_m are
    # parking manoeuvres and do not count.
    trip_min_speed_kmh = models.PositiveIntegerField(_("moving above (km/h)"), default=5)
    stop_min_duration_s = models.PositiveIntegerField(_("shortest stop (s)"), default=300)
    stop_radius_m = models.PositiveIntegerField(_("parked within (m)"), default=50)
    trip_min_distance_m = models.PositiveIntegerField(_("shortest trip (m)"), default=300)
    # Shipments and notifications (geofence events): leaving a hub moves a shipment to this
    # status; arriving within arrival_radius_m of the consignee offers "delivered?" to the
    # driver; overspeed_kmh (null: off) notifies subscribers.
    hub_exit_status = models.CharField(
        _("status on leaving a hub"),
        max_length=20,
        choices=[
            ("in_transit", _("In transit")),
            ("out_for_delivery", _("Out for delivery")),
        ],
        default="in_transit",
    )
    arrival_radius_m = models.PositiveIntegerField(_("arrival radius (m)"), default=150)
    overspeed_kmh = models.PositiveIntegerField(_("overspeed above (km/h)"), null=True, blank=True)

    class Meta:
        verbose_name = _("device settings")
        verbose_name_plural = _("device settings")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], name="tracking_device_settings_one_per_tenant"
            ),
            models.CheckConstraint(
                condition=models.Q(rfid_dedup_window_ms__gte=100, rfid_dedup_window_ms__lte=60000),
                name="tracking_device_settings_dedup_window",
            ),
            models.CheckConstraint(
                condition=models.Q(camera_blur_enabled=True) | ~models.Q(camera_blur_off_reason=""),
                name="tracking_device_settings_blur_off_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    geofence_hysteresis_m__lte=1000,
                    geofence_min_dwell_s__lte=3600,
                    geo_late_window_h__gte=1,
                    geo_late_window_h__lte=24 * 30,
                    max_plausible_speed_kmh__gte=30,
                    max_plausible_speed_kmh__lte=1200,
                    trip_min_speed_kmh__gte=1,
                    trip_min_speed_kmh__lte=50,
                    stop_min_duration_s__gte=30,
                    stop_min_duration_s__lte=6 * 3600,
                    stop_radius_m__gte=10,
                    stop_radius_m__lte=1000,
                    trip_min_distance_m__lte=10000,
                    arrival_radius_m__gte=20,
                    arrival_radius_m__lte=5000,
                ),
                name="tracking_device_settings_geo_ranges",
            ),
        ]
