from __future__ import annotations

import re

import pytest
from PIL import ImageChops
from zebrafy.zebrafy_zpl import ZebrafyZPL

from logitrack.logistics.labels import LABEL_SIZES, LabelDataError, render_zpl
from logitrack.logistics.labels.data import SIZES_MM
from logitrack.logistics.labels.layout import Box, Paragraph, fit_text, layout_label
from logitrack.logistics.labels.raster import box_dots, text_block_image
from logitrack.logistics.labels.tests.samples import label, numbered
from logitrack.logistics.labels.zpl import code128_b_modules

GRAPHIC = re.compile(r"\^FO(\d+),(\d+)\^GFA,(\d+),(\d+),(\d+),([^\^]*)\^FS")


def _formats(zpl: bytes) -> list[str]:
    return re.findall(r"\^XA.*?\^XZ", zpl.decode("utf-8"), flags=re.DOTALL)


def test_one_label_format_per_label_in_the_order_given() -> None:
    labels = numbered(4)
    labels.reverse()

    formats = _formats(render_zpl(labels, "a6"))

    assert len(formats) == 4
    assert [re.search(r"\^FD>:(LT\d+)\^FS", f).group(1) for f in formats] == [  # type: ignore[union-attr]
        "LT0000004",
        "LT0000003",
        "LT0000002",
        "LT0000001",
    ]


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("size", LABEL_SIZES)
def test_print_width_and_label_length_are_the_label_size_in_dots(size: str, dpi: int) -> None:
    (zpl,) = _formats(render_zpl([label()], size, dpi=dpi))  # type: ignore[arg-type]
    width, height = SIZES_MM[size]  # type: ignore[index]

    assert re.search(r"\^PW(\d+)", zpl).group(1) == str(round(width * dpi / 25.4))  # type: ignore[union-attr]
    assert re.search(r"\^LL(\d+)", zpl).group(1) == str(round(height * dpi / 25.4))  # type: ignore[union-attr]


@pytest.mark.parametrize("dpi", [203, 300])
def test_field_data_are_utf8_declared_and_only_the_waybill_and_the_tracking_url(dpi: int) -> None:
    (zpl,) = _formats(render_zpl([label()], "a6", dpi=dpi))  # type: ignore[arg-type]

    assert zpl.startswith("^XA\n^CI28\n")
    assert re.findall(r"\^FD([^\^]*)\^FS", zpl) == [
        ">:LT7K2M9XQ4P8Z",
        "MA,https://logitrack.example.vn/t/LT7K2M9XQ4P8Z",
    ]
    symbols = re.findall(r"\^B[CQ][^\^]*", zpl)
    assert [re.sub(r"\d+", "#", symbol) for symbol in symbols] == ["^BCN,#,N,N,N,N", "^BQN,#,#"]
    # No built-in or downloaded font: every letter is in a bitmap.
    assert re.findall(r"\^A[0-9A-Z@]", zpl) == []


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("size", LABEL_SIZES)
def test_the_barcode_with_its_quiet_zones_fits_inside_the_label(size: str, dpi: int) -> None:
    (zpl,) = _formats(render_zpl([label()], size, dpi=dpi))  # type: ignore[arg-type]
    width = int(re.search(r"\^PW(\d+)", zpl).group(1))  # type: ignore[union-attr]
    x, module = (
        int(v)
        for v in re.search(r"\^FO(\d+),\d+\^BY(\d+),", zpl).groups()  # type: ignore[union-attr]
    )
    symbol = code128_b_modules("LT7K2M9XQ4P8Z") * module

    assert code128_b_modules("LT7K2M9XQ4P8Z") == 11 * 15 + 13
    assert module >= 2
    assert x - 10 * module >= 0
    assert x + symbol + 10 * module <= width


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("size", LABEL_SIZES)
def test_graphic_field_byte_counts_match_the_bitmap_they_carry(size: str, dpi: int) -> None:
    (zpl,) = _formats(render_zpl([label()], size, dpi=dpi))  # type: ignore[arg-type]
    fields = GRAPHIC.findall(zpl)
    images = ZebrafyZPL(zpl).to_images()
    layout = layout_label(label(), size)  # type: ignore[arg-type]
    blocks = [block for block in layout.texts if block.lines]

    assert len(fields) == len(images) == len(blocks)
    for (x, y, binary, total, per_row, data), image, block in zip(
        fields, images, blocks, strict=True
    ):
        bx, by, bw, bh = box_dots(block.box, dpi)
        assert (int(x), int(y)) == (bx, by)
        # Z64: b counts the characters sent, c the bytes of the bitmap they inflate to.
        assert data.startswith(":Z64:")
        assert int(binary) == len(data)
        assert int(total) == int(per_row) * bh
        assert len(image.tobytes()) == int(total)
        assert int(per_row) == (bw + 7) // 8
        assert image.size == (int(per_row) * 8, bh)


@pytest.mark.parametrize("dpi", [203, 300])
def test_the_text_bitmaps_are_exactly_the_text_of_the_preview(dpi: int) -> None:
    (zpl,) = _formats(render_zpl([label()], "a6", dpi=dpi))  # type: ignore[arg-type]
    layout = layout_label(label(), "a6")
    blocks = [block for block in layout.texts if block.lines]

    for image, block in zip(ZebrafyZPL(zpl).to_images(), blocks, strict=True):
        expected = text_block_image(block, dpi, "1")
        printed = image.crop((0, 0, *expected.size)).convert("1")
        assert ImageChops.difference(printed, expected).getbbox() is None
        assert expected.getextrema() == (0, 255)  # something black was drawn


def test_diacritics_are_drawn_into_the_bitmap() -> None:
    box = Box(0, 0, 60, 10)
    marked = text_block_image(fit_text(box, [Paragraph("Nguyễn Đức Thắng", "bold", 12)]), 203)
    plain = text_block_image(fit_text(box, [Paragraph("Nguyen Duc Thang", "bold", 12)]), 203)

    difference = ImageChops.difference(marked, plain).getbbox()

    assert difference is not None


@pytest.mark.parametrize(
    "overrides",
    [
        {"waybill": "LT^XZ^XA"},
        {"waybill": "LT~JR"},
        {"waybill": "LT>5123"},
        {"tracking_url": "https://logitrack.example.vn/t/^XZ"},
        {"tracking_url": "https://logitrack.example.vn/t/~JA"},
    ],
)
def test_field_data_that_would_be_a_zpl_command_is_refused(overrides: dict[str, str]) -> None:
    with pytest.raises(LabelDataError):
        render_zpl([label(**overrides)], "a6")


def test_a_resolution_other_than_203_or_300_dpi_is_refused() -> None:
    with pytest.raises(ValueError, match="203 or 300"):
        render_zpl([label()], "a6", dpi=600)  # type: ignore[arg-type]
