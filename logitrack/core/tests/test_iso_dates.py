"""IsoDate / IsoDateTime: only the RFC 3339 text the OpenAPI ``format`` promises is read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from logitrack.core.schemas import IsoDate, IsoDateTime

DATE = TypeAdapter(IsoDate)
DATE_TIME = TypeAdapter(IsoDateTime)


def test_an_rfc_3339_date_time_with_offset_is_read() -> None:
    assert DATE_TIME.validate_python("2026-11-29T08:30:00+07:00") == datetime(
        2026, 11, 29, 1, 30, tzinfo=UTC
    )
    assert DATE_TIME.validate_json('"2026-11-29T01:30:00Z"') == datetime(
        2026, 11, 29, 1, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "value", [0.5, 1700000000, "0.5", "1700000000", "2026-11-29", "2026-11-29T01:30:00", True]
)
def test_a_date_time_that_is_a_number_a_date_or_without_offset_is_refused(value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        DATE_TIME.validate_python(value)

    assert [error["type"] for error in refused.value.errors()] == ["datetime_type"]


def test_an_rfc_3339_full_date_is_read() -> None:
    assert DATE.validate_python("1990-02-28") == date(1990, 2, 28)


@pytest.mark.parametrize("value", [0, 0.5, "0", "19900228", "1990-02-28T00:00:00Z", False])
def test_a_date_that_is_a_number_or_a_date_time_is_refused(value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        DATE.validate_python(value)

    assert [error["type"] for error in refused.value.errors()] == ["date_type"]


def test_the_openapi_formats_stay_date_and_date_time() -> None:
    assert DATE.json_schema() == {"format": "date", "type": "string"}
    assert DATE_TIME.json_schema() == {"format": "date-time", "type": "string"}
