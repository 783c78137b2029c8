"""Reading one spreadsheet cell as an order value: text, phone, money, weight, quantity, service.

Each parser takes a cell as :mod:`logitrack.imports.reading` gives it (``str`` from CSV; ``str``,
``int``, ``float``, ``bool``, dates or ``None`` from XLSX) and returns the stored form, or raises
:class:`CellError` with a stable ``code`` (messages: ``logitrack.imports.report``). A parser
never puts the cell's content in its error.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

import phonenumbers

from logitrack.core.crypto.canonical import remember_e164
from logitrack.core.text import PAYMENT_CARD, TextRefused, code, holds_no_card, human_text
from logitrack.imports.columns import header_key
from logitrack.imports.reading import Cell

PHONE_REGION = "VN"


class CellError(ValueError):
    """A cell that cannot be read as its field; ``code`` is stable, ``params`` are safe to show."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def cell_text(cell: Cell) -> str:
    """The cell as a person sees it, before the text layer: whole floats without ``.0``."""
    if type(cell) is str:
        # Every CSV cell and most XLSX cells: returned as the last line would, without the
        # isinstance chain (the import reads each cell several times).
        return cell
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date | dt.time):
        return cell.isoformat()
    return str(cell)


def text(cell: Cell, *, multiline: bool = False, max_length: int = 255) -> str:
    """Human text through ``core.text.human_text`` (NFC: cp1258's combining marks composed).

    ``""`` for a blank cell. Codes: the text layer's (``text_control_character`` ...),
    ``card_number`` (the layer's ``text_payment_card``), ``text_too_long``.
    """
    try:
        value = human_text(cell_text(cell), multiline=multiline)
    except TextRefused as exc:
        raise CellError("card_number" if exc.code == PAYMENT_CARD else exc.code) from exc
    if len(value) > max_length:
        raise CellError("text_too_long", max_length=max_length)
    return value


# Vietnamese mobile numbers, the bulk of an order sheet, answered without a full
# ``phonenumbers.parse``: the patterns are the library's own VN metadata (general description and
# mobile numbers), so a library update moves both paths together. A candidate the fast path is
# not certain of goes to ``phonenumbers`` as before; a test compares both paths on every
# four-digit prefix (the patterns look no further) in each accepted shape.
def _vn_descriptions() -> tuple[int, str, str, frozenset[int]]:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(PHONE_REGION)
    general = metadata.general_desc if metadata is not None else None
    mobile = metadata.mobile if metadata is not None else None
    if (
        metadata is None
        or metadata.country_code is None
        or general is None
        or mobile is None
        or not general.national_number_pattern
        or not mobile.national_number_pattern
    ):  # pragma: no cover - the library ships VN's metadata
        raise ImportError("phonenumbers has no VN mobile metadata")
    lengths = frozenset(mobile.possible_length) & frozenset(general.possible_length)
    return (
        int(metadata.country_code),
        general.national_number_pattern,
        mobile.national_number_pattern,
        lengths,
    )


_VN_CODE, _VN_GENERAL_PATTERN, _VN_MOBILE_PATTERN, _VN_MOBILE_LENGTHS = _vn_descriptions()
_VN_COUNTRY = f"+{_VN_CODE}"
_VN_GENERAL = re.compile(_VN_GENERAL_PATTERN)
_VN_MOBILE = re.compile(_VN_MOBILE_PATTERN)


def _vn_mobile_e164(candidate: str) -> str | None:
    """The E.164 form of ``candidate`` when it is certainly a valid VN mobile number written as
    ``9XXXXXXXX``, ``09XXXXXXXX`` or ``+849XXXXXXXX`` (ASCII digits, national number without a
    leading 0), else None (not certain: the caller asks ``phonenumbers``)."""
    if candidate.startswith(_VN_COUNTRY):
        national = candidate[len(_VN_COUNTRY) :]
    elif candidate.startswith("0"):
        national = candidate[1:]
    else:
        national = candidate
    if (
        len(national) not in _VN_MOBILE_LENGTHS
        or not national.isascii()
        or not national.isdigit()
        or national.startswith(("0", "84"))
        or _VN_MOBILE.fullmatch(national) is None
        or _VN_GENERAL.fullmatch(national) is None
    ):
        return None
    return _VN_COUNTRY + national


