"""The privacy officer's forms: a draft's texts, and the moment a version takes effect."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from logitrack.core.forms import HumanTextField
from logitrack.privacy.policies.models import BODY_MAX_CHARS, SUMMARY_MAX_CHARS

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class PolicyDraftForm(forms.Form):
    """Texts may stay empty in a draft; publishing requires both languages."""

    summary = HumanTextField(
        label=_("Summary of changes"),
        multiline=True,
        required=False,
        max_length=SUMMARY_MAX_CHARS,
    )
    # Never ticked for the officer: a material change is a decision, not a default.
    material = forms.BooleanField(
        label=_("Material change: every signed-in person must read and accept this version"),
        required=False,
    )
    body_vi = HumanTextField(
        label=_("Vietnamese text"), multiline=True, required=False, max_length=BODY_MAX_CHARS
    )
    body_en = HumanTextField(
        label=_("English text"), multiline=True, required=False, max_length=BODY_MAX_CHARS
    )


class PolicyPublishForm(forms.Form):
    """``effective_at`` in the officer's time zone; empty means at once."""

    effective_at = forms.DateTimeField(
        label=_("Takes effect at"),
        required=False,
        input_formats=[LOCAL_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT),
        help_text=_("Leave empty for at once."),
    )
