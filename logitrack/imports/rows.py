"""From a read sheet and a column mapping to typed order rows and a per-row report.

:func:`locate_header` finds the header row and guesses the mapping; :func:`parse_rows` reads every
row below it into an :class:`OrderRow` or into report issues (``logitrack.imports.report``). Pure:
no database, no address look-up (the job resolves addresses, cached, after this step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from logitrack.core.identity import canonical_email
from logitrack.imports import cells
from logitrack.imports.columns import (
    FIELDS_BY_KEY,
    find_header_row,
    guess_mapping,
)
from logitrack.imports.reading import Cell, Sheet, SheetRefused, iter_cells_as_text
from logitrack.imports.report import Issue, issue

DEFAULT_COD_CAP = 100_000_000  # VND; the job passes logistics.limits.cod_cap_vnd()


@dataclass
class OrderRow:
    """One order as read from a row; money in whole VND, weight in grams, phone in E.164."""

    row: int
    consignee_name: str
    consignee_phone: str
    address: str
    weight_grams: int
    reference: str = ""
    consignee_email: str = ""
    province: str = ""
    district: str = ""
    commune: str = ""
    cod_amount: int = 0
    declared_value: int = 0
    item_description: str = ""
    quantity: int = 1
    service_level: str = "standard"
    notes: str = ""


@dataclass
class HeaderFound:
    """The header row: its index into ``Sheet.rows``, its row number, texts and guessed mapping."""

    index: int
    row: int
    headers: list[str]
    mapping: list[str]


@dataclass
class ParseResult:
    rows: list[OrderRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    refused_rows: set[int] = field(default_factory=set)
    total: int = 0


def locate_header(sheet: Sheet) -> HeaderFound:
    """The header row of ``sheet`` and the mapping guessed from its names.

    Raises SheetRefused(``header_not_found``) when no row among the first 30 names at least two
    order fields.
    """
    texts = [(number, [cells.cell_text(c).strip() for c in row]) for number, row in sheet.rows]
    index = find_header_row(texts)
    if index is None:
        raise SheetRefused(
            "header_not_found",
            gettext(
                "No header row was found: one of the first rows must name the columns, e.g. "
                "“Họ tên người nhận”, “Số điện thoại”, “Địa chỉ”."
            ),
        )
    number, headers = texts[index]
    # Trailing columns without a name carry no field.
    while headers and not headers[-1]:
        headers.pop()
    return HeaderFound(index, number, headers, guess_mapping(headers))


def _cell(row: Sequence[Cell], column: int) -> Cell:
    return row[column] if column < len(row) else None


def _read_row(
    number: int,
    row: Sequence[Cell],
    columns: dict[str, int],
    headers: Sequence[str],
    cod_cap: int,
) -> tuple[OrderRow | None, list[Issue]]:
    issues: list[Issue] = []
    values: dict[str, object] = {}

    def read(key: str, parse: object) -> None:
        if key not in columns:
            return
        column = columns[key]
        try:
            values[key] = parse(_cell(row, column))  # type: ignore[operator]
        except cells.CellError as exc:
            issues.append(issue(number, headers[column], exc.code, **exc.params))

    read("reference", lambda c: cells.text(c, max_length=64))
    read("consignee_name", lambda c: cells.text(c, max_length=200))
    read("consignee_phone", cells.phone)
    read("address", lambda c: cells.text(c, max_length=500))
    read("province", lambda c: cells.text(c, max_length=100))
    read("district", lambda c: cells.text(c, max_length=100))
    read("commune", lambda c: cells.text(c, max_length=100))
    read("weight_grams", cells.weight_grams)
    read("weight_kg", lambda c: cells.weight_grams(c, unit_kg=True))
    read("cod_amount", lambda c: cells.money(c, maximum=cod_cap))
    read("declared_value", cells.money)
    read("item_description", lambda c: cells.text(c, max_length=500))
    read("quantity", cells.quantity)
    read("service_level", cells.service_level)
    read("notes", lambda c: cells.text(c, multiline=True, max_length=1000))
    read("consignee_email", lambda c: cells.text(c, max_length=254))
    email = values.get("consignee_email")
    if isinstance(email, str) and email:
        try:
            values["consignee_email"] = canonical_email(email)
        except ValidationError:
            issues.append(issue(number, headers[columns["consignee_email"]], "email_invalid"))
    if values.get("weight_grams") is None and values.get("weight_kg") is not None:
        values["weight_grams"] = values["weight_kg"]
    values.pop("weight_kg", None)
    for key in ("consignee_name", "consignee_phone", "address", "weight_grams"):
        if values.get(key) in (None, "") and not any(
            i["column"] == headers[columns[key]] for i in issues if key in columns
        ):
            column = columns.get(key)
            if key == "weight_grams" and column is None:
                column = columns.get("weight_kg")
            issues.append(issue(number, headers[column] if column is not None else "", "required"))
    if issues:
        return None, issues
    clean = {k: v for k, v in values.items() if v is not None}
    return OrderRow(row=number, **clean), []  # type: ignore[arg-type]


def parse_rows(
    sheet: Sheet,
    header: HeaderFound,
    mapping: Sequence[str],
    *,
    cod_cap: int = DEFAULT_COD_CAP,
) -> ParseResult:
    """Every row below the header read with ``mapping``: order rows and the report.

    A row is refused (no OrderRow) when any mapped cell is invalid, a required field is blank,
    any cell (mapped or not) holds a payment card number (``card_number``, with no digit
    of it), or its reference repeats an earlier row's (``duplicate_reference``). Rows above the
    header are checked for card numbers too (reported against their own row numbers).
    """
    headers = list(header.headers)
    columns: dict[str, int] = {}
    for column, key in enumerate(mapping):
        if key in FIELDS_BY_KEY and key not in columns and column < len(headers):
            columns[key] = column
    result = ParseResult()
    seen_references: dict[str, int] = {}
    for position, (number, row) in enumerate(sheet.rows):
        card_issues = [
            issue(number, headers[col] if col < len(headers) else "", "card_number")
            for col, cell in enumerate(row)
            if cells.holds_card_number(cell)
        ]
        if position <= header.index:
            result.issues.extend(card_issues)
            continue
        result.total += 1
        order, issues = _read_row(number, row, columns, headers, cod_cap)
        carded = {item["column"] for item in card_issues}
        issues = card_issues + [
            i for i in issues if not (i["code"] == "card_number" and i["column"] in carded)
        ]
        if order is not None and order.reference:
            other = seen_references.get(order.reference)
            if other is not None:
                issues.append(
                    issue(
                        number,
                        headers[columns["reference"]],
                        "duplicate_reference",
                        other_row=other,
                    )
                )
            else:
                seen_references[order.reference] = number
        if issues:
            result.issues.extend(issues)
            result.refused_rows.add(number)
        elif order is not None:
            result.rows.append(order)
    return result


def column_letter(column: int) -> str:
    """The spreadsheet name of a 0-based column: 0 -> ``A``, 25 -> ``Z``, 26 -> ``AA``."""
    name = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


@dataclass
class CardCells:
    """Where a sheet holds payment card numbers: never the digits, only row and column."""

    in_header: list[str] = field(default_factory=list)  # column letters of the header row
    issues: list[Issue] = field(default_factory=list)  # every other cell, against its row


def find_card_cells(sheet: Sheet, header: HeaderFound) -> CardCells:
    """Every cell of ``sheet`` (header row, rows above and below it) holding a card number
    (``cells.holds_card_number``). A cell of the header row is named by its column letter, since
    its text is the card; other cells by their header name when it has one, else the letter.
    """
    found = CardCells()
    headers = header.headers
    for position, (number, row) in enumerate(sheet.rows):
        for column, cell in enumerate(row):
            if not cells.holds_card_number(cell):
                continue
            if position == header.index:
                found.in_header.append(column_letter(column))
                continue
            name = headers[column] if column < len(headers) and headers[column] else ""
            found.issues.append(issue(number, name or column_letter(column), "card_number"))
    return found


def header_texts(sheet: Sheet, index: int) -> list[str]:
    """The header row's cells as text (for a mapping page)."""
    return list(iter_cells_as_text(sheet.rows[index][1]))
