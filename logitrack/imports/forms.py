"""Forms of the import pages: the upload, the column mapping and the run."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from logitrack.imports.columns import FIELDS
from logitrack.imports.models import ImportMode


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Order sheet (CSV or Excel .xlsx)"),
        help_text=_("Up to 10 MB. Your own spreadsheet is fine: the header row is found for you."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    shipper = forms.TypedChoiceField(label=_("Shipper (whose orders these are)"), coerce=int)
    mode = forms.ChoiceField(
        label=_("When some rows are invalid"),
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, shippers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shipper"].choices = shippers  # type: ignore[attr-defined]


def field_choices() -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", str(_("— ignore this column —")))]
    for f in FIELDS:
        marker = " (*)" if f.required else ""
        choices.append((f.key, f"{f.label}{marker}"))
    return choices


class MappingForm(forms.Form):
    """One choice per column of the header row, named ``column_<index>``."""

    mode = forms.ChoiceField(
        label=_("When some rows are invalid"), choices=ImportMode.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, headers: list[str], mapping: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = field_choices()
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or _("(column without a name)"),
                choices=choices,
                required=False,
                initial=mapping[index] if index < len(mapping) else "",
            )
        self.column_count = len(headers)

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{i}", "") or "" for i in range(self.column_count)]

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{i}"] for i in range(self.column_count)]


class RunForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("When some rows are invalid"), choices=ImportMode.choices, widget=forms.RadioSelect
    )
