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
        ]
