"""Comparison keys of Vietnamese unit names: accent-, case-, spacing- and prefix-insensitive.

A unit name as people write it ("TP.HCM", "P. Bến Thành", "Phường 01", "Q1", "H. Củ Chi",
"Đăk Lăk") is cut into its *level prefix* ("phường", "quận", ...) and its *name*; the name gives
two keys:

- ``folded``: ASCII letters and digits only (diacritics removed, "đ" -> "d", spaces and
  punctuation dropped, leading zeros of a number dropped): "Bến Thành" -> ``"benthanh"``,
  "Phường 01" -> ``"1"``. Equal folded keys are the same name for a reader who types without
  accents; the resolver treats them as one name unless that makes two units of one scope collide.
- ``toned``: each syllable with its vowel marks (ă â ê ô ơ ư đ) and its tone as a digit
  (0 level, 1 grave, 2 acute, 3 hook, 4 tilde, 5 dot), so that the old and new tone placements
  ("Hòa"/"Hoà") give one key while "Cẩm Giang" and "Cẩm Giàng", two communes of one province,
  stay apart.

The text first passes the human text layer (``logitrack.core.text.human_text``, ADR 0017), so a
decomposed or invisible-laden input keys like its clean form.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from logitrack.core.text import TextRefused, human_text


class Level(StrEnum):
    """Which tier a written prefix names; ``CITY`` ("thành phố", "TP") may be either."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    CITY = "city"


# Folded prefix words (as token tuples) -> (level, kind); longest first when matched. ``kind`` is
# the unit type the prefix names, the same for a word and its abbreviation ("p" and "phuong").
_PREFIXES: dict[tuple[str, ...], tuple[Level, str]] = {
    ("thanh", "pho"): (Level.CITY, "thanhpho"),
    ("tp",): (Level.CITY, "thanhpho"),
    ("tinh",): (Level.PROVINCE, "tinh"),
    ("quan",): (Level.DISTRICT, "quan"),
    ("q",): (Level.DISTRICT, "quan"),
    ("huyen",): (Level.DISTRICT, "huyen"),
    ("h",): (Level.DISTRICT, "huyen"),
    ("thi", "xa"): (Level.DISTRICT, "thixa"),
    ("tx",): (Level.DISTRICT, "thixa"),
    ("phuong",): (Level.COMMUNE, "phuong"),
    ("p",): (Level.COMMUNE, "phuong"),
    ("f",): (Level.COMMUNE, "phuong"),
    ("xa",): (Level.COMMUNE, "xa"),
    ("x",): (Level.COMMUNE, "xa"),
    ("thi", "tran"): (Level.COMMUNE, "thitran"),
    ("tt",): (Level.COMMUNE, "thitran"),
    ("dac", "khu"): (Level.COMMUNE, "dackhu"),
}
_MAX_PREFIX = max(len(words) for words in _PREFIXES)
# "Q1", "P12", "F.3" written without a space: the letters are a prefix, the number the name.
_GLUED_NUMBER = re.compile(r"^(tp|tx|tt|q|p|f|h|x)(\d+)$")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_TONES = {"\u0300": "1", "\u0301": "2", "\u0309": "3", "\u0303": "4", "\u0323": "5"}


@dataclass(frozen=True, slots=True)
class NameKey:
    """A written unit name: its prefix (level and kind; None and "" if none) and its keys."""

    level: Level | None
    kind: str
    folded: str
    toned: str


def fold(text: str) -> str:
    """``text`` lower-cased without diacritics ("Đắk Lắk" -> "dak lak"); spaces are kept."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _toned_syllable(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tone = "0"
    kept = []
    for char in decomposed:
        if char in _TONES:
            tone = _TONES[char]
        else:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def _number(word: str) -> str:
    return (word.lstrip("0") or "0") if word.isdigit() else word


def _words(text: str) -> list[str]:
    return _PUNCTUATION.sub(" ", text.lower()).split()


@lru_cache(maxsize=65536)
def name_key(text: str) -> NameKey:
    """The prefix level and the two keys of one written unit name (see the module docstring).

    Shape: ``"P. Bến Thành"`` -> ``NameKey(Level.COMMUNE, "phuong", "benthanh", "bên2thanh1")``.
    A text that the human text layer refuses, or that is only a prefix, gives empty keys.
    """
    try:
        clean = human_text(text)
    except TextRefused:
        return NameKey(None, "", "", "")
    words = _words(clean)
    folded_words = [fold(word) for word in words]
    level: Level | None = None
    kind = ""
    if len(words) == 1 and (glued := _GLUED_NUMBER.match(folded_words[0])):
        level, kind = _PREFIXES[(glued.group(1),)]
        words = folded_words = [glued.group(2)]
    else:
        for size in range(min(_MAX_PREFIX, len(words) - 1), 0, -1):
            found = _PREFIXES.get(tuple(folded_words[:size]))
            if found is not None:
                level, kind = found
                words, folded_words = words[size:], folded_words[size:]
                break
    folded = "".join(_number(word) for word in folded_words)
    toned = "".join(_number(word) if word.isdigit() else _toned_syllable(word) for word in words)
    return NameKey(level, kind, folded, toned)
