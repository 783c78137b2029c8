"""The data inventory: a classification for every stored field, declared by the app that owns it.

Each app says what its fields hold in ``logitrack/<app>/inventory.py``::

    from logitrack.privacy.inventory import Erasure, FieldClass, LegalBasis, Purpose, Retention
    from logitrack.privacy.inventory import Subject, register

    register("accounts.User", {
        "email": FieldClass(
            category="user.contact.email", subject=Subject.USER, purpose=Purpose.PROVIDE_SERVICE,
            basis=LegalBasis.CONTRACT, retention=Retention.ACCOUNT_LIFETIME_PLUS_30D,
            erasure=Erasure.DELETE,
        ),
        ...
    })

``PrivacyConfig.ready()`` imports every app's ``inventory`` module; the system checks in
``logitrack.privacy.checks`` then fail on any stored field without a classification. The data map,
and later the access export, the erasure plan and the record of processing, are all read from
here through the selectors at the end of this module, never from a second list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AnyModel: TypeAlias = type[models.Model]
AnyField: TypeAlias = "models.Field[Any, Any]"


class Subject(models.TextChoices):
    """Whose data a field holds. ``fides_key`` maps each to a Fides data subject."""

    USER = "user", _("Account holder (a person who signs in)")
    TENANT = "tenant", _("Tenant company")
    TENANT_CONTACT = "tenant_contact", _("Tenant contact person")
    CONSIGNEE = "consignee", _("Consignee")
    DRIVER = "driver", _("Driver")
    STAFF = "staff", _("Logitrack staff")
    VISITOR = "visitor", _("Visitor without an account")
    NONE = "none", _("Nobody (not personal data)")

    @property
    def fides_key(self) -> str | None:
        return _SUBJECT_FIDES_KEYS[self]


_SUBJECT_FIDES_KEYS: dict[Subject, str | None] = {
    Subject.USER: "customer",
    Subject.TENANT: "customer",
    Subject.TENANT_CONTACT: "customer",
    Subject.CONSIGNEE: "consignee",
    Subject.DRIVER: "driver",
    Subject.STAFF: "employee",
    Subject.VISITOR: "visitor",
    Subject.NONE: None,
}


class Purpose(models.TextChoices):
    """The purposes of section 3 of the privacy policy, in its order."""

    PROVIDE_SERVICE = "provide_service", _("Provide and maintain Logitrack services")
    AUTHENTICATE_SECURE = "authenticate_secure", _("Authenticate accounts and ensure security")
    IMPROVE = "improve", _("Improve features and optimise performance")
    ANALYTICS = "analytics", _("Analyse data to support more efficient operations")
    MARKETING_WITH_CONSENT = "marketing_with_consent", _("Notifications and promotions (consent)")
    LEGAL_COMPLIANCE = "legal_compliance", _("Comply with legal requirements")

    @property
    def fides_data_use(self) -> str:
        return _PURPOSE_DATA_USES[self]


_PURPOSE_DATA_USES: dict[Purpose, str] = {
    Purpose.PROVIDE_SERVICE: "essential.service",
    Purpose.AUTHENTICATE_SECURE: "essential.service.security",
    Purpose.IMPROVE: "functional.service.improve",
    Purpose.ANALYTICS: "analytics.reporting",
    Purpose.MARKETING_WITH_CONSENT: "marketing.communications",
    Purpose.LEGAL_COMPLIANCE: "essential.legal_obligation",
}


class LegalBasis(models.TextChoices):
    CONTRACT = "contract", _("Performance of the contract with the person")
    CONSENT = "consent", _("Consent")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
    NOT_APPLICABLE = "not_applicable", _("None needed (not personal data)")


class Retention(models.TextChoices):
    """How long a value is kept. The retention jobs enforce these classes, not field lists."""

    ACCOUNT_LIFETIME_PLUS_30D = (
        "account_lifetime_plus_30d",
        _("While the account exists, then 30 more days (policy section 7)"),
    )
    TENANT_LIFETIME_PLUS_30D = (
        "tenant_lifetime_plus_30d",
        _("While the tenant uses the service, then 30 more days (policy section 7)"),
    )
    AUDIT = "audit_retention", _("The audit retention period")
    SESSION = "session", _("Until the session ends or expires")
    SHORT_LIVED = "short_lived", _("Days, then removed by the retention job")
    USAGE_ANALYTICS = (
        "usage_analytics_12m",
        _("Twelve months, then deleted by the analytics retention job (policy section 8)"),
    )
    REFERENCE = "reference_data", _("As long as the software needs it (not personal data)")


class Erasure(models.TextChoices):
    """What erasing a person does to a field.

    ``delete``: the value goes, with its row or cleared to empty/null/default when the row stays.
    ``anonymise``: replaced by a value that keeps the row usable but identifies nobody.
    ``retain``: kept as it is, for the reason the classification states.
    """

    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise")
    RETAIN = "retain", _("Retain, with the stated reason")


@dataclass(frozen=True, kw_only=True)
class FieldClass:
    """What one stored field holds, about whom, why, for how long, and what erasure does to it."""

    category: str
    subject: Subject
    purpose: Purpose
    basis: LegalBasis
    retention: Retention
    erasure: Erasure
    reason: str | Promise = ""
    sensitive: bool = False


def not_personal(
    *,
    retention: Retention,
    erasure: Erasure = Erasure.DELETE,
    reason: str | Promise = "",
    category: str = "system.operations",
    purpose: Purpose = Purpose.PROVIDE_SERVICE,
) -> FieldClass:
    """The classification of a field that describes no person: keys, timestamps, states."""
    return FieldClass(
        category=category,
        subject=Subject.NONE,
        purpose=purpose,
        basis=LegalBasis.NOT_APPLICABLE,
        retention=retention,
        erasure=erasure,
        reason=reason,
    )


@dataclass(frozen=True)
class ClassifiedField:
    """One stored field of an installed model together with its classification."""

    model: AnyModel
    field: AnyField
    classification: FieldClass

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def encrypted(self) -> bool:
        """Whether the value is encrypted at rest (the crypto fields say so with ``encrypted``)."""
        return bool(getattr(self.field, "encrypted", False)) or (
            "encrypted" in type(self.field).__name__.lower()
        )


@dataclass(frozen=True)
class ErasurePlan:
    """What erasing a person does to one model's rows: derived, never written by hand."""

    model: AnyModel
    delete: tuple[str, ...]
    anonymise: tuple[str, ...]
    retain: tuple[tuple[str, str | Promise], ...]

    @property
    def deletes_rows(self) -> bool:
        """True when every field goes: the row itself can be deleted."""
        return not self.anonymise and not self.retain


