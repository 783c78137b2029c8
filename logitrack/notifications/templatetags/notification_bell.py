"""``{% notification_bell %}``: the bell in the page header with the number of unread
notifications, for members holding ``alerts.receive``; nothing (and no query) for anyone
else."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from logitrack.tenancy.access import principal_of
from logitrack.tenancy.roles import Permission

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_bell(context: dict[str, Any]) -> SafeString | str:
    request = context.get("request")
    if request is None:
        return ""
    principal = principal_of(request)
    if principal.membership is None or not principal.has(Permission.ALERTS_RECEIVE):
        return ""
    from logitrack.notifications.selectors import unread_count

    count = unread_count(principal=principal)
    label = (
        ngettext("%(count)d unread notification", "%(count)d unread notifications", count)
        % {"count": count}
        if count
        else _("Notifications")
    )
    return format_html(
        '<a href="{}" class="bell" data-notification-bell data-unread="{}" aria-label="{}">'
        # A drawn bell: the emoji renders as an empty box where no emoji font is installed.
        '<svg aria-hidden="true" width="16" height="16" viewBox="0 0 16 16" fill="currentColor">'
        '<path d="M8 16a2 2 0 0 0 2-2H6a2 2 0 0 0 2 2zm5-5V7a5 5 0 0 0-4-4.9V1a1 1 0 1 0-2 0v1.1'
        'A5 5 0 0 0 3 7v4l-1.5 1.5V13h13v-.5z"/></svg>{}</a>',
        reverse("notifications:list"),
        count,
        label,
        format_html(' <span class="badge ok" data-unread-count>{}</span>', count) if count else "",
    )
