"""Labels as ZPL II for Zebra thermal printers at 203 or 300 dpi: one ``^XA``...``^XZ`` per label.

The printer's built-in fonts have no Vietnamese letters, so every text block is sent as the
monochrome bitmap that :mod:`~logitrack.logistics.labels.raster` draws with Be Vietnam Pro
(``^GFA``, ASCII hex with the ZPL run-length compression, encoded by zebrafy): the label prints
exactly as previewed on any ZPL printer, with no font to download first (ADR 0021). The
symbols are the printer's own: ``^BC`` (Code 128, subset B from an explicit ``>:`` start code, so
the width is known here) and ``^BQ`` (QR, model 2, level M). ``^CI28`` declares UTF-8 field
data; the only field data are the waybill and the tracking URL, which :func:`check_label` limits
to ASCII without ``^``, ``~`` or ``>``, so no data can become a command.

Commands and parameters follow the ZPL II Programming Guide (Zebra P1012728): ^PW print width
and ^LL label length in dots, ^LH label home, ^FO field origin, ^GB graphic box, ^BY module
width, ^PQ quantity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from zebrafy.graphic_field import GraphicField

from logitrack.logistics.labels.data import LabelData, LabelSize
from logitrack.logistics.labels.layout import LabelLayout, layout_label
from logitrack.logistics.labels.raster import box_dots, dots, text_block_image
from logitrack.logistics.labels.symbols import CODE128_QUIET_MODULES, qr_version_modules

ZplDpi = Literal[203, 300]
ZPL_DPIS: Final[tuple[ZplDpi, ...]] = (203, 300)
# ^BQ magnification runs from 1 to 10 dots per module (ZPL II, ^BQ).
MAX_QR_MAGNIFICATION: Final = 10
# ZPL II "^BC": with no invocation code at the start the printer also starts in subset B, but
# saying so keeps the symbol's width independent of firmware defaults.
START_SUBSET_B: Final = ">:"


def code128_b_modules(value: str) -> int:
    """Modules of Code 128 of ``value`` entirely in subset B: start, one symbol per character,
    check symbol (11 modules each) and the 13-module stop pattern (ISO/IEC 15417 §4.2)."""
    return 11 * (len(value) + 2) + 13


def _label(layout: LabelLayout, dpi: ZplDpi) -> str:
    width, height = dots(layout.width_mm, dpi), dots(layout.height_mm, dpi)
    parts = ["^XA", "^CI28", f"^PW{width}", f"^LL{height}", "^LH0,0"]
    for rule in layout.rules:
        x1, y1, x2, y2 = (dots(v, dpi) for v in (rule.x1, rule.y1, rule.x2, rule.y2))
        thickness = max(1, dots(rule.width, dpi))
        box_w, box_h = max(x2 - x1, thickness), max(y2 - y1, thickness)
        parts.append(f"^FO{x1},{y1}^GB{box_w},{box_h},{thickness},B,0^FS")
    for block in layout.texts:
        if not block.lines:
            continue
        x, y, _, _ = box_dots(block.box, dpi)
        field = GraphicField(text_block_image(block, dpi, "1"), format="Z64")
        parts.append(f"^FO{x},{y}{field.get_graphic_field()}")

    x, y, box_w, box_h = box_dots(layout.barcode_box, dpi)
    symbol = code128_b_modules(layout.barcode_value)
    module = max(1, min(box_w // (symbol + 2 * CODE128_QUIET_MODULES), dots(0.5, dpi)))
    x += (box_w - symbol * module) // 2
    parts.append(
        f"^FO{x},{y}^BY{module},3,{box_h}^BCN,{box_h},N,N,N,N"
        f"^FD{START_SUBSET_B}{layout.barcode_value}^FS"
    )

    x, y, side, _ = box_dots(layout.qr_box, dpi)
    magnification = max(1, min(MAX_QR_MAGNIFICATION, side // qr_version_modules(layout.qr_value)))
    offset = (side - magnification * qr_version_modules(layout.qr_value)) // 2
    parts.append(f"^FO{x + offset},{y + offset}^BQN,2,{magnification}^FDMA,{layout.qr_value}^FS")
    parts += ["^PQ1", "^XZ"]
    return "\n".join(parts) + "\n"


def render_zpl(labels: Sequence[LabelData], size: LabelSize, *, dpi: ZplDpi = 203) -> bytes:
    """ZPL II for ``labels`` at ``size`` for a ``dpi`` print head, one label format per label in
    order, UTF-8 encoded. Raises ``LabelDataError`` for unprintable input and ``ValueError`` for a
    resolution other than 203 or 300 dpi or an empty sequence."""
    if dpi not in ZPL_DPIS:
        raise ValueError("dpi must be 203 or 300")
    if not labels:
        raise ValueError("render_zpl needs at least one label")
    layouts = [layout_label(label, size) for label in labels]
    return "".join(_label(layout, dpi) for layout in layouts).encode("utf-8")
