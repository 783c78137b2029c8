"""A device's day in numbers, derived ahead from its positions (``geo.daily``).

One row per device and local day (Asia/Ho_Chi_Minh): distance in metres, time moving and
stopped in seconds, the highest trip speed in km/h, the trips that began that day, the
positions stored that day and the first and last fix times. A trip over midnight is split at
midnight (``geo.trips``), so a period's totals are the sum of its days. Kept up to date from
the position backlog (``PositionBacklog.trips_from``): late positions re-derive their days.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import TenantScopedModel


class DailySummary(TenantScopedModel):
    device = models.ForeignKey(
        "tracking.Device",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique (device, day) index serves lookups by device
        verbose_name=_("device"),
    )
    day = models.DateField(_("day"))
    distance_m = models.FloatField(_("distance (m)"), default=0.0)
    moving_s = models.FloatField(_("moving (s)"), default=0.0)
    stopped_s = models.FloatField(_("stopped (s)"), default=0.0)
    max_speed_kmh = models.FloatField(_("highest speed (km/h)"), default=0.0)
    trip_count = models.PositiveIntegerField(_("trips"), default=0)
    positions = models.PositiveIntegerField(_("positions"), default=0)
    first_fix = models.DateTimeField(_("first fix"), null=True, blank=True)
    last_fix = models.DateTimeField(_("last fix"), null=True, blank=True)
    derived_at = models.DateTimeField(_("derived at"))

    class Meta:
        verbose_name = _("daily summary")
        verbose_name_plural = _("daily summaries")
        constraints = [
            models.UniqueConstraint(fields=["device", "day"], name="tracking_daily_device_day")
        ]
        # The report reads a tenant's days over a range, every device at once.
        indexes = [models.Index(fields=["tenant", "day"], name="tracking_daily_tenant_day")]