_SCIENTIFIC = re.compile(r"^[0-9]+(?:[.,][0-9]+)?[eE][+]?[0-9]{1,2}$")
_PHONE_DECORATION = re.compile(r"[-.()/]")


def _digits_of_number(cell: Cell) -> str | None:
    """The digits of a phone number that a spreadsheet stored as a number, else None."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and cell > 0 else None
    if isinstance(cell, str) and _SCIENTIFIC.match(cell.strip()):
        # "9.12345678E8": the CSV of a sheet that showed the number in scientific notation.
        number = Decimal(cell.strip().replace(",", "."))
        return str(int(number)) if number == number.to_integral_value() else None
    return None


def phone(cell: Cell) -> str:
    """A Vietnamese (or international, with ``+``) phone number in E.164, e.g. ``+84912345678``.

    Recovers numbers a spreadsheet stored as numbers, which lose the trunk prefix 0:
    ``912345678`` (9 digits: mobile), ``2838123456`` (10 digits: landline 028...),
    ``84912345678`` and ``9.12345678E8``. Candidates are tried in order (as typed; with a leading
    ``0`` for 9-10 digits; with ``+`` for 11-12 digits starting ``84``) and the first that
    ``phonenumbers`` (region VN) calls valid wins (a VN mobile number is answered by
    ``_vn_mobile_e164`` from the same metadata, without a parse). Codes: ``required``,
    ``phone_invalid``.
    """
    digits = _digits_of_number(cell)
    if digits is None:
        try:
            raw = code(cell_text(cell))
        except TextRefused as exc:
            raise CellError(exc.code) from exc
        raw = _PHONE_DECORATION.sub("", raw)
        if not raw:
            raise CellError("required")
        if raw.startswith("+") or raw.startswith("00"):
            candidates = ["+" + raw.lstrip("+").removeprefix("00")]
        elif raw.isdigit():
            digits = raw
            candidates = []
        else:
            raise CellError("phone_invalid")
    if digits is not None:
        candidates = [digits]
        if not digits.startswith("0") and len(digits) in (9, 10):
            candidates.append("0" + digits)
        if digits.startswith("84") and len(digits) in (11, 12):
            candidates.insert(0, "+" + digits)
    return _first_valid(candidates)


def _first_valid(candidates: list[str]) -> str:
    """The E.164 form of the first candidate that is a valid number, else CellError."""
    for candidate in candidates:
        fast = _vn_mobile_e164(candidate)
        if fast is not None:
            remember_e164(fast, fast)
            return fast
        try:
            number = phonenumbers.parse(candidate, PHONE_REGION)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            # Inside an import's e164_memo(), OrderInput and the encrypted field take this
            # E.164 form as it is instead of parsing it twice more.
            remember_e164(formatted, formatted)
            return formatted
    raise CellError("phone_invalid")


_CURRENCY = re.compile(r"(?i)(?:vn[dđ]|đồng|dong|đ|₫|d)\.?$")
_GROUPED_DOT = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+$")
_GROUPED_COMMA = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+$")
_GROUPED_SPACE = re.compile(r"^[0-9]{1,3}(?: [0-9]{3})+$")
_DECIMAL = re.compile(r"^[0-9]+(?:[.,][0-9]{1,2})?$")


def _decimal(cell: Cell, *, grouped: bool) -> Decimal | None:
    """The number in a cell; None when blank. Thousands groups allowed when ``grouped``."""
    if type(cell) is str and cell.isascii() and cell.isdigit():
        # Plain ASCII digits (most weights and quantities): no sign, space, currency or group
        # for the rules below to take off, and only the last rule matches them.
        return Decimal(cell)
    return _decimal_read(cell, grouped=grouped)


def _decimal_read(cell: Cell, *, grouped: bool) -> Decimal | None:
    """:func:`_decimal` by the rules, for every cell."""
    if cell is None or isinstance(cell, bool):
        if cell is None:
            return None
        raise CellError("number_invalid")
    if isinstance(cell, int | float):
        try:
            return Decimal(str(cell))
        except InvalidOperation as exc:  # pragma: no cover - NaN/inf are not cells
            raise CellError("number_invalid") from exc
    if not isinstance(cell, str):
        raise CellError("number_invalid")
    raw = cell.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not raw:
        return None
    negative = raw.startswith("-")
    raw = raw.lstrip("-").strip()
    raw = _CURRENCY.sub("", raw).strip()
    if grouped and _GROUPED_DOT.match(raw):
        raw = raw.replace(".", "")
    elif grouped and _GROUPED_COMMA.match(raw):
        raw = raw.replace(",", "")
    elif grouped and _GROUPED_SPACE.match(raw):
        raw = raw.replace(" ", "")
    elif _DECIMAL.match(raw):
        raw = raw.replace(",", ".")
    else:
        raise CellError("number_invalid")
    value = Decimal(raw)
    return -value if negative else value


def money(cell: Cell, *, maximum: int | None = None) -> int | None:
    """An amount in whole VND (``"1.250.000"``, ``"1,250,000 đ"``, ``1250000.0``); None if blank.

    Vietnamese sheets group thousands with ``.`` and sometimes ``,`` or a space; ``"1.250"`` is
    one thousand two hundred and fifty dong. Codes: ``number_invalid``, ``money_negative``,
    ``money_fraction`` (VND has no minor unit), ``money_above_cap``.
    """
    value = _decimal(cell, grouped=True)
    if value is None:
        return None
    if value < 0:
        raise CellError("money_negative")
    if value != value.to_integral_value():
        raise CellError("money_fraction")
    amount = int(value)
    if maximum is not None and amount > maximum:
        raise CellError("money_above_cap", maximum=maximum)
    return amount


def weight_grams(cell: Cell, *, unit_kg: bool = False, maximum: int = 1_000_000) -> int | None:
    """A weight in whole grams (kg cells times 1,000, rounded up); None if blank.

    Codes: ``number_invalid``, ``weight_not_positive``, ``weight_too_heavy`` (over ``maximum``).
    """
    value = _decimal(cell, grouped=not unit_kg)
    if value is None:
        return None
    if unit_kg:
        value *= 1000
    if value <= 0:
        raise CellError("weight_not_positive")
    grams = int(value.to_integral_value(rounding=ROUND_CEILING))
    if grams > maximum:
        raise CellError("weight_too_heavy", maximum=maximum)
    return grams


def quantity(cell: Cell, *, maximum: int = 100_000) -> int | None:
    """A whole, positive number of items; None if blank. Codes: ``quantity_invalid``."""
    try:
        value = _decimal(cell, grouped=True)
    except CellError as exc:
        raise CellError("quantity_invalid") from exc
    if value is None:
        return None
    if value <= 0 or value != value.to_integral_value() or value > maximum:
        raise CellError("quantity_invalid")
    return int(value)


SERVICE_LEVELS = ("standard", "express", "same_day")
_SERVICE_NAMES = {
    "standard": "standard",
    "tieu chuan": "standard",
    "chuan": "standard",
    "thuong": "standard",
    "giao thuong": "standard",
    "tiet kiem": "standard",
    "express": "express",
    "nhanh": "express",
    "giao nhanh": "express",
    "chuyen phat nhanh": "express",
    "same day": "same_day",
    "same_day": "same_day",
    "hoa toc": "same_day",
    "trong ngay": "same_day",
    "giao trong ngay": "same_day",
}


def service_level(cell: Cell) -> str:
    """``standard`` (also for a blank cell), ``express`` or ``same_day``, from Vietnamese or
    English names ("Nhanh", "Hỏa tốc", "Same day"). Codes: ``service_unknown``."""
    key = header_key(cell_text(cell))
    if not key:
        return "standard"
    level = _SERVICE_NAMES.get(key) or _SERVICE_NAMES.get(key.replace(" ", "_"))
    if level is None:
        raise CellError("service_unknown")
    return level


def holds_card_number(cell: Cell) -> bool:
    """True when the cell holds a payment card number anywhere in it, in any script's digits and
    however grouped (``core.cards.contains_payment_card_number`` on the cell as a person sees
    it: whole floats without ``.0``). No digit of it leaves this function: the caller refuses
    the row (or the file) and reports only where it was.
    """
    return not holds_no_card(cell_text(cell))
