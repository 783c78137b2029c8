"""Test sheets made on the spot: CSV bytes in any encoding, XLSX workbooks via openpyxl."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

HEADERS = [
    "Mã đơn hàng",
    "Họ tên người nhận",
    "Số điện thoại",
    "Địa chỉ",
    "Khối lượng (gram)",
    "Tiền thu hộ (COD)",
]
ROW = [
    "DH1",
    "Nguyễn Văn An",
    "0912345678",
    "12 Lê Lợi, Phường Sài Gòn, TP.HCM",
    "500",
    "1.250.000",
]


def cp1258(text: str) -> bytes:
    """``text`` as Windows-1258 writes it: precomposed where the code page has the letter (ê, ơ,
    ư, ă, â ...), tone marks as combining characters after it."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], list(decomposed[1:])
        # Recompose the base with every non-tone mark (circumflex, breve, horn), keep tones apart.
        tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
        others = "".join(m for m in marks if m not in tones)
        out += unicodedata.normalize("NFC", base + others).encode("cp1258")
        out += "".join(tones).encode("cp1258")
    return bytes(out)


def csv_bytes(
    rows: Sequence[Sequence[object]], *, encoding: str = "utf-8", delimiter: str = ","
) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    if encoding == "cp1258":
        return cp1258(out.getvalue())
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]], *, start_row: int = 1) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=start_row + offset, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_extra_member(data: bytes, name: str, content: bytes) -> bytes:
    """A copy of the XLSX package ``data`` with one more ZIP member."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(name, content)
    return out.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = content if info.filename == name else source.read(info)
            target.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
