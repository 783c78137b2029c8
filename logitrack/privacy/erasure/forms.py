"""Forms of the under-16 report pages. They parse input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from logitrack.core.forms import EmailTextField


class VisitorReportForm(forms.Form):
    account_email = EmailTextField(
        label=_("Email address of the account"),
        help_text=_("The address the person under 16 signs in with."),
    )
    reporter_email = EmailTextField(
        label=_("Your email address"),
        help_text=_("Logitrack's privacy officer may write to you to check the report."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ColleagueLookupForm(forms.Form):
    email = EmailTextField(label=_("Your colleague's email address"))


class ColleagueReportForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have good reason to believe that this person is under 16."),
        error_messages={"required": _("Tick the box to confirm the report.")},
    )


class StaffReportForm(forms.Form):
    email = EmailTextField(label=_("Email address of the account"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("confirm", _("Confirm and suspend")),
            ("dismiss", _("Dismiss")),
            ("cancel", _("Cancel the report")),
        ],
    )
