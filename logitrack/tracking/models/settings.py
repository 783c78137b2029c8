"""A tenant's choices about how its devices may report.

``plain_http_allowed``: the tenant accepts OsmAnd reports on the plain-HTTP legacy port
(``LOGITRACK_OSMAND_PLAIN_PORT``, docs/adr/0030) for hardware that cannot speak TLS. Off by
default; a tenant without a row has it off. ``plain_http_since``: when it was last turned on
(null while off), shown to Logitrack's security officer.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import TenantScopedModel


class TenantDeviceSettings(TenantScopedModel):
    plain_http_allowed = models.BooleanField(_("accept reports over plain HTTP"), default=False)
    plain_http_since = models.DateTimeField(_("plain HTTP accepted since"), null=True, blank=True)

    class Meta:
        verbose_name = _("device settings")
        verbose_name_plural = _("device settings")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], name="tracking_device_settings_one_per_tenant"
            )
        ]
