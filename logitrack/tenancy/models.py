"""Tenants (the companies using Logitrack) and memberships (a person's account level in one)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import TenantScopedModel, register_global_model
from logitrack.tenancy.roles import Role
from logitrack.tenancy.validators import validate_tax_code


class Tenant(models.Model):
    class DataRegion(models.TextChoices):
        VIETNAM = "vietnam", _("Vietnam")
        INTERNATIONAL = "international", _("International data centre")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        TERMINATED = "terminated", _("Terminated")

    name = models.CharField(_("company name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    tax_code = models.CharField(
        _("tax code"), max_length=14, unique=True, validators=[validate_tax_code]
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    street_address = models.TextField(_("street address"))
    ward_code = models.PositiveIntegerField(_("commune or ward"))
    province_code = models.PositiveSmallIntegerField(_("province"))
    data_region = models.CharField(
        _("data region"), max_length=16, choices=DataRegion.choices, default=DataRegion.VIETNAM
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    terminated_at = models.DateTimeField(_("terminated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="active", terminated_at__isnull=True)
                    | models.Q(status="terminated", terminated_at__isnull=False)
                ),
                name="tenancy_tenant_terminated_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


register_global_model(
    "tenancy.tenant", "The tenant itself: the row every scoped model points to."
)


class Membership(TenantScopedModel):
    """A person's account level in one tenant. A person may hold memberships in several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("account level"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="tenancy_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"membership #{self.pk}"
