"""A readable difference between two texts of the policy, paragraph by paragraph, word by word.

The texts are compared line by line (one markdown paragraph, heading or list item per line)
with the standard library's ``difflib.SequenceMatcher``; a changed line is compared again word
by word, so a reader sees the three words that changed rather than two whole paragraphs. Blank
lines are ignored. Long runs of unchanged lines are folded to their count.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

RowKind = Literal["equal", "insert", "delete", "replace", "folded"]
SegmentKind = Literal["equal", "insert", "delete"]
CONTEXT_LINES = 1
_WORDS = re.compile(r"(\s+)")


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    text: str


@dataclass(frozen=True)
class Row:
    """One line of the comparison. ``folded`` rows carry only ``count`` unchanged lines."""

    kind: RowKind
    text: str = ""
    segments: tuple[Segment, ...] = field(default_factory=tuple)
    count: int = 0


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _words(old: str, new: str) -> tuple[Segment, ...]:
    a, b = _WORDS.split(old), _WORDS.split(new)
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("delete", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(Segment("insert", "".join(b[j1:j2])))
    return tuple(segments)


def _fold(rows: list[Row]) -> list[Row]:
    """Keep CONTEXT_LINES unchanged lines around each change; count the rest."""
    changed = [i for i, row in enumerate(rows) if row.kind != "equal"]
    keep = {
        j
        for i in changed
        for j in range(i - CONTEXT_LINES, i + CONTEXT_LINES + 1)
        if 0 <= j < len(rows)
    }
    folded: list[Row] = []
    hidden = 0
    for index, row in enumerate(rows):
        if index in keep or row.kind != "equal":
            if hidden:
                folded.append(Row("folded", count=hidden))
                hidden = 0
            folded.append(row)
        else:
            hidden += 1
    if hidden:
        folded.append(Row("folded", count=hidden))
    return folded


def text_diff(old: str, new: str) -> list[Row]:
    """The rows that turn ``old`` into ``new``; ``[]`` when the texts have the same lines.

    A replaced block pairs its lines one to one (word-level segments); lines left over on
    either side are whole deletions or insertions.
    """
    a, b = _lines(old), _lines(new)
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(Row("equal", text=line) for line in a[i1:i2])
            continue
        olds, news = a[i1:i2], b[j1:j2]
        paired = min(len(olds), len(news)) if tag == "replace" else 0
        for old_line, new_line in zip(olds[:paired], news[:paired], strict=True):
            rows.append(Row("replace", segments=_words(old_line, new_line)))
        rows.extend(Row("delete", text=line) for line in olds[paired:])
        rows.extend(Row("insert", text=line) for line in news[paired:])
    if all(row.kind == "equal" for row in rows):
        return []
    return _fold(rows)
