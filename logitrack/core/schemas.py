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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from pydantic import GetCoreSchemaHandler
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
