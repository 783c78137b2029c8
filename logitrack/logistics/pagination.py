"""Keyset pagination for long lists: a page is the rows after the last row of the previous one.

The cursor is opaque to clients: base64url (no padding) of ``"<sort>|<ISO 8601 value>|<id>"``.
A position found by the index costs the same on page 1 and page 10,000, where OFFSET would read
and drop every earlier row. A cursor that does not decode, or was made for another sort, is
refused (``CursorInvalid``), never half-used.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from logitrack.core.ids import ID_MAX
from logitrack.logistics.errors import LogisticsError

M = TypeVar("M", bound=Model)
CURSOR_MAX = 200
LIMIT_DEFAULT = 50
LIMIT_MAX = 200


class CursorInvalid(LogisticsError):
    code = "cursor_invalid"
    message = _("This page link is no longer valid; start from the first page.")
    field = "cursor"


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    next_cursor: str | None


def _encode(sort: str, value: datetime, pk: int) -> str:
    raw = f"{sort}|{value.isoformat()}|{pk}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode(cursor: str, sort: str) -> tuple[datetime, int]:
    if len(cursor) > CURSOR_MAX:
        raise CursorInvalid()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        made_for, value, pk_text = raw.split("|")
        moment = datetime.fromisoformat(value)
        pk = int(pk_text)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise CursorInvalid() from exc
    if made_for != sort or moment.tzinfo is None or not 1 <= pk <= ID_MAX:
        raise CursorInvalid()
    return moment, pk


def page_of(rows: QuerySet[M], *, sort: str, cursor: str | None, limit: int) -> Page:
    """One page of ``rows`` (already ordered by ``sort`` then id, same direction).

    ``sort``: a datetime field name, ``-`` first for newest first. ``limit``: 1-``LIMIT_MAX``.
    """
    field = sort.lstrip("-")
    descending = sort.startswith("-")
    if cursor:
        moment, pk = _decode(cursor, sort)
        op = "lt" if descending else "gt"
        # "(field, id) after (moment, pk)" as two index ranges rather than one OR: SQLite's
        # planner may answer an OR by a union of two indexes and a sort of a million rows.
        # Rows that share the moment come first, then the rows strictly after it.
        same = rows.filter(**{field: moment, f"pk__{op}": pk})
        found = list(same[: limit + 1])
        if len(found) <= limit:
            after = rows.filter(**{f"{field}__{op}": moment})
            found += list(after[: limit + 1 - len(found)])
    else:
        found = list(rows[: limit + 1])
    following = None
    if len(found) > limit:
        found = found[:limit]
        last = found[-1]
        following = _encode(sort, getattr(last, field), int(last.pk))
    return Page(rows=found, next_cursor=following)
