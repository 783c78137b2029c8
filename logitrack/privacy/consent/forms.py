"""Forms of the consent pages. No form here has a checkbox: every choice is a button the person
presses, so nothing can be pre-ticked (issue P7 point 2)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from logitrack.core.crypto.canonical import e164
from logitrack.core.forms import CodeField, EmailTextField, HumanTextField
from logitrack.privacy.consent.models import (
    BODY_MAX,
    NOTICE_MAX,
    SUBJECT_MAX,
    Action,
    Channel,
    FixedPurpose,
    Method,
)

ACTIONS = [(Action.GRANT.value, _("Give consent")), (Action.WITHDRAW.value, _("Withdraw"))]


class ConsentChoiceForm(forms.Form):
    """A person's own choice for one purpose: the purpose and grant or withdraw."""

    purpose = forms.ChoiceField(choices=FixedPurpose.choices)
    action = forms.ChoiceField(choices=ACTIONS)


class StaffConsentForm(forms.Form):
    """A consent a consignee or driver gave or withdrew by telephone or on paper."""

    subject_kind = forms.ChoiceField(
        label=_("Who gave or withdrew it"),
        choices=[("consignee", _("Consignee")), ("driver", _("Driver"))],
    )
    email = EmailTextField(label=_("Consignee's e-mail address"), required=False)
    phone = CodeField(label=_("Consignee's phone number"), max_length=32, required=False)
    driver_id = forms.IntegerField(label=_("Driver number"), min_value=1, required=False)
    purpose = forms.ChoiceField(label=_("Purpose"))
    # Nothing chosen until the clerk chooses what the person said: never a grant by default.
    action = forms.ChoiceField(
        label=_("Choice"), choices=[("", _("Choose what the person said")), *ACTIONS]
    )
    method = forms.ChoiceField(
        label=_("How it was obtained"),
        choices=[
            (Method.PHONE.value, Method.PHONE.label),
            (Method.PAPER.value, Method.PAPER.label),
        ],
    )
    notice = HumanTextField(
        label=_("Notice shown or read to the person"),
        multiline=True,
        max_length=NOTICE_MAX,
        required=False,
        help_text=_("Leave empty if you read the standard notice of the purpose."),
    )

    def __init__(self, *args: Any, purposes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = purposes  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        value = str(self.cleaned_data.get("phone") or "")
        return e164(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("subject_kind") == "driver" and not data.get("driver_id"):
            raise ValidationError(_("Give the driver's number."), code="driver_missing")
        if data.get("subject_kind") == "consignee" and not (data.get("email") or data.get("phone")):
            raise ValidationError(
                _("Give the consignee's e-mail address or phone number."), code="contact_missing"
            )
        return data


class PurposeForm(forms.Form):
    code = HumanTextField(
        label=_("Code"),
        max_length=40,
        help_text=_("Lowercase letters, digits and hyphens, e.g. partner-offers."),
    )
    name_vi = HumanTextField(label=_("Name in Vietnamese"), max_length=150)
    name_en = HumanTextField(label=_("Name in English"), max_length=150)
    description_vi = HumanTextField(
        label=_("Description in Vietnamese"), multiline=True, max_length=1000
    )
    description_en = HumanTextField(
        label=_("Description in English"), multiline=True, max_length=1000
    )


class CampaignForm(forms.Form):
    """A newsletter or promotion to compose: the channel, and a subject and a text in both
    languages (an e-mail carries both, since a consignee's language is unknown)."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in Channel], initial=Channel.EMAIL
    )
    subject_vi = HumanTextField(label=_("Subject in Vietnamese"), max_length=SUBJECT_MAX)
    subject_en = HumanTextField(label=_("Subject in English"), max_length=SUBJECT_MAX)
    body_vi = HumanTextField(label=_("Text in Vietnamese"), multiline=True, max_length=BODY_MAX)
    body_en = HumanTextField(label=_("Text in English"), multiline=True, max_length=BODY_MAX)
