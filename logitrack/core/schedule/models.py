"""The claim of one period of one periodic job: the row whose unique key makes the enqueue
happen once, however many schedulers run (docs/adr/0038)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import register_global_model


class ScheduledRun(models.Model):
    job = models.CharField(_("periodic job"), max_length=100, editable=False)
    period_start = models.DateTimeField(_("period start"), editable=False)
    enqueued_at = models.DateTimeField(_("enqueued at"), editable=False)
    task_id = models.CharField(_("task id"), max_length=64, blank=True, editable=False)

    class Meta:
        app_label = "core"
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(
                fields=["job", "period_start"], name="core_scheduledrun_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.period_start.isoformat()}"


register_global_model(
    "core.scheduledrun", "The platform's job schedule: runs of platform-wide jobs, no tenant data."
)
