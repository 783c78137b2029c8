"""The one detector of payment card numbers in text (ADR 0027): Logitrack stores and logs none.

:func:`contains_payment_card_number` is run by the text layer (``core.text.human_text``, so by
every human-text form field and API schema field), by the order import on every cell and header
(``imports.cells``), and by the log filter (``core.logging``) through :func:`mask_payment_cards`.

What counts as a card number (shape: ``str -> bool``, never raises, never returns the digits):

1. The text's digits are folded first: NFKC (fullwidth digits U+FF10-U+FF19) and every Unicode
   decimal digit (General_Category Nd: Arabic-Indic U+0660-U+0669, Devanagari ...) to ASCII,
   the mapping ``core.text.code`` uses (:func:`fold_digits`).
2. Candidates are digit groups joined by separators: 1 to 3 characters that are whitespace of any
   kind (space, NBSP, ideographic space, tabs), format or invisible characters (ZWSP U+200B,
   WORD JOINER, BOM, soft hyphen ...) or the punctuation ``. / _ - \\ ·`` and other dashes
   (General_Category Pd). A comma, a colon or a letter ends a candidate; a candidate may touch
   letters (``card4111111111111111``, ``the4111...``). Every run of whole groups with 13 to 19
   digits in total is tried (ISO/IEC 7812-1 §4.2: a PAN has at most 19 digits; issued cards
   have at least 13).
3. A tried run is a card number when its Luhn check digit is valid (ISO/IEC 7812-1 Annex B,
   ``stdnum.luhn``) AND it starts with an issuer identification number of a payment card network
   at a length that network issues (ranges as published by the networks and collected in
   ISO/IEC 7812 registers; Maestro per Mastercard's Maestro rules; NAPAS per the Vietnamese
   NAPAS domestic card standard TCCS 01:2019 "9704", 16 or 19 digits):
   Visa ``4`` (16, 19), Mastercard ``51-55`` and ``2221-2720`` (16), American Express
   ``34``/``37`` (15), Discover ``6011``, ``644-649``, ``65`` (16-19), JCB ``3528-3589``
   (16-19), Diners Club ``300-305``, ``36``, ``38-39`` (14-19), UnionPay ``62`` (16-19),
   Maestro ``50``, ``56-69`` (16-19), NAPAS ``9704`` (16, 19).

Not card numbers (false positives kept low, ADR 0027): 13-digit Visa and 12-15-digit Maestro numbers
(no longer issued, and the length of Vietnamese branch tax codes and GTIN-13); an E.164 phone number
(``+`` then at most 15 digits, ITU-T E.164 §6) when the run starts right after the ``+``; a run of
13, 14 or 18 digits whose last digit is a valid GS1 mod-10 check digit (GTIN-13/14, SSCC-18: GS1
General Specifications §7.9); a Vietnamese tax code with its branch suffix (10 digits ``-`` 3
digits, Circular 105/2020/TT-BTC art. 5); runs of more than 19 digits without separators (a bank
account or other number, not a card). Vietnamese phone numbers (``0`` then 9 digits) and Logitrack
waybills (letters and 9 base-32 characters) are too short to be tried.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from stdnum import ean, luhn

MIN_DIGITS = 13
MAX_DIGITS = 19

# (prefix range low, high, number of prefix digits, allowed lengths)
_IIN_RANGES: tuple[tuple[int, int, int, frozenset[int]], ...] = (
    (4, 4, 1, frozenset({16, 19})),  # Visa (13 digits: no longer issued)
    (51, 55, 2, frozenset({16})),  # Mastercard
    (2221, 2720, 4, frozenset({16})),  # Mastercard 2-series
    (34, 34, 2, frozenset({15})),  # American Express
    (37, 37, 2, frozenset({15})),  # American Express
    (6011, 6011, 4, frozenset(range(16, 20))),  # Discover
    (644, 649, 3, frozenset(range(16, 20))),  # Discover
    (65, 65, 2, frozenset(range(16, 20))),  # Discover
    (3528, 3589, 4, frozenset(range(16, 20))),  # JCB
    (300, 305, 3, frozenset(range(14, 20))),  # Diners Club
    (36, 36, 2, frozenset(range(14, 20))),  # Diners Club
    (38, 39, 2, frozenset(range(14, 20))),  # Diners Club
    (62, 62, 2, frozenset(range(16, 20))),  # UnionPay
    (50, 50, 2, frozenset(range(16, 20))),  # Maestro
    (56, 69, 2, frozenset(range(16, 20))),  # Maestro
    (9704, 9704, 4, frozenset({16, 19})),  # NAPAS (Vietnam)
)

_PUNCTUATION_SEPARATORS = frozenset("./_-\\·")
_MAX_SEPARATOR_RUN = 3
_TAX_CODE_WITH_BRANCH = (10, 3)
_GS1_LENGTHS = frozenset({13, 14, 18})
_DIGITS = re.compile(r"[0-9]+")


class _DigitFolding(dict[int, int | str]):
    """``str.translate`` table: a decimal digit (General_Category Nd) of any script to its ASCII
    digit, every other code point to itself; filled on first sight of each code point, up to
    ``_FOLD_TABLE_MAX`` entries (past that a code point is looked up each time, not kept)."""

    def __missing__(self, point: int) -> int | str:
        char = chr(point)
        folded: int | str = (
            str(unicodedata.decimal(char)) if unicodedata.category(char) == "Nd" else point
        )
        if len(self) < _FOLD_TABLE_MAX:
            self[point] = folded
        return folded


_FOLD_TABLE_MAX = 20_000


_FOLD_DIGITS = _DigitFolding()


def fold_digits(value: str) -> str:
    """``value`` with NFKC compatibility forms folded and every decimal digit (General_Category
    Nd, any script) mapped to its ASCII digit: the mapping ``core.text.code`` uses.

    Shape: str -> str; nothing is removed (other characters pass through as NFKC gives them).
    ASCII text is its own NFKC form and holds no other digits, so it is returned as it is; other
    text is mapped by ``str.translate`` (in C), the table learning each code point once.
    """
    if value.isascii():
        return value
    return unicodedata.normalize("NFKC", value).translate(_FOLD_DIGITS)


_ONE_DIGIT = re.compile(r"[0-9]")


def _too_few_digits(folded: str) -> bool:
    """True when ``folded`` holds fewer than MIN_DIGITS ASCII digits (so no candidate at all)."""
    return len(folded) < MIN_DIGITS or len(_ONE_DIGIT.findall(folded)) < MIN_DIGITS


def _is_separator(char: str) -> bool:
    if char.isspace() or char in _PUNCTUATION_SEPARATORS:
        return True
    category = unicodedata.category(char)
    return category in {"Cf", "Pd", "Zs", "Zl", "Zp"} and not char.isalnum()


def _has_network_prefix(digits: str) -> bool:
    length = len(digits)
    for low, high, size, lengths in _IIN_RANGES:
        if length in lengths and low <= int(digits[:size]) <= high:
            return True
    return False


def _gs1_valid(digits: str) -> bool:
    return ean.calc_check_digit(digits[:-1]) == digits[-1]


def _chains(text: str) -> Iterator[tuple[list[str], list[str], str]]:
    """(groups, joiners between them, the character before the chain) for each digit chain."""
    groups: list[str] = []
    joiners: list[str] = []
    before = ""
    position = 0
    for match in _DIGITS.finditer(text):
        between = text[position : match.start()]
        joined = (
            groups
            and 0 < len(between) <= _MAX_SEPARATOR_RUN
            and all(_is_separator(c) for c in between)
        )
        if groups and not joined:
            yield groups, joiners, before
            groups, joiners = [], []
        if not groups:
            before = text[match.start() - 1] if match.start() else ""
        else:
            joiners.append(between)
        groups.append(match.group())
        position = match.end()
    if groups:
        yield groups, joiners, before


def _is_exempt(
    digits: str, group_sizes: tuple[int, ...], joiners: list[str], after_plus: bool
) -> bool:
    """A phone number, a branch's tax code, a GTIN or an SSCC (module docstring)."""
    length = len(digits)
    return (
        (after_plus and length <= 15)
        or (group_sizes == _TAX_CODE_WITH_BRANCH and joiners == ["-"])
        or (length in _GS1_LENGTHS and _gs1_valid(digits))
    )


