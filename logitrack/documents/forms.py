"""Forms of the document and proof-of-delivery pages; text goes through the layer (ADR 0017)."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from logitrack.core.forms import CodeField, HumanTextField
from logitrack.documents.models import DocumentKind

IDEMPOTENCY_KEY = RegexValidator(
    r"^[A-Za-z0-9_-]{8,64}$", _("This form has expired; open it again."), code="invalid"
)
RECIPIENT_NAME_MAX = 150
REASON_TEXT_MAX = 300

# What a failed attempt may be recorded for (logistics' FailureReason values).
FAILURE_REASONS = [
    ("recipient_absent", _("Recipient not available")),
    ("recipient_refused", _("Recipient refused the parcel")),
    ("wrong_address", _("Wrong or incomplete address")),
    ("unreachable_phone", _("Recipient's phone unreachable")),
    ("cod_not_ready", _("Recipient could not pay the COD amount")),
    ("rescheduled", _("Recipient asked for another time")),
    ("damaged", _("Parcel damaged")),
    ("other", _("Other")),
]


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"), choices=DocumentKind.choices)
    file = forms.FileField(label=_("File"), allow_empty_file=True)


class DeliveredForm(forms.Form):
    """Delivered: the recipient's name, and a photo and/or a drawn signature."""

    idempotency_key = CodeField(widget=forms.HiddenInput, validators=[IDEMPOTENCY_KEY])
    recipient_name = HumanTextField(
        label=_("Recipient's name"), max_length=RECIPIENT_NAME_MAX, required=True
    )
    photo = forms.FileField(
        label=_("Photo of the delivery"),
        required=False,
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    signature = forms.FileField(required=False, allow_empty_file=True, widget=forms.FileInput)
    latitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90,
        widget=forms.HiddenInput,
    )  # fmt: skip
    longitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180,
        widget=forms.HiddenInput,
    )  # fmt: skip
    accuracy_m = forms.IntegerField(
        required=False, min_value=0, max_value=100_000, widget=forms.HiddenInput
    )


class FailedAttemptForm(forms.Form):
    """A failed attempt: why, and optionally in the driver's own words."""

    idempotency_key = CodeField(widget=forms.HiddenInput, validators=[IDEMPOTENCY_KEY])
    failure_reason = forms.ChoiceField(label=_("Why?"), choices=FAILURE_REASONS)
    reason_text = HumanTextField(
        label=_("Details (optional)"), max_length=REASON_TEXT_MAX, required=False
    )
