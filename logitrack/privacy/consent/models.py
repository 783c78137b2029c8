"""The consent ledger: one row per grant or withdrawal, never changed; the current state derived.

Two scopes, because two different controllers ask:

- ``UserConsentEvent`` (global): an account holder's consent to Logitrack's own newsletter and
  analytics. It belongs to the account, which may be a member of several tenants or of none.
- ``SubjectConsentEvent`` (tenant-owned): a tenant's consignee's or driver's consent to that
  tenant's messages, and to the purposes the tenant declares (``TenantPurpose``).

The logistics app keeps a consignee's name, phone and e-mail on each order and has no consignee
record; a consent belongs to the person across orders, so ``ConsigneeContact`` names that person
within the tenant by their canonical e-mail address or E.164 phone number.

The current consent of a subject to a purpose is its latest event (highest id; ids follow time,
since events are only ever appended with the server's clock), found through the composite
indexes ``(subject, purpose, id)``. UPDATE is refused by database triggers (migration 0001).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.crypto.fields import (
    BlindIndexField,
    EncryptedPhoneNumberField,
    EncryptedTextField,
)
from logitrack.core.models import TenantScopedModel, register_global_model

POLICY_VERSION_MAX = 64
NOTICE_MAX = 4000
USER_AGENT_MAX = 300
CAMPAIGN_KEY_MAX = 64
TENANT_PURPOSE_PREFIX = "tenant."


class FixedPurpose(models.TextChoices):
    """The purposes every subject may be asked about (issue P7 point 2)."""

    MARKETING_EMAIL = "marketing_email", _("Newsletters and promotions by e-mail")
    MARKETING_SMS = "marketing_sms", _("Newsletters and promotions by SMS")
    USAGE_ANALYTICS = "usage_analytics", _("Usage analytics")
    ADVERTISING_MEASUREMENT = "advertising_measurement", _("Advertising measurement")


class Channel(models.TextChoices):
    """A marketing channel and the purpose whose consent it needs."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")

    @property
    def purpose(self) -> FixedPurpose:
        return FixedPurpose.MARKETING_EMAIL if self == Channel.EMAIL else FixedPurpose.MARKETING_SMS


class Action(models.TextChoices):
    GRANT = "grant", _("Granted")
    WITHDRAW = "withdraw", _("Withdrawn")


class Method(models.TextChoices):
    """How the consent or withdrawal reached us."""

    PAGE = "page", _("On a Logitrack page")
    API = "api", _("Through the API")
    EMAIL_LINK = "email_link", _("Through a link in an e-mail")
    IMPORT = "import", _("Imported")
    PHONE = "phone", _("By telephone, recorded by the company")
    PAPER = "paper", _("On paper, recorded by the company")


class SubjectKind(models.TextChoices):
    USER = "user", _("Account holder")
    CONSIGNEE = "consignee", _("Consignee")
    DRIVER = "driver", _("Driver")


class ConsentEventFields(models.Model):
    """What every ledger row records about one grant or withdrawal (issue P7 point 2)."""

    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    policy_version = models.CharField(_("privacy policy version"), max_length=POLICY_VERSION_MAX)
    notice_language = models.CharField(_("language of the notice"), max_length=8)
    notice_text = models.TextField(_("notice shown"), max_length=NOTICE_MAX)
    ip_network = models.CharField(
        _("network of the IP address (IPv4 /24, IPv6 /48)"), max_length=64, blank=True
    )
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_MAX, blank=True)
    gpc = models.BooleanField(_("Global Privacy Control signal"), default=False)
    refused_by_gpc = models.BooleanField(
        _("grant refused by Global Privacy Control"), default=False
    )

    class Meta:
        abstract = True


