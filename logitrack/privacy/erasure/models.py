"""The ledger of erasures and the reports that a user is under 16 (privacy policy section 9).

``PersonErasure`` names the person only by their id: it must outlive the user row it erases (the
ledger a backup restore re-applies, P8) and so holds no name, address or date. ``UnderageReport``
points at the reported person and at the reporter by nullable references, which the erasure
clears like every other reference to the person.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import register_global_model

# Policy section 9: the personal data of a person under 16 is erased within 24 hours of a
# report. The job starts earlier, leaving the sweep (``logitrack erasures_run``) time to catch
# a lost job and the privacy officer a window to cancel a mistaken report.
ERASURE_DEADLINE = timedelta(hours=24)
ERASURE_DELAY = timedelta(hours=20)


class PersonErasure(models.Model):
    class Reason(models.TextChoices):
        UNDER_16 = "under_16", _("The person is under 16")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        DONE = "done", _("Erased")

    user_id = models.PositiveBigIntegerField(_("user id"), db_index=True)
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), default=timezone.now)
    erase_after = models.DateTimeField(_("erase after"))
    due_at = models.DateTimeField(_("due at"))
    completed_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # What was erased: counts per table and keys destroyed, never a value (the audit chain has
    # the same certificate).
    certificate = models.JSONField(_("certificate"), default=dict, blank=True)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        constraints = [
            models.UniqueConstraint(
                fields=["user_id"],
                condition=Q(status="scheduled"),
                name="erasure_one_scheduled_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"erasure #{self.pk}"


class UnderageReport(models.Model):
    class Source(models.TextChoices):
        COLLEAGUE = "colleague", _("A colleague in the same company")
        STAFF = "staff", _("Logitrack's privacy officer")
        VISITOR = "visitor", _("A visitor without an account")
        DATE_OF_BIRTH = "date_of_birth", _("The date of birth was corrected to under 16")

    class Status(models.TextChoices):
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting the privacy officer")
        SUSPENDED = "suspended", _("Account suspended, erasure scheduled")
        CANCELLED = "cancelled", _("Cancelled: the report was a mistake")
        DISMISSED = "dismissed", _("Dismissed")
        ERASED = "erased", _("Erased")

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported person"),
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    # The company in which a colleague reported (whose membership allowed the report).
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    # A visitor's own address, so that the privacy officer can ask them before confirming.
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    erasure = models.ForeignKey(
        PersonErasure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("erasure"),
    )

    class Meta:
        verbose_name = _("under-16 report")
        verbose_name_plural = _("under-16 reports")
        indexes = [models.Index(fields=["status", "-created_at"], name="erasure_report_status")]

    def __str__(self) -> str:
        return f"under-16 report #{self.pk}"


register_global_model(
    "erasure.personerasure",
    "A person's erasure concerns a global user, whatever tenants they belonged to.",
)
register_global_model(
    "erasure.underagereport",
    "A report concerns a global user; the company it was made in is recorded, not scoped by.",
)
