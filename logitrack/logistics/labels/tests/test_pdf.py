from __future__ import annotations

import io
import re
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from django.utils import translation
from pypdf import PdfReader

from logitrack.logistics.labels import LABEL_SIZES, LabelDataError, LabelParty, render_pdf
from logitrack.logistics.labels.data import SIZES_MM
from logitrack.logistics.labels.tests.samples import LONG_ADDRESS, LONG_NAME, label, numbered

PT_PER_MM = 72 / 25.4


def _pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_one_page_per_label_in_the_order_given() -> None:
    labels = numbered(5)
    labels.reverse()

    pages = _pages_text(render_pdf(labels, "a6"))

    assert len(pages) == 5
    assert [re.findall(r"LT\d{7}", text)[0] for text in pages] == [
        "LT0000005",
        "LT0000004",
        "LT0000003",
        "LT0000002",
        "LT0000001",
    ]


@pytest.mark.parametrize("size", LABEL_SIZES)
def test_every_page_has_the_size_of_the_label(size: str) -> None:
    reader = PdfReader(io.BytesIO(render_pdf(numbered(2), size)))  # type: ignore[arg-type]
    width, height = SIZES_MM[size]  # type: ignore[index]

    boxes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]

    expected = (round(width * PT_PER_MM, 2), round(height * PT_PER_MM, 2))
    assert [(round(w, 2), round(h, 2)) for w, h in boxes] == [expected, expected]


def test_vietnamese_text_comes_back_out_of_the_pdf_with_every_diacritic() -> None:
    with translation.override("en"):
        (text,) = _pages_text(render_pdf([label()], "a6"))

    assert "Nguyễn Thị Ánh Tuyết" in text
    assert "45 Trần Hưng Đạo, Phường Cửa Nam" in text
    assert "Old address: 45 Trần Hưng Đạo, P. Hàng Bài, Q. Hoàn Kiếm, Hà Nội" in text
    assert "Công ty TNHH Thời Trang Ánh Dương" in text
    assert "HÀ NỘI" in text
    # The no-break space between amount and sign shares the space's glyph, so it reads back as one.
    assert "COD: 1.250.000 ₫" in text
    assert "Weight: 1.250 g" in text
    assert "Service: Nhanh" in text
    assert "Parcel 1/2" in text
    assert "29/11/2026" in text


def test_the_font_is_be_vietnam_pro_embedded_as_a_subset() -> None:
    reader = PdfReader(io.BytesIO(render_pdf([label()], "a6")))
    fonts: Any = reader.pages[0]["/Resources"]["/Font"]  # type: ignore[index]

    descriptors = [fonts[key].get_object()["/FontDescriptor"].get_object() for key in fonts]

    names = sorted(str(d["/FontName"]).split("+")[-1] for d in descriptors)
    assert set(names) == {"BeVietnamPro-Bold", "BeVietnamPro-Regular"}
    assert all("/FontFile2" in d for d in descriptors)


@pytest.mark.parametrize("size", LABEL_SIZES)
def test_the_barcode_and_the_qr_code_scan_from_the_printed_page(size: str) -> None:
    pdf = render_pdf([label()], size)  # type: ignore[arg-type]
    page = pypdfium2.PdfDocument(pdf)[0].render(scale=203 / 72).to_pil()

    found = {(r.format.name, r.text) for r in zxingcpp.read_barcodes(page)}

    assert found == {
        ("Code128", "LT7K2M9XQ4P8Z"),
        ("QRCode", "https://logitrack.example.vn/t/LT7K2M9XQ4P8Z"),
    }


@pytest.mark.parametrize("size", LABEL_SIZES)
def test_long_names_and_addresses_stay_on_the_page_and_off_the_symbols(size: str) -> None:
    party = LabelParty(LONG_NAME, "+84 912 345 678", (LONG_ADDRESS,), LONG_ADDRESS)
    pdf = render_pdf([label(recipient=party, sender=party)], size)  # type: ignore[arg-type]
    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    text_page = page.get_textpage()
    width, height = page.get_size()

    boxes = [text_page.get_charbox(i) for i in range(text_page.count_chars())]

    assert len(boxes) > 100
    assert all(
        left >= 0 and right <= width and bottom >= 0 and top <= height
        for left, bottom, right, top in boxes
    )
    rendered = page.render(scale=203 / 72).to_pil()
    assert {r.text for r in zxingcpp.read_barcodes(rendered)} == {
        "LT7K2M9XQ4P8Z",
        "https://logitrack.example.vn/t/LT7K2M9XQ4P8Z",
    }


def test_a_pdf_without_labels_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one label"):
        render_pdf([], "a6")


def test_one_unprintable_label_refuses_the_whole_batch() -> None:
    with pytest.raises(LabelDataError, match="waybill"):
        render_pdf([label(), label(waybill="LT^XA")], "a6")


def test_a_label_without_cod_says_so_instead_of_zero() -> None:
    with translation.override("en"):
        (english,) = _pages_text(render_pdf([label(cod_vnd=0)], "a6"))
    with translation.override("vi"):
        (vietnamese,) = _pages_text(render_pdf([label(cod_vnd=0)], "a6"))

    assert "No COD" in english
    assert "COD: 0" not in english
    assert "Không thu hộ" in vietnamese
    assert "Thu hộ COD: 0" not in vietnamese
