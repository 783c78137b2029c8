"""Partners register, disclosure log and breach register (privacy policy sections 4 and 5).

All of these are platform records kept by Logitrack's privacy officer, not by a tenant: a partner
serves every tenant, an authority's request may span tenants, and a breach is Logitrack's to
report. Rows that concern a tenant carry its id as a plain integer (the audit chain does the same)
so that a tenant's closure does not erase the record of what happened to its data.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import register_global_model

# Law 91/2025/QH15 and Decree 356/2025/ND-CP: the authority is told within 72 hours of discovery.
REPORT_DEADLINE = timedelta(hours=72)
# Hours after discovery at which the privacy officers are e-mailed if no report was filed yet.
ESCALATION_HOURS: tuple[int, ...] = (48, 66)
# The earliest moment a register accepts (a discovery, a disclosure, a report): earlier ones are
# typing errors, and year 1 in Vietnam's time zone is before year 1 in UTC (OverflowError).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# The largest count a register stores: PositiveIntegerField's range on PostgreSQL (integer).
COUNT_MAX = 2**31 - 1


def country_name(code: str, language: str | None = None) -> str:
    """``VN`` as "Việt Nam" or "Vietnam": the CLDR territory names that babel ships, in
    ``language`` (default: the active translation). An unknown code is shown as it is."""
    from babel import Locale

    locale = Locale("en" if (language or translation.get_language()) == "en" else "vi")
    name: str = locale.territories.get(code.upper(), code)
    return name


class Partner(models.Model):
    """A processor or recipient of personal data that Logitrack uses (policy section 4)."""

    class Kind(models.TextChoices):
        HOSTING = "hosting", _("Hosting")
        STORAGE = "storage", _("File storage")
        EMAIL = "email", _("E-mail delivery")
        SMS = "sms", _("SMS delivery")
        MAPS = "maps", _("Maps")
        CARRIER = "carrier", _("Carrier")
        OTHER = "other", _("Other")

    class Role(models.TextChoices):
        PROCESSOR = "processor", _("Processor (acts on Logitrack's instructions)")
        RECIPIENT = "recipient", _("Recipient (uses the data for its own purpose)")

    key = models.SlugField(_("key"), max_length=64, unique=True)
    name_vi = models.CharField(_("name in Vietnamese"), max_length=150)
    name_en = models.CharField(_("name in English"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    purpose_vi = models.CharField(_("purpose (Vietnamese)"), max_length=300)
    purpose_en = models.CharField(_("purpose (English)"), max_length=300)
    categories = models.JSONField(_("data categories"), default=list)
    # The setting that turns this partner on, so a reader can see why it is listed.
    configured_by = models.CharField(_("configured by"), max_length=64, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering: ClassVar[list[str]] = ["kind", "name_en"]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        """The name in the reader's language (the active translation)."""
        return self.name_en if translation.get_language() == "en" else self.name_vi

    @property
    def purpose(self) -> str:
        """The purpose in the reader's language."""
        return self.purpose_en if translation.get_language() == "en" else self.purpose_vi

    @property
    def country_name(self) -> str:
        """The country by its name in the reader's language (CLDR through babel), not its code."""
        return country_name(self.country)


