"""Keyset pagination for long lists: a page is the rows after the last row of the previous one.

The cursor is opaque to clients: base64url (no padding) of ``"<sort>|<ISO 8601 value>|<id>"``.
A position found by the index costs the same on page 1 and page 10,000, where OFFSET would read
and drop every earlier row. A cursor that does not decode, or was made for another sort, is
refused (``CursorInvalid``), never half-used.

Rows are read in two steps (``fetch``): the ids of the slice first, in list order, then the rows
of those ids. The first read needs only the columns of the list's index, so it is answered from
the index alone (an index-only scan on PostgreSQL, a covering index on SQLite) however many
entries it passes: an OFFSET or a sorted date range no longer reads every row it drops. The
second reads at most a page by primary key (ADR 0046).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
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
        # In UTC, as the database compares it: a forged "0001-01-01T00:00+14:00" or
        # "9999-12-31T23:59-14:00" has no UTC time (OverflowError, a 500 before).
        utc = moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError, binascii.Error, UnicodeDecodeError) as exc:
        raise CursorInvalid() from exc
    if made_for != sort or utc is None or not 1 <= pk <= ID_MAX:
        raise CursorInvalid()
    return utc, pk


def _ids(rows: QuerySet[M], start: int, stop: int) -> list[Any]:
    return list(rows.values_list("pk", flat=True)[start:stop])


def _load(rows: QuerySet[M], ids: list[Any]) -> list[M]:
    """The rows of ``ids``, in the order of ``ids``: one query by primary key (none if empty)."""
    if not ids:
        return []
    # No ORDER BY: the planner has no reason to walk a sorted index instead of the ids.
    found = {row.pk: row for row in rows.order_by().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def fetch(rows: QuerySet[M], start: int, stop: int) -> list[M]:
    """``rows[start:stop]``, read as ids first and then the rows of those ids."""
    return _load(rows, _ids(rows, start, stop))


def _after_ids(rows: QuerySet[M], *, sort: str, moment: datetime, pk: int, limit: int) -> list[Any]:
    field = sort.lstrip("-")
    op = "lt" if sort.startswith("-") else "gt"
    # "(field, id) after (moment, pk)" as two index ranges rather than one OR: SQLite's
    # planner may answer an OR by a union of two indexes and a sort of a million rows.
    # Rows that share the moment come first, then the rows strictly after it.
    same = rows.filter(**{field: moment, f"pk__{op}": pk})
    found = _ids(same, 0, limit)
    if len(found) < limit:
        after = rows.filter(**{f"{field}__{op}": moment})
        found += _ids(after, 0, limit - len(found))
    return found


def _after(rows: QuerySet[M], *, sort: str, moment: datetime, pk: int, limit: int) -> list[M]:
    """Up to ``limit`` rows of ``rows`` (ordered by ``sort`` then id) after ``(moment, pk)``."""
    return _load(rows, _after_ids(rows, sort=sort, moment=moment, pk=pk, limit=limit))


def cursor_of(sort: str, row: Any) -> str:
    """The cursor that names ``row``'s place in a list sorted by ``sort``."""
    return _encode(sort, getattr(row, sort.lstrip("-")), int(row.pk))


def page_of(rows: QuerySet[M], *, sort: str, cursor: str | None, limit: int) -> Page:
    """One page of ``rows`` (already ordered by ``sort`` then id, same direction).

    ``sort``: a datetime field name, ``-`` first for newest first. ``limit``: 1-``LIMIT_MAX``.
    """
    if cursor:
        moment, pk = _decode(cursor, sort)
        found = _after(rows, sort=sort, moment=moment, pk=pk, limit=limit + 1)
    else:
        found = fetch(rows, 0, limit + 1)
    following = None
    if len(found) > limit:
        found = found[:limit]
        following = cursor_of(sort, found[-1])
    return Page(rows=found, next_cursor=following)


def any_after(rows: QuerySet[M], *, sort: str, row: Any) -> bool:
    """Whether ``rows`` (ordered by ``sort`` then id) hold a row after ``row``: one index probe."""
    moment, pk = getattr(row, sort.lstrip("-")), int(row.pk)
    return bool(_after_ids(rows, sort=sort, moment=moment, pk=pk, limit=1))


def page_before(rows: QuerySet[M], *, sort: str, cursor: str, limit: int) -> tuple[list[M], bool]:
    """The ``limit`` rows just before the row ``cursor`` names, in ``sort`` order, and whether
    rows remain before them: the same index ranges walked the other way (``rows`` reversed).

    Raises ``CursorInvalid`` like ``page_of``.
    """
    moment, pk = _decode(cursor, sort)
    backwards = sort[1:] if sort.startswith("-") else f"-{sort}"
    found = _after(rows.reverse(), sort=backwards, moment=moment, pk=pk, limit=limit + 1)
    more = len(found) > limit
    return list(reversed(found[:limit])), more
