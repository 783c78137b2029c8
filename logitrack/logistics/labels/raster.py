"""Labels as pixels, with Pillow: the local PNG preview and the text bitmaps of the ZPL renderer.

Both come from the same :func:`~logitrack.logistics.labels.layout.layout_label` as the PDF. A text
block is drawn into an image the size of its box, so a glyph can never spill out of it; the ZPL
renderer sends exactly these images to the printer, so the preview shows what prints.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache
from typing import Final, Literal

from PIL import Image, ImageChops, ImageDraw

from logitrack.logistics.labels.data import LabelData, LabelSize
from logitrack.logistics.labels.fonts import Weight, pillow_font
from logitrack.logistics.labels.layout import Box, LabelLayout, TextBlock, layout_label
from logitrack.logistics.labels.symbols import (
    CODE128_QUIET_MODULES,
    code128_modules,
    code128_runs,
    qr_matrix,
)

MM_PER_INCH: Final = 25.4
Mode = Literal["1", "L"]
WHITE: Final = 255
BLACK: Final = 0


def dots(mm: float, dpi: int) -> int:
    """Millimetres to printer dots at ``dpi``, rounded to the nearest dot."""
    return round(mm * dpi / MM_PER_INCH)


def box_dots(box: Box, dpi: int) -> tuple[int, int, int, int]:
    """``(x, y, width, height)`` of ``box`` in dots; width and height at least one dot."""
    x, y = dots(box.x, dpi), dots(box.y, dpi)
    return x, y, max(1, dots(box.right, dpi) - x), max(1, dots(box.bottom, dpi) - y)


@lru_cache(maxsize=4096)
def _line_image(
    text: str, weight: Weight, size_px: int, mode: Mode
) -> tuple[Image.Image, int, int]:
    """One line of text drawn black on white, cropped to its ink, with the offset of its top-left
    corner from the start of the baseline. Cached: a batch repeats the sender, the captions and
    the service on every label, and FreeType's hinting costs ~60 µs a glyph."""
    font = pillow_font(weight, size_px)
    left, top, right, bottom = (
        math.floor(v) if i < 2 else math.ceil(v)
        for i, v in enumerate(font.getbbox(text, anchor="ls", mode=mode))
    )
    image = Image.new(mode, (max(1, right - left), max(1, bottom - top)), WHITE)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1" if mode == "1" else "L"
    draw.text((-left, -top), text, font=font, fill=BLACK, anchor="ls")
    return image, left, top


def text_block_image(block: TextBlock, dpi: int, mode: Mode = "1") -> Image.Image:
    """The lines of ``block`` drawn black on white into an image exactly the size of its box.

    Mode ``"1"`` draws without anti-aliasing (what a thermal head prints); ``"L"`` smooths edges.
    """
    x0, y0, width, height = box_dots(block.box, dpi)
    image = Image.new(mode, (width, height), WHITE)
    for line in block.lines:
        ink, left, top = _line_image(
            line.text, line.weight, max(1, round(line.size_pt * dpi / 72)), mode
        )
        x = round(line.x_mm * dpi / MM_PER_INCH) - x0 + left
        y = round(line.baseline_mm * dpi / MM_PER_INCH) - y0 + top
        # Darken only: a line's white margin never erases the line above it.
        region = (x, y, x + ink.width, y + ink.height)
        image.paste(ImageChops.darker(image.crop(region), ink), region)
    return image


def code128_module_dots(value: str, box: Box, dpi: int) -> int:
    """Whole dots per Code 128 module so that the symbol and its quiet zones fit ``box``."""
    _, _, width, _ = box_dots(box, dpi)
    modules = code128_modules(value) + 2 * CODE128_QUIET_MODULES
    return max(1, min(width // modules, dots(0.5, dpi)))


def render_layout(layout: LabelLayout, dpi: int, mode: Mode = "L") -> Image.Image:
    """The whole label at ``dpi``: rules, text blocks, Code 128 and QR code."""
    image = Image.new(mode, (dots(layout.width_mm, dpi), dots(layout.height_mm, dpi)), WHITE)
    draw = ImageDraw.Draw(image)
    for rule in layout.rules:
        thickness = max(1, dots(rule.width, dpi))
        x1, y1, x2, y2 = (dots(v, dpi) for v in (rule.x1, rule.y1, rule.x2, rule.y2))
        draw.rectangle(
            (x1, y1, max(x1, x2 - 1) + thickness - 1, max(y1, y2 - 1) + thickness - 1), fill=BLACK
        )
    for block in layout.texts:
        x, y, _, _ = box_dots(block.box, dpi)
        image.paste(text_block_image(block, dpi, mode), (x, y))

    x, y, width, height = box_dots(layout.barcode_box, dpi)
    module = code128_module_dots(layout.barcode_value, layout.barcode_box, dpi)
    cursor = x + (width - code128_modules(layout.barcode_value) * module) // 2
    for is_bar, run in code128_runs(layout.barcode_value):
        if is_bar:
            draw.rectangle((cursor, y, cursor + run * module - 1, y + height - 1), fill=BLACK)
        cursor += run * module

    x, y, side, _ = box_dots(layout.qr_box, dpi)
    matrix = qr_matrix(layout.qr_value)
    cell = max(1, side // len(matrix))
    x += (side - cell * len(matrix)) // 2
    y += (side - cell * len(matrix)) // 2
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                left, top = x + col_index * cell, y + row_index * cell
                draw.rectangle((left, top, left + cell - 1, top + cell - 1), fill=BLACK)
    return image


def render_preview_png(label: LabelData, size: LabelSize, *, dpi: int = 203) -> bytes:
    """A PNG of ``label`` at ``size`` and ``dpi`` (72-600), drawn here, never by a web service.

    Grey-scale with smoothed text; the PNG records ``dpi`` so viewers show it at its real size.
    Raises ``LabelDataError`` for unprintable input and ``ValueError`` for a ``dpi`` out of range.
    """
    if not 72 <= dpi <= 600:
        raise ValueError("dpi must be between 72 and 600")
    image = render_layout(layout_label(label, size), dpi, "L")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi), optimize=False)
    return buffer.getvalue()
