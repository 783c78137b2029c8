"""Alerts to people inside a tenant: what each member subscribed to, the notifications shown on
the page (read or unread), the e-mails sent for them, and the producers' own bookkeeping.

A notification is addressed to a membership (a person in one tenant), never to a user across
tenants. It names a device, a geofence and a time, never coordinates: where a driver was is
sensitive data, and a place's name says enough to act on (docs/adr/0058). ``source_key`` names
what produced it (``geofence_event:<id>``, ``offline:<device>:<last seen>``,
``overspeed:<device>:<first fix>``) and is unique per recipient, so a producer that runs twice,
or two workers running at once, notify a person once.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import TenantScopedModel


class NotificationKind(models.TextChoices):
    GEOFENCE_ENTER = "geofence_enter", _("A device enters a geofence")
    GEOFENCE_EXIT = "geofence_exit", _("A device leaves a geofence")
    DEVICE_OFFLINE = "device_offline", _("A device goes offline")
    OVERSPEED = "overspeed", _("A vehicle drives above the speed limit")


GEOFENCE_KINDS = frozenset({NotificationKind.GEOFENCE_ENTER, NotificationKind.GEOFENCE_EXIT})


class Subscription(TenantScopedModel):
    """A member wants notifications of ``kind``; only about ``device`` and, for geofence kinds,
    only at ``geofence`` when these are set. ``email``: also by e-mail (always on the page)."""

    membership = models.ForeignKey(
        "tenancy.Membership",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    device = models.ForeignKey(
        "tracking.Device",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only this device"),
    )
    geofence = models.ForeignKey(
        "tracking.Geofence",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only this geofence"),
    )
    email = models.BooleanField(_("also by e-mail"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "kind"], name="notifications_subscription_once"
            ),
            models.CheckConstraint(
                condition=models.Q(geofence__isnull=True)
                | models.Q(kind__in=["geofence_enter", "geofence_exit"]),
                name="notifications_subscription_geofence_only_for_geofence_kinds",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "kind"], name="notifications_sub_kind")]


class Notification(TenantScopedModel):
    """One alert for one member. ``occurred_at``: when it happened (the fix time of a geofence
    event or overspeed, the last report of a device gone offline). ``speed_kmh`` and
    ``limit_kmh`` only for overspeed. ``read_at``: null while unread."""

    membership = models.ForeignKey(
        "tenancy.Membership",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    source_key = models.CharField(_("source"), max_length=80)
    device = models.ForeignKey(
        "tracking.Device", on_delete=models.CASCADE, related_name="+", verbose_name=_("device")
    )
    geofence = models.ForeignKey(
        "tracking.Geofence",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geofence"),
    )
    geofence_event = models.ForeignKey(
        "tracking.GeofenceEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("geofence event"),
    )
    occurred_at = models.DateTimeField(_("happened at"))
    speed_kmh = models.PositiveIntegerField(_("speed (km/h)"), null=True, blank=True)
    limit_kmh = models.PositiveIntegerField(_("limit (km/h)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "source_key"], name="notifications_notification_once"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "membership", "read_at"], name="notifications_unread"),
            models.Index(
                fields=["tenant", "membership", "-created_at"], name="notifications_recent"
            ),
        ]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class EmailDelivery(TenantScopedModel):
    """The e-mail of one notification. The address is not kept: it is the member's own, read
    when the message is sent. ``attempts``: sends tried; ``error``: the last failure's class
    name (never the server's text, which may quote the address)."""

    notification = models.OneToOneField(
        Notification,
        on_delete=models.CASCADE,
        related_name="delivery",
        verbose_name=_("notification"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        indexes = [models.Index(fields=["status", "created_at"], name="notifications_delivery")]


class GeofenceEventHandled(TenantScopedModel):
    """A geofence event the producer has dealt with (notified, or skipped as retracted): it is
    never looked at again."""

    event = models.OneToOneField(
        "tracking.GeofenceEvent",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("geofence event"),
    )
    handled_at = models.DateTimeField(_("handled at"), default=timezone.now)

    class Meta:
        verbose_name = _("handled geofence event")
        verbose_name_plural = _("handled geofence events")


class DeviceWatch(TenantScopedModel):
    """The producers' state of one device. ``offline_notified_for``: the ``last_seen_at`` of the
    offline spell already notified (a new report starts a new spell). ``speed_checked_to``: the
    fix time up to which positions were checked for overspeed; ``overspeed_since``: the fix
    time at which the current overspeed spell began (null: not speeding)."""

    device = models.OneToOneField(
        "tracking.Device",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("device"),
    )
    offline_notified_for = models.DateTimeField(_("offline spell notified"), null=True, blank=True)
    speed_checked_to = models.DateTimeField(_("speed checked up to"), null=True, blank=True)
    overspeed_since = models.DateTimeField(_("speeding since"), null=True, blank=True)

    class Meta:
        verbose_name = _("device watch")
        verbose_name_plural = _("device watches")
