"""Form fields of the normalisation layer (ADR 0017): every text field of a Logitrack form is one
of these or a password (``PasswordInput``: the layer never changes a secret);
``logitrack.core.tests.test_text_layer_coverage`` fails otherwise.

Errors are field errors with the layer's stable code (``text_control_character``,
``text_bidi_control``, ``text_invalid_character``, ``text_payment_card`` for a payment card
number in a human-text or code field: docs/adr/0027); a value made only of whitespace and
invisible characters is empty, so a required field answers Django's ``required``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from logitrack.core.identity import MAX_EMAIL_LENGTH, canonical_email
from logitrack.core.text import TextRefused, code, human_text, opaque_text


class NormalisedTextField(forms.CharField):
    """A CharField whose value went through the normalisation layer before any validator."""

    multiline = False

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        # The layer strips (with invisible characters); Django's strip would run before it.
        kwargs["strip"] = False
        self.multiline = multiline
        super().__init__(**kwargs)

    def normalise(self, value: str) -> str:
        return human_text(value, multiline=self.multiline)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return text
        try:
            text = self.normalise(str(text))
        except TextRefused as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        return text if text else self.empty_value


class HumanTextField(NormalisedTextField):
    """Names, addresses, labels: NFC, whitespace collapsed, hazards refused."""

    def __init__(self, *, multiline: bool = False, **kwargs: Any) -> None:
        if multiline:
            kwargs.setdefault("widget", forms.Textarea)
        super().__init__(multiline=multiline, **kwargs)


class CodeField(NormalisedTextField):
    """Tax codes, phone numbers, numeric ids: any script's digits arrive as ASCII digits."""

    def normalise(self, value: str) -> str:
        return code(value)


class EmailTextField(forms.CharField):
    """An e-mail address, cleaned to its one canonical form (``core.identity.canonical_email``).

    Control, bidi and surrogate characters are refused with the text layer's codes first; the
    canonicaliser then reads fullwidth and ideographic-dot spellings as the address they name,
    where Django's ``EmailField`` would refuse them (docs/adr/0011, docs/adr/0017).
    """

    widget = forms.EmailInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_EMAIL_LENGTH * 4)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return text
        try:
            return canonical_email(opaque_text(str(text)))
        except TextRefused as exc:
            raise ValidationError(exc.message, code=exc.code) from exc


class DateInput(forms.DateInput):
    """``<input type="date">``. Its value is always ``yyyy-mm-dd`` (HTML Living Standard,
    "valid date string"), whatever the page's language: a localised format (``25/11/2026`` in
    Vietnamese) is refused by the browser, which shows the field empty and sends it empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    """``<input type="datetime-local">``; its value is always ``yyyy-mm-ddThh:mm`` (HTML Living
    Standard, "valid normalized local date and time string"), whatever the page's language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
