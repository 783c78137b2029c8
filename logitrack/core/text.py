"""The one normalisation layer for human text (ADR 0017).

Every form field, API schema field and (later) import column or device payload that carries text
a person typed passes through :func:`human_text` (names, addresses, labels), :func:`code`
(tax codes, phone numbers, numeric ids) or :func:`opaque_text` (tokens, e-mail addresses, which
other layers canonicalise). The Django form fields are in ``logitrack.core.forms``, the pydantic
types for API schemas in ``logitrack.core.schemas``.

Rules, applied in this order:

1. Refused, with a :class:`TextRefused` carrying a stable code:
   - ``text_control_character``: Unicode General_Category Cc (C0 U+0000-U+001F, DEL U+007F,
     C1 U+0080-U+009F), except TAB, LF and CR, which are whitespace (rule 3);
   - ``text_bidi_control``: the explicit directional formatting characters of UAX #9 §2 (LRE,
     RLE, PDF, LRO, RLO U+202A-U+202E; LRI, RLI, FSI, PDI U+2066-U+2069) and the implicit marks
     LRM U+200E, RLM U+200F, ALM U+061C: they reorder what a reader sees (CVE-2021-42574);
   - ``text_invalid_character``: lone surrogates (General_Category Cs), which JSON can carry
     (``"\\ud800"``) but no database encoding stores.
2. Unicode Normalization Form C (UAX #15): a Vietnamese name typed decomposed (``"Nguyê\\u0303n"``)
   is stored composed (``"Nguyễn"``), so one name has one spelling.
3. Whitespace: every character for which ``str.isspace()`` holds (TAB, LF, CR, NBSP U+00A0,
   U+2000-U+200A, U+3000 ...) counts as a space. Single-line text collapses each run of them to
   one U+0020 and strips both ends; a line break in a single-line field is a paste artefact, not
   content, so it becomes a space rather than an error. Multi-line text keeps line breaks (CRLF
   and CR become LF), collapses other runs within a line and strips each line.
4. Invisible characters (Default_Ignorable_Code_Point of the Unicode Character Database, plus
   the Braille blank U+2800): stripped at both ends together with whitespace, so a value made only
   of them is blank. Inside a value, the ones that never carry meaning in stored text (ZWSP
   U+200B, ZWNBSP/BOM U+FEFF, WORD JOINER U+2060, SOFT HYPHEN U+00AD, U+180E) are removed; the
   joiners and variation selectors stay, because emoji and some scripts need them.

Codes additionally fold compatibility forms (NFKC: fullwidth ``\\uff10`` and ``\\uff0d``), map every
decimal digit (General_Category Nd: Arabic-Indic, Devanagari ...) to ASCII, map dash
punctuation (Pd) to ``-`` and drop all whitespace, so that the caller's validator only ever sees
ASCII digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext

from logitrack.core.cards import contains_payment_card_number, fold_digits

CONTROL_CHARACTER = "text_control_character"
BIDI_CONTROL = "text_bidi_control"
INVALID_CHARACTER = "text_invalid_character"
PAYMENT_CARD = "text_payment_card"

_LINE_BREAKS = "\t\n\r"
_BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1), without the bidi
# controls above, which are refused before this set is consulted; plus U+2800 BRAILLE PATTERN
# BLANK, which renders as nothing in every font.
_INVISIBLE_RANGES = (
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200d\u2060-\u2065\u206a-\u206f"
    "\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
# Cc without TAB, LF, CR; the bidi controls; the surrogates (General_Category Cs).
_HAZARD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff]"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_RANGES}]")
_EDGE = re.compile(rf"^[\s{_INVISIBLE_RANGES}]+|[\s{_INVISIBLE_RANGES}]+$")
_INNER_INVISIBLE = re.compile("[\u200b\ufeff\u2060\u00ad\u180e]")
_SPACES = re.compile(r"\s+")
_SPACES_IN_LINE = re.compile(r"[^\S\n]+")


class TextRefused(ValueError):
    """A value that the layer refuses; ``code`` is stable, ``message`` is translated."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def _refuse_hazards(value: str) -> None:
    found = _HAZARD.search(value)
    if found is None:
        return
    char = found.group()
    point = {"cp": ord(char)}
    if char in _BIDI_CONTROLS:
        raise TextRefused(
            BIDI_CONTROL,
            gettext("Remove the invisible text-direction character (U+%(cp)04X).") % point,
        )
    if unicodedata.category(char) == "Cs":
        raise TextRefused(
            INVALID_CHARACTER,
            gettext("The text contains an invalid character (U+%(cp)04X).") % point,
        )
    raise TextRefused(
        CONTROL_CHARACTER, gettext("Remove the control character (U+%(cp)04X).") % point
    )


def _strip_edges(value: str) -> str:
    return _EDGE.sub("", value)


# Inside text_memo(): (rule, text) -> the rule's answer, for one job that normalises the same
# texts again and again (an import: each cell, then OrderInput on the cell's result).
_TEXT_MEMO: ContextVar[dict[tuple[str, str], str] | None] = ContextVar(
    "logitrack_text_memo", default=None
)
TEXT_MEMO_MAX = 1_000_000  # answers kept per block; past it, texts are simply worked out again


