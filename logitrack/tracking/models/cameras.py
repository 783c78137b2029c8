"""Camera events: a snapshot taken by a dock or in-vehicle camera, stored as a document.

Faces (and licence plates) are blurred before the image is stored, unless the tenant turned
blurring off with a recorded reason (``TenantDeviceSettings.camera_blur_enabled``). The image
itself is a ``documents.Document`` of kind ``camera_snapshot`` (encrypted, metadata stripped);
this row says where and when it was taken and what it shows.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import TenantScopedModel


class CameraEvent(TenantScopedModel):
    """A snapshot from ``device`` (a camera) taken at ``captured_at`` (the camera's clock).

    ``dock_door``/``vehicle``/``driver``: where the camera was (from its open assignment or
    the door its reader shares); ``shipment``: the shipment scanned there at that time, if any.
    ``faces_blurred``/``plates_blurred``: regions the detector found and blurred;
    ``blurred``: False only when the tenant had turned blurring off.
    """

    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    device = models.ForeignKey(
        "tracking.Device", on_delete=models.PROTECT, related_name="+", verbose_name=_("camera")
    )
    document = models.OneToOneField(
        "documents.Document",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("snapshot"),
    )
    captured_at = models.DateTimeField(_("taken at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    dock_door = models.ForeignKey(
        "tracking.DockDoor",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dock door"),
    )
    vehicle = models.ForeignKey(
        "tracking.Vehicle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vehicle"),
    )
    driver = models.ForeignKey(
        "tracking.Driver",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("driver"),
    )
    shipment = models.ForeignKey(
        "logistics.Shipment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shipment"),
    )
    blurred = models.BooleanField(_("faces and plates blurred"), default=True)
    faces_blurred = models.PositiveSmallIntegerField(_("faces blurred"), default=0)
    plates_blurred = models.PositiveSmallIntegerField(_("plates blurred"), default=0)

    class Meta:
        verbose_name = _("camera event")
        verbose_name_plural = _("camera events")
        indexes = [
            models.Index(fields=["tenant", "shipment", "captured_at"], name="tracking_cam_ship"),
            models.Index(fields=["device", "captured_at"], name="tracking_cam_device"),
        ]


__all__ = ["CameraEvent"]
