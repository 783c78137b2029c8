"""Reading uploads: type from the bytes, encodings, delimiters, caps and XLSX bomb checks."""

from __future__ import annotations

import pytest

from logitrack.imports.reading import Limits, SheetRefused, read_sheet, sniff_delimiter
from logitrack.imports.tests.sheets import (
    HEADERS,
    ROW,
    csv_bytes,
    replace_member,
    with_extra_member,
    xlsx_bytes,
)


def test_utf8_csv_without_bom_is_read_with_row_numbers_from_one() -> None:
    sheet = read_sheet(csv_bytes([HEADERS, ROW]))

    assert sheet.kind == "csv"
    assert sheet.encoding == "utf-8"
    assert sheet.rows == [(1, HEADERS), (2, ROW)]


def test_utf8_csv_with_bom_drops_the_bom_from_the_first_header() -> None:
    sheet = read_sheet(b"\xef\xbb\xbf" + csv_bytes([HEADERS, ROW]))

    assert sheet.encoding == "utf-8-sig"
    assert sheet.rows[0][1][0] == "Mã đơn hàng"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_csv_with_bom_is_read(encoding: str) -> None:
    data = csv_bytes([HEADERS, ROW], encoding="utf-16")
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + csv_bytes([HEADERS, ROW], encoding="utf-16-be")

    sheet = read_sheet(data)

    assert sheet.encoding == "utf-16"
    assert sheet.rows[1][1] == ROW


def test_windows_1258_csv_is_decoded_with_its_combining_tone_marks() -> None:
    # cp1258 stores "ễ" as "ê" + COMBINING TILDE (0xDE); NFC comes from the text layer.
    data = csv_bytes(
        [["Họ tên người nhận", "Số điện thoại"], ["Nguyễn", "0912345678"]], encoding="cp1258"
    )

    sheet = read_sheet(data)

    assert sheet.encoding == "cp1258"
    assert sheet.rows[1][1][0] == "Nguy\u00ea\u0303n"


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_delimiter_is_sniffed_below_a_title_block(delimiter: str) -> None:
    rows = [["CÔNG TY ABC - DANH SÁCH ĐƠN"], [], ["Ghi chú: cột (*) bắt buộc"], HEADERS, ROW]

    assert sniff_delimiter(csv_bytes(rows, delimiter=delimiter).decode()) == delimiter


def test_blank_rows_are_left_out_and_keep_the_numbers_people_see() -> None:
    sheet = read_sheet(csv_bytes([["Tiêu đề"], [], ["", ""], HEADERS, ROW]))

    assert [number for number, _cells in sheet.rows] == [1, 4, 5]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "file_type_not_allowed"),  # a Windows executable
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00", "file_type_not_allowed"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "file_type_not_allowed"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "file_legacy_xls"),
        (b"PK\x03\x04not really a zip", "file_type_not_allowed"),
        (b'"unclosed,quote\n' + b"x" * 10, "file_type_not_allowed"),
    ],
)
def test_files_that_are_not_order_sheets_are_refused(data: bytes, code: str) -> None:
    if code == "file_type_not_allowed" and data.startswith(b'"'):
        data = data + b"\x00"
    with pytest.raises(SheetRefused) as refused:
        read_sheet(data)

    assert refused.value.code == code


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("program.exe", b"MZ")

    with pytest.raises(SheetRefused) as refused:
        read_sheet(out.getvalue())

    assert refused.value.code == "file_type_not_allowed"


def test_a_file_over_the_size_cap_is_refused_before_it_is_read() -> None:
    with pytest.raises(SheetRefused) as refused:
        read_sheet(b"a,b\n" * 300, Limits(max_file_bytes=1000))

    assert refused.value.code == "file_too_large"


def test_more_rows_than_the_cap_is_refused() -> None:
    with pytest.raises(SheetRefused) as refused:
        read_sheet(csv_bytes([HEADERS] + [ROW] * 10), Limits(max_rows=5))

    assert refused.value.code == "file_too_many_rows"


def test_more_columns_than_the_cap_is_refused() -> None:
    with pytest.raises(SheetRefused) as refused:
        read_sheet(csv_bytes([["a"] * 20]), Limits(max_columns=10))

    assert refused.value.code == "file_too_many_columns"


def test_xlsx_rows_keep_the_sheet_row_numbers_and_cell_types() -> None:
    data = xlsx_bytes(
        [
            ["DANH SÁCH ĐƠN HÀNG"],
            [],
            [],
            [],
            [],
            [],
            HEADERS,
            ["DH1", "An", 912345678, "12 Lê Lợi", 500, 1250000.0],
        ]
    )

    sheet = read_sheet(data)

    assert sheet.kind == "xlsx"
    assert sheet.rows[0][0] == 1
    assert sheet.rows[1] == (7, HEADERS)
    assert sheet.rows[2][0] == 8
    assert sheet.rows[2][1][2] == 912345678
    assert sheet.rows[2][1][5] == 1250000


def test_xlsx_whose_data_starts_below_and_right_of_a1_keeps_positions() -> None:
    data = xlsx_bytes([["", "Họ tên người nhận", "SĐT"], ["", "An", "0912345678"]], start_row=7)

    sheet = read_sheet(data)

    assert sheet.rows[0][0] == 7
    assert sheet.rows[0][1][1:3] == ["Họ tên người nhận", "SĐT"]


def test_xlsx_with_a_vba_project_is_refused() -> None:
    data = with_extra_member(xlsx_bytes([HEADERS, ROW]), "xl/vbaProject.bin", b"\x00" * 64)

    with pytest.raises(SheetRefused) as refused:
        read_sheet(data)

    assert refused.value.code == "xlsx_macros"


def test_xlsx_with_external_workbook_links_is_refused() -> None:
    data = with_extra_member(
        xlsx_bytes([HEADERS, ROW]), "xl/externalLinks/externalLink1.xml", b"<externalLink/>"
    )

    with pytest.raises(SheetRefused) as refused:
        read_sheet(data)

    assert refused.value.code == "xlsx_external_links"


def test_xlsx_decompression_bomb_is_refused_from_the_zip_directory() -> None:
    # 50 MB of zeros compress to about 50 KB: a ratio of about 1000.
    data = with_extra_member(
        xlsx_bytes([HEADERS, ROW]), "xl/media/padding.bin", b"\x00" * 50_000_000
    )

    with pytest.raises(SheetRefused) as refused:
        read_sheet(data)

    assert refused.value.code == "xlsx_too_large"


def test_xlsx_over_the_uncompressed_cap_is_refused() -> None:
    data = xlsx_bytes([HEADERS, ROW])

    with pytest.raises(SheetRefused) as refused:
        read_sheet(data, Limits(xlsx_max_uncompressed=1000))

    assert refused.value.code == "xlsx_too_large"


def test_xlsx_naming_a_far_away_cell_is_refused_before_it_is_read() -> None:
    data = xlsx_bytes([HEADERS, ROW])
    sheet_xml = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t>'
        b'</is></c><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row></sheetData>'
        b"</worksheet>"
    )

    with pytest.raises(SheetRefused) as refused:
        read_sheet(replace_member(data, "xl/worksheets/sheet1.xml", sheet_xml))

    assert refused.value.code == "file_too_many_rows"


def test_xlsx_with_too_many_columns_is_refused() -> None:
    with pytest.raises(SheetRefused) as refused:
        read_sheet(xlsx_bytes([["x"] * 30]), Limits(max_columns=20))

    assert refused.value.code == "file_too_many_columns"
