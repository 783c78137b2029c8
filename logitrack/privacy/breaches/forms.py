"""Forms of the privacy officer's pages; every text field goes through the normalisation layer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from logitrack.core.collation import vietnamese_sort_key
from logitrack.core.forms import CodeField, DateTimeLocalInput, HumanTextField
from logitrack.core.identity import canonical_email_or_none
from logitrack.core.ids import IdField
from logitrack.privacy import taxonomy
from logitrack.privacy.breaches.models import COUNT_MAX, EARLIEST, Disclosure, Partner, SubjectKind


class MomentField(forms.DateTimeField):
    """A moment of the registers: from ``models.EARLIEST`` on. An earlier one (year 1 typed in a
    date picker) is a typing error, and the database could not store it in UTC."""

    def validate(self, value: datetime | None) -> None:
        super().validate(value)
        if value is not None and value < EARLIEST:
            raise forms.ValidationError(
                _("Give a date from the year 2000 onwards."), code="too_early"
            )


def _category_label(key: str) -> str:
    """ "Phone number (user.contact.phone_number)": the name to read, the key the inventory uses."""
    name = taxonomy.category_name(key)
    return key if name == key else f"{name} ({key})"


def _category_choices() -> list[tuple[str, str]]:
    return [(key, key) for key in sorted(taxonomy.known_categories())]


def _personal_category_choices() -> list[tuple[str, str]]:
    from logitrack.privacy.breaches.selectors import personal_categories

    return [(key, _category_label(key)) for key in personal_categories()]


# CLDR territories with two letters that are not ISO 3166-1 countries.
_NOT_ISO = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "XK", "ZZ"})


def _country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166-1 alpha-2 country by its name in the reader's language, Viet Nam first,
    then in Vietnamese alphabetical order (ICU's ``vi`` collation: "Ấn Độ" after "Azerbaijan",
    before "Ba Lan"), which orders English names as English does."""
    from babel import Locale

    language = "en" if translation.get_language() == "en" else "vi"
    territories: dict[str, str] = {
        str(code): str(name) for code, name in Locale(language).territories.items()
    }
    codes = sorted(
        (
            code
            for code in territories
            if len(code) == 2 and code.isalpha() and code not in _NOT_ISO
        ),
        key=lambda code: (code != "VN", vietnamese_sort_key(territories[code])),
    )
    return [(code, territories[code]) for code in codes]


class PartnerForm(forms.Form):
    key = CodeField(label=_("Key"), max_length=64, help_text=_("Letters, digits and hyphens."))
    name_vi = HumanTextField(label=_("Name in Vietnamese"), max_length=150)
    name_en = HumanTextField(label=_("Name in English"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=Partner.Kind.choices)
    role = forms.ChoiceField(label=_("Role"), choices=Partner.Role.choices)
    country = forms.ChoiceField(label=_("Country"), choices=_country_choices)
    purpose_vi = HumanTextField(label=_("Purpose (Vietnamese)"), max_length=300)
    purpose_en = HumanTextField(label=_("Purpose (English)"), max_length=300)
    categories = forms.MultipleChoiceField(
        label=_("Data categories"), choices=_category_choices, widget=forms.CheckboxSelectMultiple
    )
    configured_by = CodeField(label=_("Setting that turns it on"), max_length=64, required=False)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"].lower()
        if not key.replace("-", "").isalnum() or not key.isascii():
            raise forms.ValidationError(_("Letters, digits and hyphens."), code="invalid")
        return key


class DisclosureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Disclosure.Kind.choices)
    requesting_body = HumanTextField(label=_("Requesting body or recipient"), max_length=200)
    partner = forms.TypedChoiceField(
        label=_("Partner (if it is one)"), coerce=int, required=False, empty_value=None
    )
    legal_basis = HumanTextField(label=_("Legal basis"), max_length=300)
    request_reference = HumanTextField(label=_("Request reference"), max_length=100, required=False)
    tenant_id = IdField(label=_("Tenant id (blank: platform data)"), required=False)
    categories = forms.MultipleChoiceField(
        label=_("Data categories disclosed"),
        choices=_personal_category_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = HumanTextField(
        label=_("What was disclosed"), max_length=2000, multiline=True, widget=forms.Textarea
    )
    disclosed_at = MomentField(label=_("Disclosed at"), widget=DateTimeLocalInput())
    subjects = HumanTextField(
        label=_("People concerned"),
        required=False,
        multiline=True,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'One per line: the e-mail address of a person\'s account, or "user:12", '
            '"consignee:34" (an order) or "driver:5".'
        ),
    )

    def __init__(self, *args: Any, partners: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "—"), *(partners or [])]  # type: ignore[attr-defined]

    def clean_subjects(self) -> str:
        text: str = self.cleaned_data.get("subjects") or ""
        try:
            self._pairs = _pairs(text)
        except ValueError:
            raise forms.ValidationError(
                _('Write one person per line as "kind:number", e.g. "user:12".'),
                code="invalid",
            ) from None
        except UnknownAccount as exc:
            raise forms.ValidationError(
                _("No account has the e-mail address %(address)s."),
                code="unknown_account",
                params={"address": exc.address},
            ) from None
        return text

    def subject_pairs(self) -> list[tuple[str, str]]:
        """The people of the cleaned ``subjects`` text, as (kind, reference) pairs; an e-mail
        address is the account's ("user", id)."""
        return list(getattr(self, "_pairs", []))


