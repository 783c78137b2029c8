"""Forms of the account pages. They parse input; the services decide and write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from logitrack.accounts.password_validation import MAX_PASSWORD_LENGTH
from logitrack.core.forms import CodeField, EmailTextField, HumanTextField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Longer input is refused by the password policy; the form lets it through so that the person
# reads the policy's message rather than a browser's silent truncation.
_PASSWORD_INPUT_LIMIT = MAX_PASSWORD_LENGTH * 4


def _password_field(
    label: StrOrPromise, autocomplete: str, help_text: StrOrPromise = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=_PASSWORD_INPUT_LIMIT,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class LoginForm(AuthenticationForm):
    # The cleaned value is the canonical address: what authenticate() looks up and what
    # django-axes counts attempts against (accounts.lockout.lockout_username).
    username = EmailTextField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = _password_field(_("Password"), "current-password")

    error_messages = {
        "invalid_login": _("The email or password is incorrect."),
        "inactive": _(
            "This account is suspended and cannot sign in. If you think this is a mistake, "
            "write at once to Logitrack's privacy officer at %(email)s."
        ),
    }

    def get_invalid_login_error(self) -> forms.ValidationError:
        """Tell the holder of a suspended account why they cannot sign in.

        Django's backend refuses an inactive account like a wrong password; the person who
        knows the password is told the account is suspended (under 16 reports), anyone else
        reads the usual message, so the form does not say which accounts are suspended.
        """
        from logitrack.accounts.models import User

        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        user = User.objects.filter(email=email, is_active=False).first() if email else None
        if user is not None and password and user.check_password(password):
            # The address to write to: a suspended account is erased 20 hours later.
            return forms.ValidationError(
                self.error_messages["inactive"],
                code="inactive",
                params={"email": settings.LOGITRACK_PRIVACY_CONTACT_EMAIL},
            )
        return super().get_invalid_login_error()


class NewPasswordForm(forms.Form):
    """A new password typed twice; the password policy itself is checked by the service."""

    new_password1 = _password_field(
        _("New password"),
        "new-password",
        _("12 to 128 characters. A few unrelated words make a strong, memorable password."),
    )
    new_password2 = _password_field(_("Repeat the new password"), "new-password")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords do not match."))
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    current_password = _password_field(_("Current password"), "current-password")
    field_order = ["current_password", "new_password1", "new_password2"]


class PasswordResetRequestForm(forms.Form):
    email = EmailTextField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


HOME_TIME_ZONE = "Asia/Ho_Chi_Minh"
TIME_ZONE_LIST_ID = "time-zones"


def time_zone_choices() -> list[str]:
    """Every IANA time zone, Asia/Ho_Chi_Minh first (most of our people), then A to Z."""
    from logitrack.accounts.services import available_time_zones

    return [HOME_TIME_ZONE, *(zone for zone in available_time_zones() if zone != HOME_TIME_ZONE)]


class TimeZoneInput(forms.TextInput):
    """A text box with a ``<datalist>`` of every zone: the browser filters it as one types, with
    no script (so nothing for the CSP to allow); the server still accepts only a listed zone."""

    template_name = "accounts/widgets/time_zone.html"

    def __init__(self) -> None:
        super().__init__(
            attrs={"list": TIME_ZONE_LIST_ID, "autocomplete": "off", "spellcheck": "false"}
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["zones"] = [
            (zone, zone.replace("_", " ")) for zone in time_zone_choices()
        ]
        context["widget"]["list_id"] = TIME_ZONE_LIST_ID
        return context


class ProfileForm(forms.Form):
    full_name = HumanTextField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = CodeField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("For example 0912 345 678, or +84 912 345 678."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        help_text=_(
            "Logitrack is for people aged 16 or over. A date of birth under 16 suspends the "
            "account and its data is erased within 24 hours."
        ),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=lambda: [(zone, zone) for zone in time_zone_choices()],
        widget=TimeZoneInput(),
        help_text=_("Type to search, e.g. “Ho Chi Minh” or “Bangkok”."),
    )
