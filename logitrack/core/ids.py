"""Integer ids from the outside world, bounded before they reach the database.

Every id Logitrack hands out (a ``BigAutoField`` primary key) and every numeric reference code
(province and ward codes) fits a 64-bit signed integer, the widest integer SQLite stores and
PostgreSQL's ``bigint``. Python's ``int`` has no bound, so an unchecked 20-digit id from a URL,
a JSON body or a form overflows the database driver (``OverflowError`` on SQLite: a 500). Input
is therefore checked here, once, in the three shapes it arrives in:

- ``Id``: the pydantic type of every id in an API path, query or body (422 ``validation_error``;
  the bounds are published in the OpenAPI document as ``minimum`` and ``maximum``);
- ``IdField``: the form field of every id posted to a page (a translated field error);
- ``IdConverter``: the ``<id:...>`` URL converter of pages (an out-of-range id matches no URL: 404).

Ids start at 1, so 0 and negative numbers are refused too.
"""

from __future__ import annotations

from typing import Annotated

from django import forms
from pydantic import Field

ID_MIN = 1
ID_MAX = 2**63 - 1  # 9223372036854775807: SQLite INTEGER and PostgreSQL bigint

Id = Annotated[int, Field(ge=ID_MIN, le=ID_MAX)]


class IdField(forms.IntegerField):
    """A form field for an id: a whole number from ``ID_MIN`` to ``ID_MAX``."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("min_value", ID_MIN)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)  # type: ignore[arg-type]


class IdConverter:
    """``<id:name>`` in a page's URL: 1 to 19 ASCII digits whose value is at most ``ID_MAX``.

    ``to_python`` raising ValueError makes Django treat the URL as not matching (404), which is
    how an id that cannot exist is answered.
    """

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not ID_MIN <= number <= ID_MAX:
            raise ValueError(f"id out of range: {value}")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