@contextmanager
def text_memo() -> Iterator[None]:
    """Within the block, :func:`human_text` and :func:`code` answer a text they have already
    answered there from memory instead of working it out again.

    Both are pure functions of their input (the same text always gives the same answer or the
    same refusal), so a remembered answer is the answer. Only answers are remembered, never
    refusals: a refused text is checked (and refused) every time. The memory is the block's
    own and dropped at its end; nothing outlives the job or reaches another one.
    """
    token = _TEXT_MEMO.set({})
    try:
        yield
    finally:
        _TEXT_MEMO.reset(token)


def _remembered(rule: str, value: str, work: Callable[[str], str]) -> str:
    memo = _TEXT_MEMO.get()
    if memo is None:
        return work(value)
    key = (rule, value)
    hit = memo.get(key)
    if hit is None:
        hit = work(value)
        if len(memo) < TEXT_MEMO_MAX:
            memo[key] = hit
    return hit


def human_text(value: str, *, multiline: bool = False) -> str:
    """``value`` in its stored form: NFC, whitespace collapsed, invisible edges stripped.

    Shape: str -> str, never longer in characters than the NFC form of ``value``; ``""`` means
    blank (also for a value made only of whitespace and invisible characters).
    Raises TextRefused for control, bidi and surrogate characters (rules in the module docstring).
    Inside :func:`text_memo` a text already answered there is not worked out again.
    """
    if multiline:
        return _remembered("multiline", value, _human_multiline)
    return _remembered("human", value, _human_single)


def _human_single(value: str) -> str:
    return _human_text(value, multiline=False)


def _human_multiline(value: str) -> str:
    return _human_text(value, multiline=True)


def _human_text(value: str, *, multiline: bool = False) -> str:
    """:func:`human_text` worked out (no memory)."""
    _refuse_hazards(value)
    text = unicodedata.normalize("NFC", value)
    text = _INNER_INVISIBLE.sub("", text)
    if not multiline:
        return _refuse_card_numbers(_strip_edges(_SPACES.sub(" ", text)))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cleaned = [_SPACES_IN_LINE.sub(" ", line).strip() for line in lines]
    # Leading/trailing blank lines go; so do invisible characters at the ends of the text.
    return _refuse_card_numbers(_strip_edges("\n".join(cleaned)))


def holds_no_card(value: str) -> bool:
    """``not core.cards.contains_payment_card_number(value)``; inside :func:`text_memo` a text
    already found to hold no card number is not searched again (a text holding one is searched,
    and refused, every time: only the answer "no card" is remembered)."""
    memo = _TEXT_MEMO.get()
    if memo is None:
        return not contains_payment_card_number(value)
    key = ("no_card", value)
    if key in memo:
        return True
    if contains_payment_card_number(value):
        return False
    if len(memo) < TEXT_MEMO_MAX:
        memo[key] = ""
    return True


def _refuse_card_numbers(text: str) -> str:
    """``text`` unchanged, or TextRefused(``text_payment_card``) without any digit of it."""
    if not holds_no_card(text):
        raise TextRefused(
            PAYMENT_CARD,
            gettext("Remove the payment card number: Logitrack never stores card numbers."),
        )
    return text


def code(value: str) -> str:
    """``value`` as an ASCII-digit code: NFKC, Unicode digits to ASCII, dashes to ``-``, no spaces.

    Shape: str -> str; the result contains no whitespace, and each decimal digit of any script
    is its ASCII digit. The caller's validator decides what else is allowed (e.g. tax codes only
    ``[0-9-]``); this function does not validate a format. Raises TextRefused like human_text.
    Inside :func:`text_memo` a text already answered there is not worked out again.
    """
    return _remembered("code", value, _code)


def _code(value: str) -> str:
    """``value`` as an ASCII-digit code: NFKC, Unicode digits to ASCII, dashes to ``-``, no spaces.

    Shape: str -> str; the result contains no whitespace, and each decimal digit of any script
    is its ASCII digit. The caller's validator decides what else is allowed (e.g. tax codes only
    ``[0-9-]``); this function does not validate a format. Raises TextRefused like human_text.
    """
    _refuse_hazards(value)
    if value.isascii():
        # ASCII is its own NFKC form, holds no invisible character and no dash but "-", and
        # str.split() drops exactly the characters str.isspace() names: the walk below in C.
        return _refuse_card_numbers("".join(value.split()))
    return _refuse_card_numbers(_code_walk(value))


def _code_walk(value: str) -> str:
    """:func:`code`'s mapping character by character (any text; hazards already refused)."""
    out = []
    for char in fold_digits(value):
        if char.isspace() or _INVISIBLE.match(char):
            continue
        if unicodedata.category(char) == "Pd":
            out.append("-")
        else:
            out.append(char)
    return "".join(out)


def opaque_text(value: str) -> str:
    """``value`` unchanged but for surrounding whitespace; hazards refused as in human_text.

    For values that another layer canonicalises or compares byte for byte (tokens, e-mail
    addresses): the layer guarantees only that no control, bidi or surrogate character passes.
    """
    _refuse_hazards(value)
    return value.strip()


def is_normalised(value: str, *, multiline: bool = False) -> bool:
    """True when ``value`` is its own stored form (used by tests and system checks)."""
    try:
        return human_text(value, multiline=multiline) == value
    except TextRefused:
        return False
