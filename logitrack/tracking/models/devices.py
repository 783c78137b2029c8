"""Devices that report positions or reads, and what each is assigned to over time.

A device's ``identifier`` is unique across all tenants (docs/adr/0025): the OsmAnd protocol
sends only that id, so the gateway must find the device, and with it the tenant, from the id
alone.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import TenantScopedModel


class DeviceKind(models.TextChoices):
    GPS_TRACKER = "gps_tracker", _("GPS tracker")
    PHONE = "phone", _("Phone (Traccar Client)")
    RFID_READER = "rfid_reader", _("RFID reader")
    CAMERA = "camera", _("Camera")


# Minutes without a report after which a device is shown offline.
ONLINE_WINDOW_SECONDS = 10 * 60


class Device(TenantScopedModel):
    """A device of the tenant.

    ``identifier``: the IMEI or the id the client sends (1-64 printable ASCII characters),
    globally unique. ``token_hash``: SHA-256 of the device token (``dt_<8>_<43>``), shown once.
    ``require_token``: OsmAnd requests must carry ``token=``; ``allowed_networks``: CIDR
    strings; an empty list allows any source address.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=DeviceKind.choices)
    identifier = models.CharField(_("identifier"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    token_prefix = models.CharField(_("token id"), max_length=16, unique=True)
    token_hash = models.CharField(_("token hash"), max_length=64)
    enabled = models.BooleanField(_("enabled"), default=True)
    require_token = models.BooleanField(_("require the token"), default=False)
    allowed_networks = models.JSONField(_("allowed source networks"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})"

    def is_online(self, now: datetime | None = None) -> bool:
        """Seen within ``ONLINE_WINDOW_SECONDS`` of ``now``."""
        current = now if now is not None else timezone.now()
        if self.last_seen_at is None:
            return False
        seconds: float = (current - self.last_seen_at).total_seconds()
        return seconds <= ONLINE_WINDOW_SECONDS


class AssignmentTarget(models.TextChoices):
    VEHICLE = "vehicle", _("Vehicle")
    DRIVER = "driver", _("Driver")
    WAREHOUSE = "warehouse", _("Warehouse")
    DOCK = "dock", _("Dock")


class DeviceAssignment(TenantScopedModel):
    """What a device is attached to from ``started_at`` until ``ended_at`` (open while null).

    Exactly one target: a vehicle, a driver, or a warehouse or dock by name (until the warehouse
    app gives them records). At most one open assignment per device; history is never deleted.
    """

    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("device")
    )
    target = models.CharField(_("assigned to"), max_length=16, choices=AssignmentTarget.choices)
    vehicle = models.ForeignKey(
        "tracking.Vehicle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vehicle"),
    )
    driver = models.ForeignKey(
        "tracking.Driver",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("driver"),
    )
    place_name = models.CharField(_("warehouse or dock"), max_length=100, blank=True, default="")
    started_at = models.DateTimeField(_("from"), default=timezone.now)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("device assignment")
        verbose_name_plural = _("device assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=models.Q(ended_at__isnull=True),
                name="tracking_assignment_one_open_per_device",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(target="vehicle", vehicle__isnull=False, driver__isnull=True)
                    | models.Q(target="driver", driver__isnull=False, vehicle__isnull=True)
                    | models.Q(
                        target__in=["warehouse", "dock"],
                        vehicle__isnull=True,
                        driver__isnull=True,
                    )
                ),
                name="tracking_assignment_one_target",
            ),
        ]


__all__ = ["AssignmentTarget", "Device", "DeviceAssignment", "DeviceKind"]
