"""Shipping labels: PDF (A5, A6, 100x150 mm, 80x80 mm), ZPL II (203/300 dpi) and a PNG preview.

All three are drawn from one layout (``layout.py``) with one typeface (Be Vietnam Pro, shipped in a
PyPI package and embedded), so a label reads the same on paper, on a Zebra printer and on screen.
Nothing here touches the database or the network: callers build :class:`LabelData`.
"""

from logitrack.logistics.labels.data import (
    LABEL_SIZES,
    LabelData,
    LabelDataError,
    LabelParty,
    LabelSize,
    format_vnd,
)
from logitrack.logistics.labels.pdf import render_pdf
from logitrack.logistics.labels.raster import render_preview_png
from logitrack.logistics.labels.zpl import ZPL_DPIS, ZplDpi, render_zpl

__all__ = [
    "LABEL_SIZES",
    "ZPL_DPIS",
    "LabelData",
    "LabelDataError",
    "LabelParty",
    "LabelSize",
    "ZplDpi",
    "format_vnd",
    "render_pdf",
    "render_preview_png",
    "render_zpl",
]