class Disclosure(models.Model):
    """Personal data handed to someone outside Logitrack: an authority's request, or a third
    party the person consented to. Recorded by one person, approved by another (four eyes)."""

    class Kind(models.TextChoices):
        AUTHORITY = "authority", _("Request of an authority")
        CONSENTED = "consented", _("Third party the person consented to")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # The tenant whose data was disclosed; null for platform data (accounts).
    tenant_id = models.PositiveBigIntegerField(_("tenant id"), null=True, blank=True)
    requesting_body = models.CharField(_("requesting body or recipient"), max_length=200)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
        verbose_name=_("partner"),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    request_reference = models.CharField(_("request reference"), max_length=100, blank=True)
    categories = models.JSONField(_("data categories"), default=list)
    description = models.TextField(_("what was disclosed"), max_length=2000)
    disclosed_at = models.DateTimeField(_("disclosed at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # Four eyes, held by the database too: the approver is never the recorder.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("recorded_by")),
                name="breaches_disclosure_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"disclosure #{self.pk}"


class SubjectKind(models.TextChoices):
    """The people whose data the register tracks, each with a stable reference."""

    USER = "user", _("Account holder")
    CONSIGNEE = "consignee", _("Consignee")
    DRIVER = "driver", _("Driver")
    SHIPPER = "shipper", _("Shipper contact")


class DisclosureSubject(models.Model):
    """One person whose data a disclosure included (for that person's access export)."""

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("disclosure")
    )
    subject_kind = models.CharField(_("subject kind"), max_length=16, choices=SubjectKind.choices)
    subject_ref = models.CharField(_("subject reference"), max_length=64)

    class Meta:
        verbose_name = _("disclosed person")
        verbose_name_plural = _("disclosed people")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["disclosure", "subject_kind", "subject_ref"],
                name="breaches_disclosuresubject_once",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["subject_kind", "subject_ref"], name="breaches_discl_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_kind}:{self.subject_ref}"


class Breach(models.Model):
    """A personal data breach, from discovery to closure (policy section 5)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ASSESSED = "assessed", _("Assessed")
        AUTHORITY_REPORTED = "authority_reported", _("Reported to the authority")
        SUBJECTS_NOTIFIED = "subjects_notified", _("People and tenants notified")
        CLOSED = "closed", _("Closed")

    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.OPEN
    )
    discovered_at = models.DateTimeField(_("discovered at"))
    occurred_from = models.DateTimeField(_("affected from"))
    occurred_until = models.DateTimeField(_("affected until"))
    nature = models.CharField(_("nature of the breach"), max_length=200)
    description = models.TextField(_("description"), max_length=4000)
    categories = models.JSONField(_("data categories"), default=list)
    # Model labels ("logistics.order"); empty means every model holding the categories.
    affected_models = models.JSONField(_("affected tables"), default=list, blank=True)
    approx_subjects = models.PositiveIntegerField(_("approximate number of people"), default=0)
    approx_records = models.PositiveIntegerField(_("approximate number of records"), default=0)
    consequences = models.TextField(_("likely consequences"), max_length=4000, blank=True)
    measures = models.TextField(_("measures taken"), max_length=4000, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    computed_subjects = models.PositiveIntegerField(_("people found"), default=0)
    computed_records = models.PositiveIntegerField(_("records found"), default=0)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    report_reference = models.CharField(_("report reference"), max_length=100, blank=True)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(occurred_from__lte=models.F("occurred_until")),
                name="breaches_breach_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"breach #{self.pk}"

    @property
    def report_due_at(self) -> datetime:
        return self.discovered_at + REPORT_DEADLINE


class AffectedTenant(models.Model):
    """A tenant that had rows in the affected tables during the breach's time range."""

    breach = models.ForeignKey(
        Breach, on_delete=models.CASCADE, related_name="tenants", verbose_name=_("breach")
    )
    tenant_id = models.PositiveBigIntegerField(_("tenant id"))
    records = models.PositiveIntegerField(_("records"), default=0)
    subjects = models.PositiveIntegerField(_("people"), default=0)
    audit_events = models.PositiveIntegerField(_("audit events in the range"), default=0)

    class Meta:
        verbose_name = _("affected tenant")
        verbose_name_plural = _("affected tenants")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["breach", "tenant_id"], name="breaches_tenant_once"),
        ]

    def __str__(self) -> str:
        return f"tenant {self.tenant_id} of breach {self.breach_id}"


class AffectedSubject(models.Model):
    """One person whose data was in the affected tables, found from the data inventory.

    ``tenant_key`` is the tenant the data belongs to, 0 for platform data (accounts): a plain
    integer rather than a null, so that the uniqueness constraint holds on both databases.
    """

    breach = models.ForeignKey(
        Breach, on_delete=models.CASCADE, related_name="subjects", verbose_name=_("breach")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=SubjectKind.choices)
    ref = models.CharField(_("reference"), max_length=64)
    tenant_key = models.PositiveBigIntegerField(_("tenant id (0: platform)"), default=0)

    class Meta:
        verbose_name = _("affected person")
        verbose_name_plural = _("affected people")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["breach", "kind", "ref", "tenant_key"], name="breaches_subject_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}"


class BreachNotice(models.Model):
    """One notice of a breach to one recipient: sent at most once (the unique constraint)."""

    class Audience(models.TextChoices):
        PERSON = "person", _("Affected person")
        TENANT = "tenant", _("Affected tenant's owner")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not delivered")

    breach = models.ForeignKey(
        Breach, on_delete=models.CASCADE, related_name="notices", verbose_name=_("breach")
    )
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices)
    # "user:12", "consignee:34" (an order's consignee), "owner:5:12" (user 12, owner of tenant 5).
    recipient_key = models.CharField(_("recipient"), max_length=64)
    tenant_key = models.PositiveBigIntegerField(_("tenant id (0: platform)"), default=0)
    language = models.CharField(_("language"), max_length=8, default="vi")
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("breach notice")
        verbose_name_plural = _("breach notices")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["breach", "recipient_key"], name="breaches_notice_once_per_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"notice #{self.pk}"


class BreachEscalation(models.Model):
    """The privacy officers were e-mailed ``hours`` after discovery: once per breach and stage."""

    breach = models.ForeignKey(
        Breach, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("breach")
    )
    hours = models.PositiveSmallIntegerField(_("hours after discovery"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("breach escalation")
        verbose_name_plural = _("breach escalations")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["breach", "hours"], name="breaches_escalation_once"),
        ]

    def __str__(self) -> str:
        return f"escalation of breach {self.breach_id} at {self.hours} h"


_PLATFORM = (
    "Kept by Logitrack's privacy officer for the whole platform; rows about a tenant carry its "
    "id as a plain integer so the record outlives the tenant's closure."
)
for _label in (
    "breaches.partner",
    "breaches.disclosure",
    "breaches.disclosuresubject",
    "breaches.breach",
    "breaches.affectedtenant",
    "breaches.affectedsubject",
    "breaches.breachnotice",
    "breaches.breachescalation",
):
    register_global_model(_label, _PLATFORM)
