"""The vocabulary the inventory speaks: Fides data categories and subjects, plus our extensions.

Categories are ``fides_key`` strings of the ``fideslang`` default taxonomy (``user.contact.email``,
``user.location.precise``...) or one of the extensions below, each with its parent in the
taxonomy so that a Fides server can load them next to the defaults. Sensitivity follows the
privacy policy (location, camera images and payment history) and the special categories of
Decree 13/2023/ND-CP (location, biometric, health, ethnic origin, beliefs, sex life, criminal
records, financial data held by credit institutions).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class TaxonomyExtension:
    """A data category or data subject that Logitrack adds to the Fides default taxonomy."""

    fides_key: str
    name: str | Promise
    description: str | Promise
    parent_key: str | None = None


CATEGORY_EXTENSIONS: tuple[TaxonomyExtension, ...] = (
    TaxonomyExtension(
        "business",
        _("Business data"),
        _(
            "Data about a tenant company rather than a person; personal data only when the "
            "tenant is a household business or sole trader."
        ),
    ),
    TaxonomyExtension(
        "business.profile",
        _("Business profile"),
        _("Company name, short name and industry."),
        "business",
    ),
    TaxonomyExtension(
        "business.tax_code",
        _("Tax code"),
        _("The enterprise tax code (mã số thuế) of a tenant company or branch."),
        "business",
    ),
    TaxonomyExtension(
        "business.address",
        _("Business address"),
        _("The registered address of a tenant company: street, ward or commune, province."),
        "business",
    ),
    TaxonomyExtension(
        "user.financial.payment_history",
        _("Payment history"),
        _("Transactions a person or company has paid or received; sensitive under our policy."),
        "user.financial",
    ),
    TaxonomyExtension(
        "user.sensor.camera_image",
        _("Camera image"),
        _(
            "Images and video from integrated cameras (dock doors, vehicles) in which a person "
            "may be recognised."
        ),
        "user.sensor",
    ),
)

SUBJECT_EXTENSIONS: tuple[TaxonomyExtension, ...] = (
    TaxonomyExtension(
        "consignee",
        _("Consignee"),
        _(
            "A person who receives a shipment and has no Logitrack account; the tenant is the "
            "controller of their data, Logitrack its processor."
        ),
    ),
    TaxonomyExtension(
        "driver",
        _("Driver"),
        _(
            "A person who drives for a tenant; their location is recorded while on duty. The "
            "tenant is the controller of their data, Logitrack its processor."
        ),
    ),
)

# Categories that are sensitive whichever field holds them: a field in one of these (or below
# one of them) must be flagged ``sensitive=True`` (check privacy.E005).
SENSITIVE_CATEGORIES: frozenset[str] = frozenset(
    {
        "user.location",
        "user.sensor.camera_image",
        "user.financial",
        "user.biometric",
        "user.authorization.biometric",
        "user.health_and_medical",
        "user.childrens",
        "user.criminal_history",
        "user.demographic.race_ethnicity",
        "user.demographic.political_opinion",
        "user.demographic.religious_belief",
        "user.demographic.sexual_orientation",
    }
)


def _ancestors(key: str) -> list[str]:
    parts = key.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


@cache
def default_categories() -> frozenset[str]:
    """The ``fides_key`` of every data category in the fideslang default taxonomy."""
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return frozenset(category.fides_key for category in DEFAULT_TAXONOMY.data_category)


@cache
def default_subjects() -> frozenset[str]:
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return frozenset(subject.fides_key for subject in DEFAULT_TAXONOMY.data_subject)


@cache
def default_data_uses() -> frozenset[str]:
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return frozenset(use.fides_key for use in DEFAULT_TAXONOMY.data_use)


def known_categories() -> frozenset[str]:
    return default_categories() | {ext.fides_key for ext in CATEGORY_EXTENSIONS}


def known_subjects() -> frozenset[str]:
    return default_subjects() | {ext.fides_key for ext in SUBJECT_EXTENSIONS}


def is_known_category(key: str) -> bool:
    return key in known_categories()


def is_sensitive_category(key: str) -> bool:
    return any(ancestor in SENSITIVE_CATEGORIES for ancestor in _ancestors(key))


def is_personal_category(key: str) -> bool:
    """Whether a category describes a person: everything under ``user``."""
    return _ancestors(key)[0] == "user"
