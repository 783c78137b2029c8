"""Date and date-time fields render the HTML value formats (yyyy-mm-dd, yyyy-mm-ddThh:mm)
whatever the page's language: in Vietnamese, Django's localised ``25/11/2026`` made browsers
show the field empty and send it empty (the daily report answered 422 to its own form). One
case per form that has such a field."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.utils import translation

DAY = dt.date(2026, 11, 25)
MOMENT = dt.datetime(2026, 11, 25, 9, 5)  # noqa: DTZ001 - a form's naive local value

FIELDS = [
    ("logitrack.tenancy.forms", "PersonFieldsMixin", "date_of_birth", DAY, "2026-11-25"),
    ("logitrack.accounts.forms", "ProfileForm", "date_of_birth", DAY, "2026-11-25"),
    ("logitrack.logistics.views.filters", "ListFilterForm", "created_from", DAY, "2026-11-25"),
    ("logitrack.logistics.views.filters", "ListFilterForm", "created_to", DAY, "2026-11-25"),
    ("logitrack.tracking.views.reports", "ReportForm", "start", DAY, "2026-11-25"),
    ("logitrack.tracking.views.reports", "ReportForm", "end", DAY, "2026-11-25"),
    ("logitrack.privacy.breaches.forms", "DisclosureForm", "disclosed_at", MOMENT,
     "2026-11-25T09:05"),
    ("logitrack.privacy.breaches.forms", "BreachForm", "discovered_at", MOMENT,
     "2026-11-25T09:05"),
    ("logitrack.privacy.breaches.forms", "BreachForm", "occurred_from", MOMENT,
     "2026-11-25T09:05"),
    ("logitrack.privacy.breaches.forms", "BreachForm", "occurred_until", MOMENT,
     "2026-11-25T09:05"),
    ("logitrack.privacy.breaches.forms", "ReportedForm", "reported_at", MOMENT,
     "2026-11-25T09:05"),
]  # fmt: skip


@pytest.mark.parametrize("case", FIELDS, ids=[f"{form}.{field}" for _, form, field, *_ in FIELDS])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_date_field_renders_the_html_format_in_every_language(
    case: tuple[str, str, str, object, str], language: str
) -> None:
    module, form, field, value, shown = case
    widget = getattr(importlib.import_module(module), form).base_fields[field].widget

    with translation.override(language):
        html = widget.render(field, value)

    assert f'value="{shown}"' in html
    assert 'type="date' in html
