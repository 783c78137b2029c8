"""The e-mail of a notification: rendered in the recipient's language (Vietnamese when none is
stored or it is not one Logitrack speaks) and time zone, plain text and HTML, naming the device,
the place (geofence and site names) and the time, never coordinates (docs/adr/0058).

The delivery row is claimed before sending (pending -> sending, one attempt more), so two jobs
for the same e-mail send it once; a failure puts it back to pending until
``DELIVERY_MAX_ATTEMPTS``, then failed. The address is read from the account at send time.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from logitrack.notifications.models import DeliveryStatus, EmailDelivery, Notification
from logitrack.notifications.recipients import may_receive

logger = logging.getLogger("logitrack.notifications.email")
DEFAULT_LANGUAGE = "vi"
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def _language(code: str) -> str:
    return code if code in dict(settings.LANGUAGES) else DEFAULT_LANGUAGE


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def render_notification_email(notification: Notification) -> tuple[str, str, str]:
    """(subject, text, html) of ``notification``'s e-mail for its recipient."""
    user = notification.membership.user
    site_url = str(settings.LOGITRACK_PUBLIC_URL).rstrip("/")
    context = {
        "notification": notification,
        "kind": notification.kind,
        "device_name": notification.device.name,
        "geofence_name": notification.geofence.name if notification.geofence else "",
        "site_name": notification.geofence.site_name if notification.geofence else "",
        "tenant_name": notification.membership.tenant.name,
        "speed_kmh": notification.speed_kmh,
        "limit_kmh": notification.limit_kmh,
        "link": site_url + reverse("notifications:list"),
        "settings_link": site_url + reverse("notifications:subscriptions"),
    }
    zone = _zone(user.time_zone)
    context["zone_name"] = zone.key
    with translation.override(_language(user.language)), timezone.override(zone):
        subject = render_to_string("notifications/email/notification_subject.txt", context)
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    return " ".join(subject.split()), text, html


def delivery_send(delivery_id: int) -> bool:
    """Send e-mail delivery ``delivery_id`` of the bound tenant; True when a message left."""
    from logitrack.notifications.services.producers import DELIVERY_MAX_ATTEMPTS

    claimed = EmailDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempts__lt=DELIVERY_MAX_ATTEMPTS
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return False
    delivery = EmailDelivery.objects.select_related(
        "notification__membership__user",
        "notification__membership__tenant",
        "notification__device",
        "notification__geofence",
    ).get(pk=delivery_id)
    notification = delivery.notification
    membership = notification.membership
    if not may_receive(membership):
        delivery.status, delivery.error = DeliveryStatus.FAILED, "recipient_not_allowed"
        delivery.save(update_fields=["status", "error"])
        return False
    subject, text, html = render_notification_email(notification)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[membership.user.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        # Logged by ids only: the server's text may quote the address.
        logger.exception("notification email not sent", extra={"delivery_id": delivery_id})
        failed = delivery.attempts >= DELIVERY_MAX_ATTEMPTS
        delivery.status = DeliveryStatus.FAILED if failed else DeliveryStatus.PENDING
        delivery.error = type(exc).__name__[:100]
        delivery.save(update_fields=["status", "error"])
        return False
    delivery.status, delivery.sent_at, delivery.error = DeliveryStatus.SENT, timezone.now(), ""
    delivery.save(update_fields=["status", "sent_at", "error"])
    return True
