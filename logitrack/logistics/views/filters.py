"""The search and filter form shared by the orders and shipments lists (GET, works without JS)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from logitrack.core.forms import CodeField, DateInput, HumanTextField
from logitrack.logistics import selectors
from logitrack.logistics.pagination import CURSOR_MAX
from logitrack.logistics.selectors_pages import day_start
from logitrack.logistics.status import ServiceLevel, ShipmentStatus
from logitrack.tenancy.geography import province_choices

SHIPMENT_SORT_CHOICES = [
    ("-created_at", _("Newest first")),
    ("created_at", _("Oldest first")),
    ("-status_changed_at", _("Latest status change first")),
    ("status_changed_at", _("Oldest status change first")),
]
ORDER_SORT_CHOICES = [
    ("-created_at", _("Newest first")),
    ("created_at", _("Oldest first")),
]
PAGE_MAX = 10_000


class ListSelect(forms.Select):
    """A single-choice select written out in Python.

    Django's ``Select`` renders a template per option; with the 34 provinces, the statuses,
    services and sorts that was most of the CPU of a list page of 50 rows. The markup is the
    same as Django's (a test compares them); only single choices without groups are supported.
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if key in chosen else "", label)
                for key, label in ((str(v), label) for v, label in self.choices)
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


class ListFilterForm(forms.Form):
    q = HumanTextField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Waybill number, customer reference or the consignee's phone number."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, widget=ListSelect)
    service_level = forms.ChoiceField(label=_("Service"), required=False, widget=ListSelect)
    province = forms.TypedChoiceField(
        label=_("Destination province"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=ListSelect,
    )
    created_from = forms.DateField(label=_("Created from"), required=False, widget=DateInput())
    created_to = forms.DateField(label=_("Created until"), required=False, widget=DateInput())
    vehicle = forms.TypedChoiceField(
        label=_("Vehicle"), required=False, coerce=int, empty_value=None, widget=ListSelect
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, widget=ListSelect)
    page = forms.IntegerField(required=False, min_value=1, max_value=PAGE_MAX)
    # Where the page starts: the cursor of the row before it (next) or after it (previous).
    # Opaque ASCII tokens, but read through the text layer like every other field (a control
    # character is a field error, not a cursor).
    after = CodeField(required=False, max_length=CURSOR_MAX)
    before = CodeField(required=False, max_length=CURSOR_MAX)

    def __init__(
        self,
        *args: Any,
        sorts: list[tuple[str, Any]] | None = None,
        vehicles: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if vehicles is None:
            del self.fields["vehicle"]  # orders are not carried; shipments are (ADR 0057)
        else:
            self.fields["vehicle"].choices = [("", _("Any vehicle")), *vehicles]  # type: ignore[attr-defined]
        sorts = SHIPMENT_SORT_CHOICES if sorts is None else sorts
        self.fields["status"].choices = [("", _("Any status")), *ShipmentStatus.choices]  # type: ignore[attr-defined]
        self.fields["service_level"].choices = [("", _("Any service")), *ServiceLevel.choices]  # type: ignore[attr-defined]
        self.fields["province"].choices = [("", _("Any province")), *province_choices()]  # type: ignore[attr-defined]
        self.fields["sort"].choices = sorts  # type: ignore[attr-defined]

    def _clean(self) -> dict[str, Any]:
        """The cleaned values; an invalid field counts as not given (its error is shown)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}

    def _common(self) -> dict[str, Any]:
        data = self._clean()
        start, end = data.get("created_from"), data.get("created_to")
        return {
            "q": data.get("q") or None,
            "status": (data["status"],) if data.get("status") else (),
            "service_level": data.get("service_level") or None,
            "province_code": data.get("province"),
            # The first and last days a date can name bound nothing (and their limits in UTC
            # are out of range: "created until 9999-12-31" was a 500).
            "created_from": day_start(start) if start and start > date.min else None,
            "created_to": day_start(end + timedelta(days=1)) if end and end < date.max else None,
        }

    @property
    def page_number(self) -> int:
        data = self._clean()
        if any(name in self.errors for name in ("after", "before")):
            return 1  # a cursor that cannot be one: the first page, as pagination does
        return int(data.get("page") or 1)

    @property
    def page_cursors(self) -> dict[str, str | None]:
        """``after`` and ``before`` as ``shipments_page``/``orders_page`` take them."""
        data = self._clean()
        return {"after": data.get("after") or None, "before": data.get("before") or None}

    def shipment_filters(self) -> selectors.ShipmentFilters:
        data = self._clean()
        sort = data.get("sort") or "-created_at"
        return selectors.ShipmentFilters(
            **self._common(),
            sort=sort,  # type: ignore[arg-type]
            vehicle_id=data.get("vehicle"),
        )

    def order_filters(self) -> selectors.OrderFilters:
        sort = self._clean().get("sort") or "-created_at"
        return selectors.OrderFilters(**self._common(), sort=sort)  # type: ignore[arg-type]
