"""Where everything goes on a label: one layout, drawn by the PDF, ZPL and PNG renderers.

Coordinates are millimetres from the top-left corner of the label; font sizes are points. Text is
fitted here, once, with the font's own advance widths: each block first shrinks all its
paragraphs together (down to ``MIN_SCALE`` of their preferred size), then wraps at spaces (a word
wider than the block is broken between letters), and what still does not fit is cut with an
ellipsis on the last line that fits. So a long name or address never leaves its block, whatever
the size.

Rows, top to bottom: service and parcel count; the Code 128 barcode of the waybill with the
waybill under it; the destination province (large, for sorting); the recipient (name and phone
bold, new address, then the old three-level address when it was converted); the sender; COD
("No COD" when nothing is collected), weight, reference and date beside the QR code of the public
tracking page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from django.utils.translation import gettext

from logitrack.logistics.labels.data import (
    SIZES_MM,
    LabelData,
    LabelParty,
    LabelSize,
    check_label,
    format_vnd,
    format_weight,
)
from logitrack.logistics.labels.fonts import LINE_BOTTOM_EM, LINE_TOP_EM, Weight, text_width_pt

PT_PER_MM: Final = 72.0 / 25.4
LINE_HEIGHT_EM: Final = 1.3
MIN_SCALE: Final = 0.5
ELLIPSIS: Final = "…"
# Share of a block's width that wrapping uses: Pillow's hinted advances at printer resolution run
# up to ~2 % wider than the font's design widths that the PDF uses.
WRAP_SLACK: Final = 0.97

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Box:
    """A rectangle in millimetres, ``(x, y)`` its top-left corner."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class Paragraph:
    text: str
    weight: Weight = "regular"
    size_pt: float = 9.0
    align: Align = "left"


@dataclass(frozen=True)
class TextLine:
    """One fitted line: ``x_mm`` where its advance starts, ``baseline_mm`` from the label's top."""

    text: str
    weight: Weight
    size_pt: float
    x_mm: float
    baseline_mm: float
    width_mm: float


@dataclass(frozen=True)
class TextBlock:
    box: Box
    lines: tuple[TextLine, ...]
    truncated: bool