def _is_card(
    digits: str, group_sizes: tuple[int, ...], joiners: list[str], after_plus: bool
) -> bool:
    return (
        MIN_DIGITS <= len(digits) <= MAX_DIGITS
        and _has_network_prefix(digits)
        and luhn.is_valid(digits)
        and not _is_exempt(digits, group_sizes, joiners, after_plus)
    )


def contains_payment_card_number(text: str) -> bool:
    """True when ``text`` holds a payment card number anywhere (rules in the module docstring)."""
    folded = fold_digits(text)
    # Candidates are runs of ASCII digits (``_DIGITS``): fewer than MIN_DIGITS of them, none.
    if _too_few_digits(folded):
        return False
    for groups, joiners, before in _chains(folded):
        for start in range(len(groups)):
            digits = ""
            for end in range(start, len(groups)):
                digits += groups[end]
                if len(digits) > MAX_DIGITS:
                    break
                sizes = tuple(len(g) for g in groups[start : end + 1])
                after_plus = start == 0 and before == "+"
                if _is_card(digits, sizes, joiners[start:end], after_plus):
                    return True
    return False


MASK = "[card]"


def mask_payment_cards(text: str) -> str:
    """``text`` with every digit chain holding a card number replaced by ``[card]``.

    Shape: str -> str. Used by the log filter; chains are masked whole (a chain is digits joined
    by separators, rule 2 of the module docstring), so no digit of a card survives.
    """
    if not contains_payment_card_number(text):
        return text
    folded = fold_digits(text)
    if len(folded) != len(text):
        # NFKC changed the length (ligatures ...): mask the whole text rather than misalign.
        return MASK
    out: list[str] = []
    position = 0
    for match in _CHAIN.finditer(folded):
        if contains_payment_card_number(match.group()):
            out.append(text[position : match.start()])
            out.append(MASK)
            position = match.end()
    out.append(text[position:])
    masked = "".join(out)
    return masked if not contains_payment_card_number(masked) else MASK


_SEPARATOR_CLASS = (
    r"[\s./_\\·\-\u00ad\u180e\u200b-\u200f\u2010-\u2015\u2060-\u2064\ufeff\u2212\ufe58\ufe63]"
)
_CHAIN = re.compile(rf"[0-9]+(?:{_SEPARATOR_CLASS}{{1,{_MAX_SEPARATOR_RUN}}}[0-9]+)*")
