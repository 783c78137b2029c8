from __future__ import annotations

import pytest
from django.utils import translation
from reportlab.pdfbase import pdfmetrics

from logitrack.logistics.labels import LABEL_SIZES, LabelDataError, LabelParty, format_vnd
from logitrack.logistics.labels.fonts import (
    LINE_BOTTOM_EM,
    LINE_TOP_EM,
    PDF_NAMES,
    Weight,
    pillow_font,
    register_pdf_fonts,
)
from logitrack.logistics.labels.layout import (
    ELLIPSIS,
    PT_PER_MM,
    Box,
    Paragraph,
    fit_text,
    layout_label,
)
from logitrack.logistics.labels.tests.samples import LONG_ADDRESS, LONG_NAME, label

# The 134 letters of Vietnamese: the 12 vowels with the five tones each, đ, both cases.
_VOWELS = "aăâeêioôơuưy"
_TONES = "\u0300\u0301\u0303\u0309\u0323"
VIETNAMESE = (
    "".join(
        __import__("unicodedata").normalize("NFC", v + t)
        for v in _VOWELS + _VOWELS.upper()
        for t in ("", *_TONES)
    )
    + "đĐ₫"
)


def test_format_vnd_groups_thousands_with_dots_and_the_dong_sign() -> None:
    assert format_vnd(1_250_000) == "1.250.000\u00a0₫"
    assert format_vnd(0) == "0\u00a0₫"
    assert format_vnd(999) == "999\u00a0₫"
    assert format_vnd(1000) == "1.000\u00a0₫"


@pytest.mark.parametrize("weight", ["regular", "bold"])
def test_every_vietnamese_letter_has_its_own_glyph(weight: str) -> None:
    register_pdf_fonts()
    face = pdfmetrics.getFont(PDF_NAMES[weight]).face  # type: ignore[index]

    missing = [char for char in VIETNAMESE if ord(char) not in face.charToGlyph]

    assert len(VIETNAMESE) == 12 * 6 * 2 + 3
    assert missing == []


@pytest.mark.parametrize("weight", ["regular", "bold"])
def test_no_vietnamese_letter_reaches_outside_the_line_extent(weight: Weight) -> None:
    font = pillow_font(weight, 200)

    tops = [-font.getbbox(char, anchor="ls")[1] / 200 for char in VIETNAMESE + "gjpqy"]
    bottoms = [font.getbbox(char, anchor="ls")[3] / 200 for char in VIETNAMESE + "gjpqy"]

    assert max(tops) <= LINE_TOP_EM
    assert max(bottoms) <= LINE_BOTTOM_EM


def _inside(box: Box, block_lines: tuple) -> bool:  # type: ignore[type-arg]
    for line in block_lines:
        size_mm = line.size_pt / PT_PER_MM
        if line.x_mm < box.x - 1e-6 or line.x_mm + line.width_mm > box.right + 1e-6:
            return False
        if line.baseline_mm - LINE_TOP_EM * size_mm < box.y - 1e-6:
            return False
        if line.baseline_mm + LINE_BOTTOM_EM * size_mm > box.bottom + 1e-6:
            return False
    return True


def test_a_short_text_keeps_its_size_and_is_not_cut() -> None:
    box = Box(0, 0, 60, 20)

    block = fit_text(box, [Paragraph("Nguyễn Văn An", "bold", 11)])

    assert [(line.text, line.size_pt) for line in block.lines] == [("Nguyễn Văn An", 11)]
    assert block.truncated is False


def test_a_long_address_wraps_onto_more_lines_before_shrinking() -> None:
    box = Box(0, 0, 40, 30)
    text = "45 Trần Hưng Đạo, Phường Cửa Nam, Thành phố Hà Nội"

    block = fit_text(box, [Paragraph(text, "regular", 9)])

    assert len(block.lines) > 1
    assert {line.size_pt for line in block.lines} == {9}
    assert " ".join(line.text for line in block.lines) == text
    assert _inside(box, block.lines)


def test_text_too_long_for_its_box_shrinks_then_ends_with_an_ellipsis_inside_the_box() -> None:
    box = Box(5, 5, 30, 10)

    block = fit_text(box, [Paragraph(LONG_ADDRESS, "regular", 9)])

    assert block.truncated is True
    assert block.lines[-1].text.endswith(ELLIPSIS)
    assert all(line.size_pt == pytest.approx(4.5) for line in block.lines)
    assert _inside(box, block.lines)


def test_a_word_wider_than_its_box_is_broken_between_letters() -> None:
    box = Box(0, 0, 15, 40)

    block = fit_text(box, [Paragraph("Đ" * 40, "bold", 12)])

    assert "".join(line.text for line in block.lines).rstrip(ELLIPSIS).strip("Đ") == ""
    assert _inside(box, block.lines)


@pytest.mark.parametrize("size", LABEL_SIZES)
def test_long_names_and_addresses_never_leave_their_blocks_on_any_size(size: str) -> None:
    party = LabelParty(LONG_NAME, "+84 912 345 678", (LONG_ADDRESS, LONG_ADDRESS), LONG_ADDRESS)
    long_label = label(sender=party, recipient=party, destination="Thành phố Hồ Chí Minh" * 3)

    layout = layout_label(long_label, size)  # type: ignore[arg-type]

    assert all(_inside(block.box, block.lines) for block in layout.texts)
    assert all(
        block.box.x >= 0
        and block.box.right <= layout.width_mm
        and block.box.bottom <= layout.height_mm
        for block in layout.texts
    )


def test_the_recipient_block_prints_the_new_and_the_old_address() -> None:
    with translation.override("en"):
        layout = layout_label(label(), "a6")

    text = [line.text for block in layout.texts for line in block.lines]

    assert "45 Trần Hưng Đạo, Phường Cửa Nam" in text
    assert "Old address: 45 Trần Hưng Đạo, P. Hàng Bài, Q. Hoàn Kiếm, Hà Nội" in text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"waybill": "LT^XZ"}, "waybill"),
        ({"waybill": ""}, "waybill"),
        ({"waybill": "LT 123"}, "waybill"),
        ({"tracking_url": "https://x.vn/t/~JA"}, "tracking_url"),
        ({"tracking_url": "javascript:alert(1)"}, "tracking_url"),
        ({"cod_vnd": -1}, "cod_vnd"),
        ({"weight_g": -5}, "weight_g"),
        ({"parcel_index": 3, "parcel_count": 2}, "parcel_index"),
    ],
)
def test_unprintable_label_data_is_refused(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(LabelDataError, match=field):
        layout_label(label(**overrides), "a6")


def test_an_amount_never_wraps_away_from_its_dong_sign() -> None:
    box = Box(0, 0, 38, 30)

    block = fit_text(box, [Paragraph("Thu hộ COD: " + format_vnd(12_500_000), "bold", 14)])

    assert [line.text for line in block.lines][-1].endswith("12.500.000\u00a0₫")
