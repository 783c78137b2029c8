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


# Names people read (breach notices, the partners page, the officer's forms) for the default
# categories the inventory uses; the extensions above carry their own.
CATEGORY_NAMES: dict[str, str | Promise] = {
    "user": _("Personal data (every kind)"),
    "user.account": _("Account details"),
    "user.account.settings": _("Account settings"),
    "user.account.username": _("Username"),
    "user.authorization": _("Access rights"),
    "user.authorization.credentials": _("Sign-in credentials"),
    "user.authorization.password": _("Password"),
    "user.behavior": _("Usage behaviour"),
    "user.behavior.browsing_history": _("Pages visited"),
    "user.contact": _("Contact details"),
    "user.contact.address": _("Address"),
    "user.contact.address.state": _("Province or city of the address"),
    "user.contact.address.street": _("Street and house number"),
    "user.contact.email": _("E-mail address"),
    "user.contact.phone_number": _("Phone number"),
    "user.content": _("Content entered by people"),
    "user.content.private": _("Private content"),
    "user.demographic": _("Demographic details"),
    "user.demographic.date_of_birth": _("Date of birth"),
    "user.demographic.language": _("Language"),
    "user.device": _("Device"),
    "user.device.cookie": _("Browser cookies"),
    "user.device.cookie_id": _("Cookie identifier"),
    "user.device.device_id": _("Device identifier"),
    "user.device.ip_address": _("IP address"),
    "user.financial": _("Financial data (sensitive)"),
    "user.location": _("Location (sensitive)"),
    "user.location.imprecise": _("Approximate location (sensitive)"),
    "user.location.precise": _("Precise location (sensitive)"),
    "user.name": _("Full name"),
    "user.privacy_preferences": _("Privacy choices"),
    "user.unique_id": _("Unique identifier"),
    "user.unique_id.pseudonymous": _("Pseudonymous identifier"),
    "user.workplace": _("Workplace"),
}


def category_name(key: str) -> str:
    """The readable name of category ``key`` in the active language: its own, else that of its
    nearest named parent (a broader but true name), else the key itself."""
    own = {ext.fides_key: ext.name for ext in CATEGORY_EXTENSIONS}
    for ancestor in reversed(_ancestors(key)):
        name = own.get(ancestor) or CATEGORY_NAMES.get(ancestor)
        if name is not None:
            return str(name)
    return key
