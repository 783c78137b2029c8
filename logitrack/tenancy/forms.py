"""Forms of the tenancy pages. They check input early, for friendly messages beside each field;
the services check everything again, so a form is never the only guard."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from logitrack.core.forms import CodeField, DateInput, EmailTextField, HumanTextField
from logitrack.core.ids import IdField
from logitrack.tenancy.geography import (
    province_choices,
    validate_province_and_ward,
    ward_choices,
)
from logitrack.tenancy.models import Industry, Tenant
from logitrack.tenancy.roles import API_KEY_PERMISSIONS, Permission, Role
from logitrack.tenancy.validators import (
    TaxpayerKind,
    normalise_tax_code,
    taxpayer_kind_for,
    validate_tax_code,
)

API_KEY_LIFETIMES = [
    (30, _("30 days")),
    (90, _("90 days")),
    (180, _("180 days")),
    (365, _("1 year")),
]


def _province_from(data: Any, prefix_field: str = "province_code") -> int | None:
    try:
        return int(data.get(prefix_field) or "")
    except (TypeError, ValueError, AttributeError):
        return None


class AddressMixin(forms.Form):
    """Province, then commune or ward: the ward list is the chosen province's.

    With JavaScript, htmx reloads the ward list when the province changes; without it, the
    "Show communes" button re-displays the form with the list, and the server checks the pair.
    """

    street_address = HumanTextField(
        label=_("Street address"),
        max_length=300,
        help_text=_("House number, street, hamlet or building."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    province_code = forms.TypedChoiceField(label=_("Province or city"), coerce=int)
    ward_code = IdField(label=_("Commune or ward"), widget=forms.Select)

    def setup_address(self, source: Any) -> None:
        province_field = self.fields["province_code"]
        assert isinstance(province_field, forms.TypedChoiceField)
        province_field.choices = [("", _("Choose a province or city")), *province_choices()]
        province = _province_from(source)
        wards = ward_choices(province) if province is not None else []
        placeholder = _("Choose a commune or ward") if wards else _("Choose a province first")
        ward_widget = self.fields["ward_code"].widget
        assert isinstance(ward_widget, forms.Select)
        ward_widget.choices = [("", placeholder), *wards]
        ward_widget.attrs["id"] = "id_ward_code"
        province_field.widget.attrs.update(
            {
                "hx-get": reverse("tenancy:wards"),
                "hx-trigger": "change",
                "hx-target": "#id_ward_code",
                "hx-swap": "innerHTML",
            }
        )

    def clean_address(self, cleaned: dict[str, Any]) -> None:
        province, ward = cleaned.get("province_code"), cleaned.get("ward_code")
        if province is None or ward is None:
            return
        try:
            validate_province_and_ward(province, ward)
        except ValidationError as exc:
            self.add_error("ward_code", exc)


class CompanyForm(AddressMixin):
    name = HumanTextField(label=_("Company name"), max_length=200)
    industry = forms.ChoiceField(
        label=_("Industry"), choices=[("", _("Choose an industry")), *Industry.choices]
    )
    data_region = forms.ChoiceField(
        label=_("Where your data is stored"),
        choices=Tenant.DataRegion.choices,
        initial=Tenant.DataRegion.VIETNAM,
        widget=forms.RadioSelect,
    )

    field_order = [
        "name",
        "industry",
        "street_address",
        "province_code",
        "ward_code",
        "data_region",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_address(self.data if self.is_bound else self.initial)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_address(cleaned)
        return cleaned


def _validate_date_of_birth(value: date) -> None:
    from logitrack.accounts.errors import InvalidDateOfBirth, UnderMinimumAge
    from logitrack.accounts.services import ensure_minimum_age

    try:
        ensure_minimum_age(value)
    except (InvalidDateOfBirth, UnderMinimumAge) as exc:
        raise ValidationError(str(exc.message), code=exc.code) from exc


class PersonFieldsMixin(forms.Form):
    """What a new person gives about themselves: name, password, date of birth, consent."""

    full_name = HumanTextField(
        label=_("Your full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 12 characters; a phrase of several words is easy to remember."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        help_text=_(
            "Logitrack is for people aged 16 or over. Your date of birth is stored encrypted and "
            "used only to confirm your age."
        ),
        widget=DateInput(attrs={"autocomplete": "bday"}),
    )
    privacy_consent = forms.BooleanField(
        label=_("I have read and accept the privacy policy."),
        error_messages={"required": _("Please read and accept the privacy policy.")},
    )

    def check_password(self, cleaned: dict[str, Any], email: str) -> None:
        from logitrack.accounts.errors import PasswordRejected
        from logitrack.accounts.models import User
        from logitrack.accounts.services import password_check

        password = cleaned.get("password")
        if not password:
            return
        try:
            password_check(password, user=User(email=email, full_name=cleaned.get("full_name", "")))
        except PasswordRejected as exc:
            for message in exc.messages:
                self.add_error("password", message)


class SignupForm(CompanyForm, PersonFieldsMixin):
    tax_code = CodeField(
        label=_("Tax code"),
        max_length=20,
        help_text=_(
            "10 digits; 13 for a branch, written 0123456789-001; or the 12-digit personal "
            "identification number of a household business or an individual."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of taxpayer"),
        required=False,
        choices=[("", _("Choose the kind of taxpayer")), *TaxpayerKind.choices],
        help_text=_(
            "Optional for a company or a branch; needed with a 12-digit personal "
            "identification number."
        ),
    )
    email = EmailTextField(
        label=_("Your email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    field_order = [
        "name",
        "tax_code",
        "kind",
        "industry",
        "street_address",
        "province_code",
        "ward_code",
        "data_region",
        "full_name",
        "email",
        "password",
        "date_of_birth",
        "privacy_consent",
    ]

    company_fields = (
        "name",
        "tax_code",
        "kind",
        "industry",
        "street_address",
        "province_code",
        "ward_code",
        "data_region",
    )

    def clean_date_of_birth(self) -> date:
        value: date = self.cleaned_data["date_of_birth"]
        _validate_date_of_birth(value)
        return value

    def clean_tax_code(self) -> str:
        value = normalise_tax_code(self.cleaned_data.get("tax_code", ""))
        validate_tax_code(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        tax_code, kind = cleaned.get("tax_code"), cleaned.get("kind")
        if tax_code:
            try:
                taxpayer_kind_for(tax_code, kind)
            except ValidationError as exc:
                self.add_error("kind", exc)
        self.check_password(cleaned, cleaned.get("email", ""))
        return cleaned

    def company_part(self) -> list[forms.BoundField]:
        return [self[name] for name in self.company_fields]

    def owner_part(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.company_fields]


class InvitationAcceptForm(PersonFieldsMixin):
    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_password(cleaned, self.email)
        return cleaned


def grantable_roles(permissions: frozenset[Permission]) -> list[tuple[str, str]]:
    """The account levels someone holding ``permissions`` may grant, as form choices."""
    from logitrack.tenancy.roles import permissions_of

    return [(role.value, str(role.label)) for role in Role if permissions_of(role) <= permissions]


class InviteForm(forms.Form):
    email = EmailTextField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Account level"))

    def __init__(self, *args: Any, permissions: frozenset[Permission], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = grantable_roles(permissions)
        role_field.initial = Role.VIEWER


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Account level"), choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = HumanTextField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who or what uses the key, e.g. “Shop website” or “Partner X”."),
    )
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Give the key only what the integration needs."),
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("Expires after"), coerce=int, choices=API_KEY_LIFETIMES, initial=90
    )

    def __init__(self, *args: Any, permissions: frozenset[Permission], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["permissions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (perm.value, perm.label)
            for perm in Permission
            if perm in permissions and perm in API_KEY_PERMISSIONS
        ]


class TenantSwitchForm(forms.Form):
    """The company to work in, by id (a hidden field of each row of the switch page)."""

    tenant_id = IdField(label=_("Company"), widget=forms.HiddenInput)
