"""Dates and times read the way each language writes them, never the US month-first way."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

MOMENT = datetime(2026, 11, 29, 14, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("vi", "DATE_FORMAT", "29/11/2026"),
        ("vi", "SHORT_DATE_FORMAT", "29/11/2026"),
        ("vi", "DATETIME_FORMAT", "29/11/2026 14:05"),
        ("vi", "SHORT_DATETIME_FORMAT", "29/11/2026 14:05"),
        ("vi", "TIME_FORMAT", "14:05"),
        ("en", "DATE_FORMAT", "29 Nov 2026"),
        ("en", "SHORT_DATE_FORMAT", "29 Nov 2026"),
        ("en", "DATETIME_FORMAT", "29 Nov 2026 14:05"),
        ("en", "SHORT_DATETIME_FORMAT", "29 Nov 2026 14:05"),
        ("en", "TIME_FORMAT", "14:05"),
    ],
)
def test_each_language_formats_dates_and_times_its_own_way(
    language: str, name: str, expected: str
) -> None:
    with translation.override(language):
        assert formats.date_format(MOMENT, name) == expected


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_template_date_filter_uses_the_24_hour_clock(language: str) -> None:
    template = Template('{{ moment|date:"SHORT_DATETIME_FORMAT" }}')
    with translation.override(language):
        rendered = template.render(Context({"moment": MOMENT}))
    assert "14:05" in rendered
    assert "p.m." not in rendered


def test_a_vietnamese_reader_can_type_a_day_first_date() -> None:
    field = forms.DateField(localize=True)
    with translation.override("vi"):
        assert field.clean("03/04/2026") == date(2026, 4, 3)
        assert field.clean("2026-04-03") == date(2026, 4, 3)


def test_an_english_reader_is_never_read_month_first() -> None:
    field = forms.DateField(localize=True)
    with translation.override("en"):
        assert field.clean("03/04/2026") == date(2026, 4, 3)
        with pytest.raises(forms.ValidationError):
            field.clean("11/29/2026")
