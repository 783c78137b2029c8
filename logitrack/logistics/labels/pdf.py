"""Labels as one PDF (ISO 32000-1 via reportlab): one page per label, in the order given.

Each page has the label's own size (A5, A6, 100x150 or 80x80 mm) so that a printer driver prints
it 1:1. Text is set in Be Vietnam Pro, embedded as a subset, so every diacritic prints and text
can be copied out of the PDF. The Code 128 module is a whole number of 203-dpi printer dots
(0.125 mm), so the bars stay even on the thermal printers these labels are made for.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Final

from reportlab.pdfgen.canvas import Canvas

from logitrack.logistics.labels.data import SIZES_MM, LabelData, LabelSize
from logitrack.logistics.labels.fonts import PDF_NAMES, register_pdf_fonts
from logitrack.logistics.labels.layout import Box, LabelLayout, layout_label
from logitrack.logistics.labels.symbols import (
    CODE128_QUIET_MODULES,
    code128_modules,
    code128_runs,
    qr_matrix,
)

# PostScript points per millimetre (72 per inch).
mm: Final = 72.0 / 25.4
# One dot of a 203-dpi print head, in millimetres.
DOT_203_MM: Final = 25.4 / 203
# Widest Code 128 module drawn, in millimetres: wider bars only make the symbol harder to aim at.
MAX_MODULE_MM: Final = 0.5


def code128_module_mm(value: str, box: Box) -> float:
    """The module width used for ``value`` in ``box``: whole 203-dpi dots, quiet zones included."""
    modules = code128_modules(value) + 2 * CODE128_QUIET_MODULES
    dots = int(box.w / (modules * DOT_203_MM))
    return min(max(dots, 1) * DOT_203_MM, MAX_MODULE_MM)


def _draw_page(canvas: Canvas, layout: LabelLayout) -> None:
    height = layout.height_mm

    def y(top_mm: float) -> float:
        return (height - top_mm) * mm

    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setFillColorRGB(0, 0, 0)
    for rule in layout.rules:
        canvas.setLineWidth(rule.width * mm)
        canvas.line(rule.x1 * mm, y(rule.y1), rule.x2 * mm, y(rule.y2))

    for block in layout.texts:
        for line in block.lines:
            canvas.setFont(PDF_NAMES[line.weight], line.size_pt)
            canvas.drawString(line.x_mm * mm, y(line.baseline_mm), line.text)

    box = layout.barcode_box
    module = code128_module_mm(layout.barcode_value, box)
    x = box.x + (box.w - code128_modules(layout.barcode_value) * module) / 2
    path = canvas.beginPath()
    for is_bar, width in code128_runs(layout.barcode_value):
        if is_bar:
            path.rect(x * mm, y(box.bottom), width * module * mm, box.h * mm)
        x += width * module
    canvas.drawPath(path, stroke=0, fill=1)

    qr = layout.qr_box
    matrix = qr_matrix(layout.qr_value)
    cell = qr.w / len(matrix)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = qr.y + row_index * cell
        start = None
        for col_index, dark in enumerate((*row, False)):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                path.rect(
                    (qr.x + start * cell) * mm,
                    y(top + cell),
                    (col_index - start) * cell * mm,
                    cell * mm,
                )
                start = None
    canvas.drawPath(path, stroke=0, fill=1)


def render_pdf(labels: Sequence[LabelData], size: LabelSize) -> bytes:
    """One PDF with one page per label of ``labels``, in their order, each page ``size``.

    Raises ``LabelDataError`` (before anything is drawn) when a label cannot be printed
    faithfully, and ``ValueError`` for an empty sequence (a PDF without pages is not a PDF).
    """
    if not labels:
        raise ValueError("render_pdf needs at least one label")
    layouts = [layout_label(label, size) for label in labels]
    register_pdf_fonts()
    width, height = SIZES_MM[size]
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(width * mm, height * mm),
        pageCompression=1,
        # Without it every page would also name Helvetica, a font that has no Vietnamese letters.
        initialFontName=PDF_NAMES["regular"],
    )
    canvas.setTitle("Logitrack labels")
    canvas.setCreator("Logitrack")
    for layout in layouts:
        _draw_page(canvas, layout)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