@dataclass
class Inventory:
    """Classifications by lower-case model label, then by field name."""

    declarations: dict[str, dict[str, FieldClass]] = field(default_factory=dict)

    def register(self, label: str, fields: Mapping[str, FieldClass]) -> None:
        """Declare the classification of ``app_label.ModelName``'s fields, once per model."""
        key = label.lower()
        if key in self.declarations:
            raise ValueError(f"{label} is already classified; declare each model once")
        for name, classification in fields.items():
            if not isinstance(classification, FieldClass):
                raise TypeError(f"{label}.{name}: expected a FieldClass")
        self.declarations[key] = dict(fields)

    def declared(self, model: AnyModel) -> dict[str, FieldClass]:
        return self.declarations.get(model._meta.label_lower, {})

    def classified_fields(self, among: Iterable[AnyModel] | None = None) -> list[ClassifiedField]:
        """Every stored field that has a classification, model by model in table order."""
        found: list[ClassifiedField] = []
        for model in sorted(
            inventoried_models() if among is None else among, key=lambda m: m._meta.db_table
        ):
            found.extend(self.for_model(model))
        return found

    def for_model(self, model: AnyModel) -> list[ClassifiedField]:
        declared = self.declared(model)
        return [
            ClassifiedField(model, f, declared[f.name])
            for f in stored_fields(model)
            if f.name in declared
        ]

    def fields_for_subject(
        self, subject: Subject | str, among: Iterable[AnyModel] | None = None
    ) -> list[ClassifiedField]:
        """Every field that holds data about ``subject``: what an access export must cover."""
        wanted = Subject(subject)
        return [c for c in self.classified_fields(among) if c.classification.subject == wanted]

    def sensitive_fields(self, among: Iterable[AnyModel] | None = None) -> list[ClassifiedField]:
        return [c for c in self.classified_fields(among) if c.classification.sensitive]

    def erasure_plan(self, model: AnyModel) -> ErasurePlan:
        """Which fields of ``model`` erasure deletes, anonymises or retains (and why).

        Raises LookupError for a model the inventory does not know, rather than answer with an
        empty plan that would read as "delete the rows".
        """
        if not self.declared(model):
            raise LookupError(f"{model._meta.label} is not in the data inventory")
        plan: dict[Erasure, list[ClassifiedField]] = {strategy: [] for strategy in Erasure}
        for classified in self.for_model(model):
            plan[classified.classification.erasure].append(classified)
        return ErasurePlan(
            model=model,
            delete=tuple(c.field.name for c in plan[Erasure.DELETE]),
            anonymise=tuple(c.field.name for c in plan[Erasure.ANONYMISE]),
            retain=tuple((c.field.name, c.classification.reason) for c in plan[Erasure.RETAIN]),
        )


def stored_fields(model: AnyModel) -> list[AnyField]:
    """The fields of ``model`` that store something: every concrete field (keys and foreign-key
    columns included, inherited ones where their table is) and every many-to-many field whose
    link table Django creates. Reverse relations store nothing here and are left out; so is a
    many-to-many field with its own ``through`` model, which is classified as a model itself.
    """
    fields: list[AnyField] = [f for f in model._meta.local_fields if f.concrete]
    fields.extend(m2m for m2m in model._meta.local_many_to_many if link_table(m2m) is not None)
    return fields


def link_table(field: AnyField) -> AnyModel | None:
    """The link table model Django creates for a many-to-many ``field``; None for any other."""
    through = getattr(field.remote_field, "through", None) if field.many_to_many else None
    if isinstance(through, type) and issubclass(through, models.Model):
        return through if through._meta.auto_created else None
    return None


def inventoried_models() -> list[AnyModel]:
    """Every installed model with a table of its own: proxies share their parent's table."""
    return [m for m in apps.get_models() if not m._meta.proxy]


INVENTORY = Inventory()

register = INVENTORY.register
classified_fields = INVENTORY.classified_fields
for_model = INVENTORY.for_model
fields_for_subject = INVENTORY.fields_for_subject
sensitive_fields = INVENTORY.sensitive_fields
erasure_plan = INVENTORY.erasure_plan
