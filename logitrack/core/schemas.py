"""API schema types of the normalisation layer (ADR 0017).

Every ``str`` field of a request schema is one of these ``Annotated`` types;
``logitrack.core.tests.test_text_layer_coverage`` fails otherwise. They run before pydantic's own
constraints, so ``Field(max_length=...)`` and ``min_length`` see the stored form. A refusal is a
pydantic error whose ``type`` is the layer's stable code (``HumanText``, ``MultilineText`` and
``Code`` also refuse a payment card number: ``text_payment_card``, docs/adr/0027); the API
envelope answers 422 with ``fields: [{"field", "code", "message"}]``.

- ``HumanText``: names, addresses, labels, choice values (``human_text``);
- ``MultilineText``: the same, keeping line breaks;
- ``Code``: tax codes, phone numbers, numeric ids (``code``: ASCII digits);
- ``EmailText``: hazards refused, then the one canonical form of ``core.identity``;
- ``OpaqueText``: tokens compared as sent (hazards refused, surrounding spaces dropped);
- ``SecretText``: passwords, passed through unchanged (declared, so that no field is forgotten).

Every API date and time field is ``IsoDate`` or ``IsoDateTime``: only the text forms its OpenAPI
``format`` promises are read (pydantic's lax mode would read ``0.5`` or ``1700000000`` as a Unix
timestamp, which the schema forbids).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from pydantic import AfterValidator, AwareDatetime, GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

from logitrack.core.identity import canonical_email
from logitrack.core.text import TextRefused, code, human_text, opaque_text

TextKind = Literal["human", "multiline", "code", "email", "opaque", "secret"]


def _multiline(value: str) -> str:
    return human_text(value, multiline=True)


def _unchanged(value: str) -> str:
    return value


def _email(value: str) -> str:
    """Hazards refused with the layer's codes, then the one canonical form (docs/adr/0011)."""
    text = opaque_text(value)
    try:
        return canonical_email(text)
    except ValidationError as exc:
        raise TextRefused(exc.code or "email_invalid", str(exc.messages[0])) from exc


_RULES: dict[str, Callable[[str], str]] = {
    "human": human_text,
    "multiline": _multiline,
    "code": code,
    "email": _email,
    "opaque": opaque_text,
    "secret": _unchanged,
}


@dataclass(frozen=True)
class TextRule:
    """Annotated metadata: run the layer's rule ``kind`` on a str before pydantic validates it."""

    kind: TextKind

    def apply(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value  # pydantic's own str validation answers with its error
        try:
            return _RULES[self.kind](value)
        except TextRefused as exc:
            raise PydanticCustomError(exc.code, exc.message) from exc

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.apply, handler(source))


HumanText = Annotated[str, TextRule("human")]
MultilineText = Annotated[str, TextRule("multiline")]
Code = Annotated[str, TextRule("code")]
EmailText = Annotated[str, TextRule("email")]
OpaqueText = Annotated[str, TextRule("opaque")]
SecretText = Annotated[str, TextRule("secret")]


# RFC 3339 section 5.6 ``full-date`` and ``date-time`` (the OpenAPI ``date`` and ``date-time``
# formats): a date-time needs its offset, so no time is read in an unstated zone.
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})\Z", re.ASCII
)


@dataclass(frozen=True)
class IsoForm:
    """Annotated metadata: a date or date-time is only its RFC 3339 text (or the Python value).

    Refused with pydantic's own ``date_type`` / ``datetime_type`` error: numbers (Unix
    timestamps to lax pydantic), a date where a date-time is due, a date-time without offset.
    """

    kind: Literal["date", "datetime"]

    def apply(self, value: Any) -> Any:
        python_type = datetime if self.kind == "datetime" else date
        if isinstance(value, python_type) and (self.kind == "datetime" or type(value) is date):
            return value
        pattern = _DATE_TIME if self.kind == "datetime" else _FULL_DATE
        if isinstance(value, str) and pattern.match(value):
            return value
        raise PydanticCustomError(
            f"{self.kind}_type",
            "Input should be an RFC 3339 {form}",
            {"form": "date-time with offset" if self.kind == "datetime" else "full-date"},
        )

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.apply, handler(source))


def _utc_representable(value: datetime) -> datetime:
    """An aware date-time whose UTC instant is in years 1-9999: ``0001-01-01T00:00:00+14:00``
    is RFC 3339 but lies before year 1 in UTC, where the database adapters (SQLite's
    ``make_naive``) raise OverflowError. Refused as a validation error instead of a 500."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError(
            "datetime_range", "Input should be a date-time between years 1 and 9999 in UTC"
        ) from None
    return value


IsoDate = Annotated[date, IsoForm("date")]
IsoDateTime = Annotated[AwareDatetime, IsoForm("datetime"), AfterValidator(_utc_representable)]
