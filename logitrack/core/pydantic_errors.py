"""Pydantic's refusals in the reader's language.

pydantic writes its built-in messages in English only ("Field required", "Input should be
greater than 0"); every place that shows one to a person or a partner (the API's 422 envelope,
the order form, the import report) takes its text from ``error_message`` instead, so a
Vietnamese reader never gets half a sentence in English. The stable code stays pydantic's
``type`` (or the normalisation layer's own code), unchanged.

- A refusal of our own (``PydanticCustomError`` with a translated message: the text layer, phone
  numbers) keeps its message.
- A built-in type listed in ``_MESSAGES`` gets its translated sentence, with the limits that
  pydantic reports in ``ctx`` (``ge``, ``max_length``, ``expected`` ...).
- Any other built-in type, and ``value_error`` / ``assertion_error`` (whose text is a developer's
  ``ValueError`` message, never meant for a reader), gets a translated "This value is not valid."

Source of the type names: pydantic-core's ``ErrorType`` (``pydantic_core.core_schema``), the list
documented at https://docs.pydantic.dev/latest/errors/validation_errors/.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pydantic_core.core_schema import ErrorType

BUILT_IN_TYPES: frozenset[str] = frozenset(get_args(ErrorType))

_WHOLE_NUMBER = _("Enter a whole number.")
_NUMBER = _("Enter a number.")
_DATE = _("Enter a date as YYYY-MM-DD.")
_DATE_TIME = _("Enter a date and time in ISO 8601 with its offset, e.g. 2025-07-01T08:30:00+07:00.")

_MESSAGES: dict[str, Promise] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not accepted here."),
    "greater_than": _("Enter a value greater than %(gt)s."),
    "greater_than_equal": _("Enter a value of at least %(ge)s."),
    "less_than": _("Enter a value less than %(lt)s."),
    "less_than_equal": _("Enter a value of at most %(le)s."),
    "multiple_of": _("Enter a multiple of %(multiple_of)s."),
    "string_too_short": _("Enter at least %(min_length)s characters."),
    "string_too_long": _("Enter at most %(max_length)s characters."),
    "too_short": _("Give at least %(min_length)s items."),
    "too_long": _("Give at most %(max_length)s items."),
    "string_pattern_mismatch": _("This value does not have the expected form."),
    "literal_error": _("Choose one of: %(expected)s."),
    "enum": _("Choose one of: %(expected)s."),
    "int_parsing": _WHOLE_NUMBER,
    "int_type": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "int_parsing_size": _WHOLE_NUMBER,
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "finite_number": _NUMBER,
    "decimal_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "bool_parsing": _("Enter true or false."),
    "bool_type": _("Enter true or false."),
    "string_type": _("Enter text."),
    "string_unicode": _("Enter text."),
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "datetime_parsing": _DATE_TIME,
    "datetime_type": _DATE_TIME,
    "datetime_from_date_parsing": _DATE_TIME,
    "timezone_aware": _DATE_TIME,
    "date_past": _("Enter a date in the past."),
    "date_future": _("Enter a date in the future."),
    "dict_type": _("Send an object."),
    "model_type": _("Send an object."),
    "model_attributes_type": _("Send an object."),
    "list_type": _("Send a list."),
    "json_invalid": _("This is not valid JSON."),
    "json_type": _("This is not valid JSON."),
    "uuid_parsing": _("Enter a valid UUID."),
    "uuid_type": _("Enter a valid UUID."),
    "url_parsing": _("Enter a valid URL."),
    "url_type": _("Enter a valid URL."),
    "url_scheme": _("Enter a valid URL."),
}
_INVALID = _("This value is not valid.")


def _expected(ctx: Mapping[str, Any]) -> str:
    # pydantic joins the choices in English ("'a5', 'a6' or '80x80'"); a plain list reads in both.
    return str(ctx.get("expected", "")).replace(" or ", ", ")


def error_message(error: Mapping[str, Any]) -> str:
    """The reader's-language message of one item of ``ValidationError.errors()``.

    ``error`` is pydantic's dict (``type``, ``msg``, ``ctx`` ...); the answer is a sentence in
    the active language, never pydantic's English.
    """
    kind = str(error.get("type", ""))
    if kind not in BUILT_IN_TYPES:
        return str(error.get("msg", "")) or str(_INVALID)
    template = _MESSAGES.get(kind)
    if template is None:
        return str(_INVALID)
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    ctx["expected"] = _expected(ctx)
    try:
        return str(template) % ctx
    except (KeyError, TypeError, ValueError):
        return str(_INVALID)
