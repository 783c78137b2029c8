"""The label typeface: Be Vietnam Pro (SIL OFL 1.1), from the ``fontpkg-be-vietnam-pro`` wheel.

Be Vietnam Pro is drawn for Vietnamese: every precomposed letter of the alphabet (``ắ ằ ẳ ẵ ặ ỹ
Ỵ``...) and the đồng sign U+20AB has its own glyph, so no mark is stacked at run time. The OFL
allows embedding the font in documents, which is what the PDF does (a subset per document); the
ZPL and PNG renderers rasterise it with Pillow. Nothing is downloaded at run time (ADR 0021).
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Final, Literal

import fontpkg_be_vietnam_pro
from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

Weight = Literal["regular", "bold"]

_FILES: Final[dict[Weight, Path]] = {
    "regular": Path(fontpkg_be_vietnam_pro.ROOT) / "files" / "BeVietnamPro-Regular.ttf",
    "bold": Path(fontpkg_be_vietnam_pro.ROOT) / "files" / "BeVietnamPro-Bold.ttf",
}
PDF_NAMES: Final[dict[Weight, str]] = {
    "regular": "BeVietnamPro-Regular",
    "bold": "BeVietnamPro-Bold",
}


def font_file(weight: Weight) -> Path:
    """Path of the TrueType file of ``weight``."""
    return _FILES[weight]


@cache
def register_pdf_fonts() -> None:
    """Register both weights with reportlab once per process (embedded as subsets)."""
    for weight, name in PDF_NAMES.items():
        pdfmetrics.registerFont(TTFont(name, str(_FILES[weight])))


# Extent of the tallest and deepest Vietnamese letters, in ems: a capital with a stacked mark
# reaches 1.22 above the baseline ("Ẳ" in bold, 1.20 in regular), "g" and the dot below ("Ậ")
# 0.25 below it (test_layout measures every letter with Pillow). Lines are placed so that
# nothing drawn leaves its text block.
LINE_TOP_EM: Final = 1.23
LINE_BOTTOM_EM: Final = 0.27


@lru_cache(maxsize=16384)
def _word_width_em(weight: Weight, text: str) -> float:
    register_pdf_fonts()
    return float(pdfmetrics.stringWidth(text, PDF_NAMES[weight], 1.0))


def text_width_pt(text: str, weight: Weight, size_pt: float) -> float:
    """Advance width of ``text`` in points at ``size_pt`` (from the font's hmtx table)."""
    return _word_width_em(weight, text) * size_pt


@lru_cache(maxsize=256)
def pillow_font(weight: Weight, size_px: int) -> ImageFont.FreeTypeFont:
    """The same face for Pillow at ``size_px`` pixels per em (cached per size)."""
    return ImageFont.truetype(str(_FILES[weight]), size_px)
