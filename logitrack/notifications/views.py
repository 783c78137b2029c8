"""The notification pages: the person's list (mark one or all read) and their subscriptions.

All need ``alerts.receive``; a person reaches only their own notifications, through
``access_notification_by_id`` (someone else's, another tenant's and a missing one are the same
404).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from logitrack.notifications import selectors
from logitrack.notifications.access import access_notification_by_id
from logitrack.notifications.errors import NotificationError
from logitrack.notifications.forms import SubscriptionsForm
from logitrack.notifications.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
)
from logitrack.notifications.services.subscriptions import subscriptions_set
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission


@requires(Permission.ALERTS_RECEIVE)
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    context = {
        "notifications": selectors.notifications_of(principal=principal),
        "unread": selectors.unread_count(principal=principal),
    }
    return render(request, "notifications/list.html", context)


@requires(Permission.ALERTS_RECEIVE)
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    principal = principal_of(request)
    notification = access_notification_by_id(principal, notification_id)
    notification_mark_read(principal=principal, notification=notification)
    return redirect("notifications:list")


@requires(Permission.ALERTS_RECEIVE)
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(principal=principal_of(request))
    messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:list")


@requires(Permission.ALERTS_RECEIVE)
@require_http_methods(["GET", "POST"])
def subscriptions(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    form = SubscriptionsForm(
        request.POST or None,
        devices=selectors.alert_devices(principal=principal),
        geofences=selectors.alert_geofences(principal=principal),
        current=selectors.subscriptions_of(principal=principal),
    )
    if request.method == "POST" and form.is_valid():
        try:
            subscriptions_set(principal=principal, choices=form.choices())
        except NotificationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Your alert choices are saved."))
            return redirect("notifications:subscriptions")
    status = 422 if form.is_bound else 200
    return render(request, "notifications/subscriptions.html", {"form": form}, status=status)
