"""An import of an order sheet (its state, counts, progress and report) and the column mappings
a tenant confirmed for the header rows of its templates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import TenantScopedModel


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for the column mapping")
    VALIDATING = "validating", _("Checking every row")
    VALIDATED = "validated", _("Checked: ready to import")
    IMPORTING = "importing", _("Creating orders")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing: import only if every row is valid")
    VALID_ROWS_ONLY = "valid_rows_only", _("Import the valid rows, skip the others")


class ImportJob(TenantScopedModel):
    """One uploaded file on its way to becoming orders.

    The file itself is kept encrypted under the tenant's data key (``imports.storage``) only
    until the import ends (done or refused), then deleted; ``file_key`` is cleared with it.
    ``report`` is a list of issues (``imports.report.Issue``), without cell contents.
    ``progress`` counts processed data rows of ``total_rows``.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    shipper_id = models.BigIntegerField(_("shipper"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_kind = models.CharField(_("file type"), max_length=8)
    file_size = models.PositiveIntegerField(_("file size (bytes)"))
    file_key = models.CharField(_("stored file"), max_length=100, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    mode = models.CharField(
        _("mode"), max_length=16, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
    )
    dry_run = models.BooleanField(_("dry run only"), default=True)
    header_row = models.PositiveIntegerField(_("header row"), default=0)
    headers = models.JSONField(_("column names"), default=list)
    mapping = models.JSONField(_("column mapping"), default=list)
    header_signature = models.CharField(_("header signature"), max_length=64, blank=True)
    total_rows = models.PositiveIntegerField(_("data rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    invalid_rows = models.PositiveIntegerField(_("invalid rows"), default=0)
    created_orders = models.PositiveIntegerField(_("orders created"), default=0)
    progress = models.PositiveIntegerField(_("rows processed"), default=0)
    report = models.JSONField(_("report"), default=list)
    error_code = models.CharField(_("error"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order import")
        verbose_name_plural = _("order imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="imports_job_tenant_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportStatus.values), name="imports_job_status"
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=ImportMode.values), name="imports_job_mode"
            ),
        ]

    def __str__(self) -> str:
        return f"import #{self.pk}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status in (ImportStatus.DONE, ImportStatus.VALIDATED) else 0
        return min(100, self.progress * 100 // self.total_rows)

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.VALIDATING, ImportStatus.IMPORTING)


class ColumnMapping(TenantScopedModel):
    """The mapping a tenant confirmed for one header row (by its signature), reused next time."""

    header_signature = models.CharField(_("header signature"), max_length=64)
    headers = models.JSONField(_("column names"), default=list)
    mapping = models.JSONField(_("column mapping"), default=list)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "header_signature"], name="imports_mapping_unique_signature"
            )
        ]

    def __str__(self) -> str:
        return f"column mapping {self.header_signature[:12]}"
