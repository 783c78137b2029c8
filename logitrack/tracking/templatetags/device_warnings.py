"""``{% plain_http_warning %}``: for Logitrack's security officer only, a warning on every page
while any tenant accepts device reports over plain HTTP (docs/adr/0030). Nothing for anyone
else, and no query unless the reader is the security officer."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag(takes_context=True)
def plain_http_warning(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if getattr(user, "platform_role", "") != "security_officer":
        return ""
    from logitrack.tracking.models import TenantDeviceSettings

    count = TenantDeviceSettings.dangerously_unscoped.filter(plain_http_allowed=True).count()
    if not count:
        return ""
    return format_html(
        '<div class="alert alert-error" role="status" data-plain-http-warning>{} '
        '<a href="{}">{}</a></div>',
        ngettext(
            "%(count)d company accepts device reports over plain HTTP, without encryption.",
            "%(count)d companies accept device reports over plain HTTP, without encryption.",
            count,
        )
        % {"count": count},
        reverse("devices:plain-http-overview"),
        _("See which"),
    )
