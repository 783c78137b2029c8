"""Usage analytics: one row per page view, pseudonymised at the door (docs/adr/0035).

A row holds no IP address, no URL (only the route's name, which carries no id or query string),
no user id: the visitor is a keyed hash of a random first-party cookie under a salt that changes
every UTC day and is then forgotten, so a visitor can be counted within one day and never linked
across days. Rows older than RETENTION_DAYS are deleted by ``analytics_retention``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import register_global_model

# Privacy policy §8 and issue 11 point 4: twelve months.
RETENTION_DAYS = 365


class ScreenClass(models.TextChoices):
    SMALL = "s", _("Small (phone)")
    MEDIUM = "m", _("Medium (tablet)")
    LARGE = "l", _("Large (desktop)")


class PageView(models.Model):
    """One page shown to a visitor who accepted usage analytics."""

    occurred_at = models.DateTimeField(_("minute"), db_index=True)
    route = models.CharField(_("page"), max_length=120)
    referrer_route = models.CharField(_("previous page"), max_length=120, blank=True)
    screen = models.CharField(_("screen"), max_length=1, choices=ScreenClass.choices)
    browser = models.CharField(_("browser"), max_length=40)
    visitor = models.CharField(_("visitor (daily pseudonym)"), max_length=64)
    tenant = models.ForeignKey(
        "tenancy.Tenant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("company"),
    )

    class Meta:
        verbose_name = _("page view")
        verbose_name_plural = _("page views")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(screen__in=["s", "m", "l"]), name="analytics_pageview_screen"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.route} {self.occurred_at:%Y-%m-%d %H:%M}"


register_global_model(
    "analytics.pageview",
    "Page views of visitors without a company as well as signed-in people's; the company, when "
    "known, is a report dimension read only by platform reporting, never by tenant code.",
)