class UnknownAccount(Exception):
    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


def _account_id(line: str) -> str:
    """The id of the account whose e-mail address is ``line``; UnknownAccount otherwise."""
    from logitrack.accounts.models import User

    address = canonical_email_or_none(line)
    found = User.objects.filter(email=address).values_list("pk", flat=True).first()
    if address is None or found is None:
        raise UnknownAccount(line)
    return str(found)


def _pairs(text: str) -> list[tuple[str, str]]:
    """``"user:12\nconsignee:34\nan@example.vn"`` as pairs, an e-mail address as its account's
    ("user", id); ValueError on a line of another shape, UnknownAccount for an address no
    account has."""
    pairs: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if "@" in line:
            pairs.append((SubjectKind.USER.value, _account_id(line.strip())))
            continue
        kind, _sep, ref = line.strip().partition(":")
        if kind not in SubjectKind.values or not ref.isdigit() or not ref.isascii():
            raise ValueError(line)
        pairs.append((kind, ref))
    return pairs


class BreachForm(forms.Form):
    discovered_at = MomentField(label=_("Discovered at"), widget=DateTimeLocalInput())
    occurred_from = MomentField(label=_("Affected from"), widget=DateTimeLocalInput())
    occurred_until = MomentField(label=_("Affected until"), widget=DateTimeLocalInput())
    nature = HumanTextField(label=_("Nature of the breach"), max_length=200)
    description = HumanTextField(
        label=_("Description"), max_length=4000, multiline=True, widget=forms.Textarea
    )
    categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        choices=_personal_category_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    affected_models = forms.MultipleChoiceField(
        label=_("Affected tables (none: every table holding the categories)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    approx_subjects = forms.IntegerField(
        label=_("Approximate number of people"), min_value=0, max_value=COUNT_MAX, initial=0
    )
    approx_records = forms.IntegerField(
        label=_("Approximate number of records"), min_value=0, max_value=COUNT_MAX, initial=0
    )
    consequences = HumanTextField(
        label=_("Likely consequences"),
        max_length=4000,
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    measures = HumanTextField(
        label=_("Measures taken"),
        max_length=4000,
        required=False,
        multiline=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from logitrack.privacy.breaches.affected import affected_models

        labels = sorted({m.label for m in affected_models(["user"])})
        self.fields["affected_models"].choices = [(label, label) for label in labels]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("occurred_from"), data.get("occurred_until")
        if start and end and start > end:
            self.add_error("occurred_until", _("The end of the range is before its start."))
        return data


class ReportedForm(forms.Form):
    reported_at = MomentField(label=_("Reported at"), widget=DateTimeLocalInput())
    reference = HumanTextField(label=_("Reference of the submission"), max_length=100)
