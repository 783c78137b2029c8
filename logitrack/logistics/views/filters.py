"""The search and filter form shared by the orders and shipments lists (GET, works without JS)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from logitrack.core.forms import HumanTextField
from logitrack.logistics.selectors_pages import ShipmentFilters
from logitrack.logistics.status import ServiceLevel, ShipmentStatus
from logitrack.tenancy.geography import province_choices

SHIPMENT_SORT_CHOICES = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("status", _("Status")),
    ("waybill", _("Waybill number")),
]
ORDER_SORT_CHOICES = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("reference", _("Customer reference")),
]
PAGE_MAX = 10_000


class ListFilterForm(forms.Form):
    q = HumanTextField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Waybill number, customer reference or the consignee's phone number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    service_level = forms.ChoiceField(label=_("Service"), required=False)
    province = forms.TypedChoiceField(
        label=_("Destination province"), required=False, coerce=int, empty_value=None
    )
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=PAGE_MAX)

    def __init__(self, *args: Any, sorts: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), *ShipmentStatus.choices]  # type: ignore[attr-defined]
        self.fields["service_level"].choices = [("", _("Any service")), *ServiceLevel.choices]  # type: ignore[attr-defined]
        self.fields["province"].choices = [("", _("Any province")), *province_choices()]  # type: ignore[attr-defined]
        self.fields["sort"].choices = sorts  # type: ignore[attr-defined]

    def filters(self) -> ShipmentFilters:
        """The cleaned filters; an invalid field counts as not given (its error is shown)."""
        data = self.cleaned_data if self.is_valid() else {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors
        }
        return ShipmentFilters(
            query=data.get("q") or "",
            status=data.get("status") or "",
            service_level=data.get("service_level") or "",
            province_code=data.get("province"),
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            sort=data.get("sort") or "-created",
            page=data.get("page") or 1,
        )
