"""Tenants (the companies using Logitrack), memberships (a person's account level in one),
invitations to become a member, and the tenant's API keys for partners."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.crypto.fields import EncryptedTextField
from logitrack.core.identity import validate_canonical_email
from logitrack.core.models import TenantScopedModel, register_global_model
from logitrack.tenancy.roles import Role
from logitrack.tenancy.validators import TaxpayerKind, validate_tax_code


class Industry(models.TextChoices):
    FREIGHT_FORWARDING = "freight_forwarding", _("Freight forwarding and 3PL")
    TRANSPORT = "transport", _("Road transport and delivery")
    WAREHOUSING = "warehousing", _("Warehousing")
    ECOMMERCE = "ecommerce", _("E-commerce and retail")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    WHOLESALE = "wholesale", _("Wholesale and distribution")
    AGRICULTURE = "agriculture", _("Agriculture and food")
    OTHER = "other", _("Other")


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
    # Kind of taxpayer; it must match the shape of the tax code (validators.taxpayer_kind_for).
    kind = models.CharField(
        _("kind of taxpayer"),
        max_length=32,
        choices=TaxpayerKind.choices,
        default=TaxpayerKind.ENTERPRISE,
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True, choices=Industry.choices)
    street_address = EncryptedTextField(_("street address"), key_owner="tenant")
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
            # One spelling per tax code, in ASCII, and a kind that fits its shape: with the
            # unique index this makes a second spelling of a taken code impossible.
            models.CheckConstraint(
                condition=(
                    models.Q(kind=TaxpayerKind.ENTERPRISE, tax_code__regex=r"^[0-9]{10}$")
                    | models.Q(kind=TaxpayerKind.BRANCH, tax_code__regex=r"^[0-9]{10}-[0-9]{3}$")
                    | models.Q(
                        kind__in=[TaxpayerKind.HOUSEHOLD_BUSINESS, TaxpayerKind.INDIVIDUAL],
                        tax_code__regex=r"^([0-9]{10}|[0-9]{12})$",
                    )
                ),
                name="tenancy_tenant_tax_code_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


register_global_model("tenancy.tenant", "The tenant itself: the row every scoped model points to.")


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


class Invitation(TenantScopedModel):
    """An offer, sent by e-mail, to join a tenant with an account level.

    Only the SHA-256 of the link's token is stored, so the table cannot hand out invitations. The
    address is kept while the invitation is pending and cleared once it is used or withdrawn: it
    is personal data of someone who may never have agreed to anything.
    """

    # Canonical form (logitrack.core.identity), compared with a user's address by equality.
    email = models.EmailField(
        _("email"), max_length=254, blank=True, validators=[validate_canonical_email]
    )
    role = models.CharField(_("account level"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    # Set when an API key sent the invitation: acceptance then re-checks the key, not a person.
    invited_by_api_key = models.ForeignKey(
        "tenancy.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by API key"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="tenancy_invitation_pending_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="tenancy_invitation_accepted_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation #{self.pk}"

    def is_pending(self, now: datetime | None = None) -> bool:
        moment = now if now is not None else timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > moment


class ApiKey(TenantScopedModel):
    """A partner's key to the API of one tenant, limited to the permissions chosen for it.

    The token is ``<prefix>_<secret>``; only the prefix (the key's public name, e.g.
    ``lt_ab12cd34``) and the SHA-256 of the whole token are stored, so the secret is shown once.

    A key answers for the person who vouches for it (``guarantor_id``: the owner who confirmed
    it, else its creator). When that person is removed, or lowered to a level that could not
    grant the key's permissions, the key is suspended (``suspended_at``) and refused until an
    owner confirms or revokes it (ADR 0015).
    """

    class SuspensionReason(models.TextChoices):
        CREATOR_REMOVED = "creator_removed", _("Its creator was removed from the company")
        CREATOR_DEMOTED = "creator_demoted", _("Its creator no longer holds its permissions")

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key id"), max_length=16, unique=True)
    secret_hash = models.CharField(_("secret hash"), max_length=64)
    permissions = models.JSONField(_("permissions"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspension_reason = models.CharField(
        _("suspension reason"), max_length=32, blank=True, choices=SuspensionReason.choices
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="tenancy_apikey_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=models.Q(suspended_at__isnull=True, suspension_reason="")
                | models.Q(suspended_at__isnull=False) & ~models.Q(suspension_reason=""),
                name="tenancy_apikey_suspension_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.prefix

    @property
    def guarantor_id(self) -> int | None:
        """The person the key answers for: the owner who confirmed it, else its creator."""
        return self.confirmed_by_id if self.confirmed_by_id is not None else self.created_by_id

    def is_usable(self, now: datetime | None = None) -> bool:
        moment = now if now is not None else timezone.now()
        return self.revoked_at is None and self.suspended_at is None and self.expires_at > moment
