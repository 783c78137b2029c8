"""Sorting human names the way Vietnamese readers expect: ICU's ``vi`` collation (CLDR).

Plain ``sorted()`` compares code points, so "Đà Nẵng" (U+0110) lands after every Latin letter and
"Cà Mau" after "Cao Bằng". The Unicode Collation Algorithm (UTS #10) with CLDR's Vietnamese
tailoring sorts base letters first (a ă â b c d đ e ê ... o ô ơ ... u ư), tones only as a
second-level difference, and spaces before letters: "Cà Mau" < "Cao Bằng", "Dak Lak" < "Đà Nẵng".

ICU comes from the ``pyicu-wheels`` wheel, which bundles its own ICU library, so nothing is
compiled against the system's ICU (docs/adr/0016-every-journey-in-chromium.md). ICU collators
are not thread-safe, so each thread keeps its own.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

T = TypeVar("T")
_local = threading.local()


def _collator() -> icu.Collator:
    collator: icu.Collator | None = getattr(_local, "collator", None)
    if collator is None:
        collator = icu.Collator.createInstance(icu.Locale("vi"))
        _local.collator = collator
    return collator


def vietnamese_sort_key(text: str) -> bytes:
    """ICU's ``vi`` sort key of ``text`` (NFC first, so decomposed input sorts the same)."""
    key: bytes = _collator().getSortKey(unicodedata.normalize("NFC", text))
    return key


def sorted_vietnamese(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """``items`` in Vietnamese order of ``key(item)``; equal names keep their input order."""
    return sorted(items, key=lambda item: vietnamese_sort_key(key(item)))


def clean_name(text: str) -> str:
    """A place or person name with runs of whitespace (any Unicode space) made one space."""
    return " ".join(text.split())
