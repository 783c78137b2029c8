"""Vehicles and drivers: the records a device is assigned to."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.crypto.fields import BlindIndexField, EncryptedPhoneNumberField
from logitrack.core.models import TenantScopedModel


class Vehicle(TenantScopedModel):
    """A truck, van or motorbike of the tenant; ``plate`` is the Vietnamese registration plate
    as printed (e.g. ``51C-123.45``), unique within the tenant."""

    plate = models.CharField(_("registration plate"), max_length=20)
    label = models.CharField(_("label"), max_length=100, blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "plate"], name="tracking_vehicle_plate_unique"
            )
        ]

    def __str__(self) -> str:
        return self.plate


class Driver(TenantScopedModel):
    """A person who drives for the tenant. The phone number (E.164) is encrypted with the
    tenant's key and found through its blind index."""

    full_name = models.CharField(_("full name"), max_length=150)
    phone = EncryptedPhoneNumberField(_("phone number"), key_owner="tenant", blank=True, default="")
    phone_index = BlindIndexField(_("phone number search index"), source="phone")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("driver")
        verbose_name_plural = _("drivers")

    def __str__(self) -> str:
        return self.full_name