class UserConsentEvent(ConsentEventFields):
    """A grant or withdrawal of an account holder, for one of the fixed purposes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=FixedPurpose.choices)

    class Meta:
        verbose_name = _("consent of an account holder")
        verbose_name_plural = _("consents of account holders")
        indexes = [
            models.Index(fields=["user", "purpose", "-id"], name="consent_user_current"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.action}"


class TenantPurpose(TenantScopedModel):
    """A purpose a tenant declares for its own consignees and drivers, named in both languages."""

    code = models.SlugField(_("code"), max_length=40)
    name_vi = models.CharField(_("name in Vietnamese"), max_length=150)
    name_en = models.CharField(_("name in English"), max_length=150)
    description_vi = models.TextField(_("description in Vietnamese"), max_length=1000)
    description_en = models.TextField(_("description in English"), max_length=1000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("declared purpose")
        verbose_name_plural = _("declared purposes")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="consent_purpose_code_unique")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def key(self) -> str:
        return f"{TENANT_PURPOSE_PREFIX}{self.code}"


class ConsigneeContact(TenantScopedModel):
    """A consignee of the tenant, as a person who can consent: their canonical e-mail address
    and/or E.164 phone number (encrypted under the tenant's key, found by blind index)."""

    name = EncryptedTextField(_("name"), key_owner="tenant", blank=True, default="")
    email = EncryptedTextField(_("e-mail address"), key_owner="tenant", blank=True, default="")
    email_index = BlindIndexField(_("e-mail search index"), source="email")
    phone = EncryptedPhoneNumberField(_("phone number"), key_owner="tenant", blank=True, default="")
    phone_index = BlindIndexField(_("phone number search index"), source="phone")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("consignee contact")
        verbose_name_plural = _("consignee contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email_index"],
                condition=~Q(email_index=""),
                name="consent_consignee_email_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "phone_index"],
                condition=~Q(phone_index=""),
                name="consent_consignee_phone_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"consignee {self.pk}"


class SubjectConsentEvent(TenantScopedModel, ConsentEventFields):
    """A grant or withdrawal of a tenant's consignee or driver.

    ``purpose`` is the key the current state is found by: a ``FixedPurpose`` value, or
    ``tenant.<code>`` with ``tenant_purpose`` set for a purpose the tenant declared.
    """

    consignee = models.ForeignKey(
        ConsigneeContact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consignee"),
    )
    driver = models.ForeignKey(
        "tracking.Driver",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("driver"),
    )
    purpose = models.CharField(_("purpose"), max_length=64)
    tenant_purpose = models.ForeignKey(
        TenantPurpose,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared purpose"),
    )

    class Meta:
        verbose_name = _("consent of a consignee or driver")
        verbose_name_plural = _("consents of consignees and drivers")
        indexes = [
            models.Index(fields=["consignee", "purpose", "-id"], name="consent_consignee_current"),
            models.Index(fields=["driver", "purpose", "-id"], name="consent_driver_current"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(consignee__isnull=False) & Q(driver__isnull=True))
                | (Q(consignee__isnull=True) & Q(driver__isnull=False)),
                name="consent_subject_one_person",
            ),
            models.CheckConstraint(
                condition=(
                    Q(tenant_purpose__isnull=True, purpose__in=FixedPurpose.values)
                    | (
                        Q(tenant_purpose__isnull=False)
                        & Q(purpose__startswith=TENANT_PURPOSE_PREFIX)
                    )
                ),
                name="consent_subject_purpose_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.action}"


class SendFields(models.Model):
    """One marketing message to one person: the record that makes a campaign send only once."""

    campaign = models.CharField(_("campaign"), max_length=CAMPAIGN_KEY_MAX)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        abstract = True


class UserMarketingSend(SendFields):
    """A Logitrack newsletter or promotion to an account holder, under ``consent``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    consent = models.ForeignKey(
        UserConsentEvent, on_delete=models.CASCADE, related_name="+", verbose_name=_("consent")
    )

    class Meta:
        verbose_name = _("newsletter sent to an account holder")
        verbose_name_plural = _("newsletters sent to account holders")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "channel", "user"], name="consent_user_send_once"
            )
        ]

    def __str__(self) -> str:
        return self.campaign


class SubjectMarketingSend(TenantScopedModel, SendFields):
    """A tenant's newsletter or promotion to one of its consignees or drivers, under ``consent``."""

    consignee = models.ForeignKey(
        ConsigneeContact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consignee"),
    )
    driver = models.ForeignKey(
        "tracking.Driver",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("driver"),
    )
    consent = models.ForeignKey(
        SubjectConsentEvent, on_delete=models.CASCADE, related_name="+", verbose_name=_("consent")
    )

    class Meta:
        verbose_name = _("newsletter sent to a consignee or driver")
        verbose_name_plural = _("newsletters sent to consignees and drivers")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "campaign", "channel", "consignee"],
                condition=Q(consignee__isnull=False),
                name="consent_consignee_send_once",
            ),
            models.UniqueConstraint(
                fields=["tenant", "campaign", "channel", "driver"],
                condition=Q(driver__isnull=False),
                name="consent_driver_send_once",
            ),
        ]

    def __str__(self) -> str:
        return self.campaign


register_global_model(
    "consent.userconsentevent",
    "An account holder's consent to Logitrack's own newsletter and analytics: it belongs to the "
    "account, which may be a member of several tenants or of none.",
)
register_global_model(
    "consent.usermarketingsend",
    "Logitrack's own newsletters to account holders, sent under their platform-level consent, "
    "not on behalf of a tenant.",
)


SUBJECT_MAX = 200
BODY_MAX = 5000


class MarketingCampaign(TenantScopedModel):
    """A tenant's newsletter or promotion to its consignees and drivers, sent by a background job
    through ``tenant_marketing_send`` (so only to people holding a current consent for the
    channel), with its progress and its counts."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    subject_vi = models.CharField(_("subject (Vietnamese)"), max_length=SUBJECT_MAX)
    subject_en = models.CharField(_("subject (English)"), max_length=SUBJECT_MAX)
    body_vi = models.TextField(_("text (Vietnamese)"), max_length=BODY_MAX)
    body_en = models.TextField(_("text (English)"), max_length=BODY_MAX)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    audience = models.PositiveIntegerField(_("people with consent when created"), default=0)
    total = models.PositiveIntegerField(_("people considered"), default=0)
    processed = models.PositiveIntegerField(_("people processed"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_by_api_key = models.ForeignKey(
        "tenancy.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created with API key"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=128, blank=True)
    idempotency_fingerprint = models.CharField(_("request fingerprint"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The sending job holds the campaign until this time and renews it before every batch; a job
    # whose worker died stops renewing, and the resume sweep queues the campaign again.
    lease_until = models.DateTimeField(_("sending lease until"), null=True, blank=True)

    class Meta:
        verbose_name = _("marketing campaign")
        verbose_name_plural = _("marketing campaigns")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="consent_campaign_idempotency_key_once",
            )
        ]
        indexes = [models.Index(fields=["tenant", "-id"], name="consent_campaign_recent")]

    @property
    def key(self) -> str:
        """The key under which the sends are recorded (one per campaign, channel, person)."""
        return f"campaign-{self.pk}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)