@dataclass(frozen=True)
class Rule:
    """A straight line from ``(x1, y1)`` to ``(x2, y2)``, ``width`` thick (all millimetres)."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float


@dataclass(frozen=True)
class LabelLayout:
    size: LabelSize
    width_mm: float
    height_mm: float
    texts: tuple[TextBlock, ...]
    barcode_box: Box
    barcode_value: str
    qr_box: Box
    qr_value: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class _Grid:
    margin: float
    scale: float  # font size factor against A6
    rows: tuple[float, float, float, float, float, float]  # header, barcode, destination,
    # recipient, sender, bottom: shares of the height inside the margins


_GRIDS: Final[dict[LabelSize, _Grid]] = {
    "a5": _Grid(6.0, 1.35, (0.06, 0.13, 0.08, 0.31, 0.18, 0.24)),
    "a6": _Grid(4.0, 1.0, (0.07, 0.13, 0.08, 0.30, 0.18, 0.24)),
    "100x150": _Grid(4.0, 1.0, (0.07, 0.13, 0.08, 0.30, 0.18, 0.24)),
    "80x80": _Grid(2.5, 0.72, (0.08, 0.17, 0.09, 0.28, 0.14, 0.24)),
}


def _split_word(word: str, weight: Weight, size: float, width: float) -> list[str]:
    """Break one word wider than ``width`` points into pieces that fit (at least one letter)."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and text_width_pt(current + char, weight, size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, weight: Weight, size: float, width: float) -> list[str]:
    """Greedy word wrap of ``text`` at ``size`` points into lines at most ``width`` points wide.

    Lines break only at ASCII spaces, never at a no-break space ("1.250.000 ₫" stays whole).
    """
    lines: list[str] = []
    current = ""
    for word in filter(None, text.split(" ")):
        candidate = f"{current} {word}" if current else word
        if text_width_pt(candidate, weight, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if text_width_pt(word, weight, size) <= width:
            current = word
        else:
            *full, current = _split_word(word, weight, size, width)
            lines.extend(full)
    if current:
        lines.append(current)
    return lines


def _ellipsize(text: str, weight: Weight, size: float, width: float) -> str:
    while text and text_width_pt(text + ELLIPSIS, weight, size) > width:
        text = text[:-1].rstrip()
    return text + ELLIPSIS


def fit_text(box: Box, paragraphs: Sequence[Paragraph]) -> TextBlock:
    """Fit ``paragraphs`` into ``box``: shrink together, wrap, and cut with "…" as a last resort.

    Guarantees: every line is at most the box's width (in the font's advance widths) and every
    line's extent (``LINE_TOP_EM`` above to ``LINE_BOTTOM_EM`` below its baseline) lies inside the
    box. Empty paragraphs are skipped.
    """
    width_pt = box.w * PT_PER_MM * WRAP_SLACK
    height_pt = box.h * PT_PER_MM
    paragraphs = [p for p in paragraphs if p.text.strip()]
    scale = 1.0
    while True:
        wrapped = [
            (p, line)
            for p in paragraphs
            for line in wrap(p.text, p.weight, p.size_pt * scale, width_pt)
        ]
        if _height(wrapped, scale) <= height_pt or scale <= MIN_SCALE:
            break
        scale = max(MIN_SCALE, scale - 0.05)
    truncated = False
    while wrapped and _height(wrapped, scale) > height_pt:
        wrapped.pop()
        truncated = True
    if truncated and wrapped:
        p, last = wrapped[-1]
        wrapped[-1] = (p, _ellipsize(last, p.weight, p.size_pt * scale, width_pt))
    lines: list[TextLine] = []
    top = box.y * PT_PER_MM
    for index, (p, text) in enumerate(wrapped):
        size = p.size_pt * scale
        top += (LINE_TOP_EM if index == 0 else LINE_HEIGHT_EM) * size
        width = text_width_pt(text, p.weight, size)
        x = box.x * PT_PER_MM
        if p.align == "center":
            x += (box.w * PT_PER_MM - width) / 2
        elif p.align == "right":
            x += box.w * PT_PER_MM - width
        lines.append(
            TextLine(text, p.weight, size, x / PT_PER_MM, top / PT_PER_MM, width / PT_PER_MM)
        )
    return TextBlock(box, tuple(lines), truncated)


def _height(wrapped: Sequence[tuple[Paragraph, str]], scale: float) -> float:
    """Points from the first line's top extent to the last line's bottom extent."""
    if not wrapped:
        return 0.0
    sizes = [p.size_pt * scale for p, _ in wrapped]
    return (
        LINE_TOP_EM * sizes[0]
        + sum(LINE_HEIGHT_EM * size for size in sizes[1:])
        + LINE_BOTTOM_EM * sizes[-1]
    )


def _party(caption: str, party: LabelParty, scale: float, *, main: bool) -> list[Paragraph]:
    big = 11.0 if main else 8.5
    small = 9.0 if main else 7.5
    paragraphs = [
        Paragraph(caption.upper(), "bold", 6.5 * scale),
        Paragraph(party.name, "bold", big * scale),
        Paragraph(party.phone, "bold" if main else "regular", (big if main else small) * scale),
        *(Paragraph(line, "regular", small * scale) for line in party.address_lines),
    ]
    if party.legacy_address:
        paragraphs.append(
            Paragraph(
                gettext("Old address: %(address)s") % {"address": party.legacy_address},
                "regular",
                (small - 1) * scale,
            )
        )
    return paragraphs


def layout_label(label: LabelData, size: LabelSize) -> LabelLayout:
    """The layout of ``label`` at ``size``; raises ``LabelDataError`` for unprintable input."""
    check_label(label)
    width, height = SIZES_MM[size]
    grid = _GRIDS[size]
    m, s = grid.margin, grid.scale
    inner_w, inner_h = width - 2 * m, height - 2 * m
    tops = [m]
    for share in grid.rows:
        tops.append(tops[-1] + share * inner_h)
    header, bar, dest, recipient, sender, bottom = (
        Box(m, tops[i], inner_w, tops[i + 1] - tops[i]) for i in range(6)
    )
    pad = 1.0 * s
    texts: list[TextBlock] = []

    def inset(box: Box) -> Box:
        return Box(box.x + pad, box.y + pad, box.w - 2 * pad, box.h - 2 * pad)

    head = inset(header)
    texts.append(
        fit_text(
            Box(head.x, head.y, head.w * 0.6, head.h),
            [Paragraph(label.service.upper(), "bold", 12.0 * s)],
        )
    )
    parcel = gettext("Parcel %(index)d/%(count)d") % {
        "index": label.parcel_index,
        "count": label.parcel_count,
    }
    texts.append(
        fit_text(
            Box(head.x + head.w * 0.6, head.y, head.w * 0.4, head.h),
            [Paragraph(parcel, "bold", 10.0 * s, "right")],
        )
    )

    bar_in = inset(bar)
    barcode_box = Box(bar_in.x, bar_in.y, bar_in.w, bar_in.h * 0.72)
    texts.append(
        fit_text(
            Box(bar_in.x, barcode_box.bottom, bar_in.w, bar_in.h - barcode_box.h),
            [Paragraph(label.waybill, "bold", 11.0 * s, "center")],
        )
    )
    texts.append(
        fit_text(inset(dest), [Paragraph(label.destination.upper(), "bold", 20.0 * s, "center")])
    )
    texts.append(
        fit_text(inset(recipient), _party(gettext("Recipient"), label.recipient, s, main=True))
    )
    texts.append(fit_text(inset(sender), _party(gettext("Sender"), label.sender, s, main=False)))

    low = inset(bottom)
    qr_side = min(low.h, low.w * 0.42)
    qr_box = Box(low.right - qr_side, low.y + (low.h - qr_side) / 2, qr_side, qr_side)
    details = [
        Paragraph(
            (
                gettext("COD: %(amount)s") % {"amount": format_vnd(label.cod_vnd)}
                if label.cod_vnd
                else gettext("No COD")
            ),
            "bold",
            14.0 * s,
        ),
        Paragraph(gettext("Service: %(service)s") % {"service": label.service}, "regular", 8.5 * s),
        Paragraph(
            gettext("Weight: %(weight)s") % {"weight": format_weight(label.weight_g)},
            "regular",
            8.5 * s,
        ),
    ]
    if label.reference:
        details.append(
            Paragraph(
                gettext("Ref: %(reference)s") % {"reference": label.reference}, "regular", 8.0 * s
            )
        )
    if label.created_on is not None:
        details.append(
            Paragraph(
                gettext("Date: %(date)s") % {"date": label.created_on.strftime("%d/%m/%Y")},
                "regular",
                8.0 * s,
            )
        )
    texts.append(fit_text(Box(low.x, low.y, low.w - qr_side - 2 * pad, low.h), details))

    line = 0.3 * s
    rules = [Rule(m, tops[i], width - m, tops[i], line) for i in range(1, 6)]
    rules += [
        Rule(m, m, width - m, m, line),
        Rule(m, height - m, width - m, height - m, line),
        Rule(m, m, m, height - m, line),
        Rule(width - m, m, width - m, height - m, line),
    ]
    return LabelLayout(
        size=size,
        width_mm=width,
        height_mm=height,
        texts=tuple(texts),
        barcode_box=barcode_box,
        barcode_value=label.waybill,
        qr_box=qr_box,
        qr_value=label.tracking_url,
        rules=tuple(rules),
    )
