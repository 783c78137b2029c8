"""The privacy policy as a versioned document, and who accepted which version when.

Both models are global: the policy is Logitrack's own, written by its privacy officer for every
tenant at once, and a person accepts it as a person, whatever company they work in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import register_global_model

BODY_MAX_CHARS = 100_000
SUMMARY_MAX_CHARS = 2_000


class PolicyVersion(models.Model):
    """One version of the privacy policy, in Vietnamese and English (markdown text).

    A draft may change; a published version never does (the services refuse, and the public
    archive serves it at a stable URL forever). ``effective_at`` is when it becomes the policy in
    effect; ``material`` asks every signed-in person to accept it at their next visit.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    number = models.PositiveIntegerField(_("version number"), unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    material = models.BooleanField(_("material change"), default=False)
    summary = models.TextField(_("summary of changes"), blank=True, default="")
    body_vi = models.TextField(_("Vietnamese text"), blank=True, default="")
    body_en = models.TextField(_("English text"), blank=True, default="")
    effective_at = models.DateTimeField(_("takes effect at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("privacy policy version")
        verbose_name_plural = _("privacy policy versions")
        ordering = ["-number"]
        constraints = [
            # A published version has both texts and its dates; a draft has no publication date.
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(
                    status="published",
                    published_at__isnull=False,
                    effective_at__isnull=False,
                )
                & ~Q(body_vi="")
                & ~Q(body_en=""),
                name="policies_version_published_complete",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="policies_version_number_min"),
        ]
        indexes = [
            models.Index(fields=["status", "effective_at"], name="policies_version_effective"),
        ]

    def __str__(self) -> str:
        return f"policy version {self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def body(self, language: str) -> str:
        """The text in ``language`` ("vi" or "en"; anything else reads Vietnamese)."""
        return self.body_en if language == "en" else self.body_vi


class PolicyAcceptance(models.Model):
    """A person accepted a published policy version: the proof the law asks us to keep.

    The IP address is truncated (IPv4 to /24, IPv6 to /48) before it is stored; the user agent
    is the header as received, cut to 255 characters.
    """

    class Via(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")
        INVITATION = "invitation", _("Invitation")
        PROMPT = "prompt", _("Re-acceptance page")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="policy_acceptances",
        verbose_name=_("user"),
    )
    version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        related_name="acceptances",
        verbose_name=_("policy version"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    via = models.CharField(_("accepted through"), max_length=16, choices=Via.choices)
    language = models.CharField(_("language shown"), max_length=8)
    ip_prefix = models.GenericIPAddressField(_("IP address (truncated)"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("privacy policy acceptance")
        verbose_name_plural = _("privacy policy acceptances")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "version"], name="policies_acceptance_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"policy acceptance #{self.pk}"


register_global_model(
    "policies.policyversion",
    "Logitrack's own privacy policy: one document for every tenant, written by its staff.",
)
register_global_model(
    "policies.policyacceptance",
    "A person accepts Logitrack's policy as a person, whatever tenants they belong to.",
)
