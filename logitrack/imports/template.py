"""The downloadable order template: the canonical headers, one example row, as XLSX or CSV.

The CSV is UTF-8 with a BOM (RFC 3629 §6), so that Excel on Windows opens the Vietnamese
headers correctly; the XLSX has the headers bold and frozen, and the phone column formatted as
text so that Excel keeps the leading 0. Both read back through the importer unchanged.
"""

from __future__ import annotations

import csv
import io

from logitrack.imports.columns import FIELDS

TEMPLATE_FIELDS = tuple(f for f in FIELDS if f.key != "weight_kg")
EXAMPLE_ROW: dict[str, str | int] = {
    "reference": "DH-0001",
    "consignee_name": "Nguyễn Văn An",
    "consignee_phone": "0912345678",
    "consignee_email": "",
    "address": "12 Lê Lợi",
    "province": "Thành phố Hồ Chí Minh",
    "district": "",
    "commune": "Phường Sài Gòn",
    "weight_grams": 500,
    "cod_amount": 250000,
    "declared_value": 250000,
    "item_description": "Áo thun",
    "quantity": 1,
    "service_level": "Tiêu chuẩn",
    "notes": "",
}


def template_headers() -> list[str]:
    return [f.canonical_header for f in TEMPLATE_FIELDS]


def template_csv() -> bytes:
    """The template as CSV bytes (UTF-8 with BOM, comma-separated, CRLF line ends)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(template_headers())
    writer.writerow([EXAMPLE_ROW[f.key] for f in TEMPLATE_FIELDS])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """The template as an XLSX workbook (one sheet "Đơn hàng")."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = "Đơn hàng"
    sheet.append(template_headers())
    sheet.append([EXAMPLE_ROW[f.key] for f in TEMPLATE_FIELDS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    phone_column = [f.key for f in TEMPLATE_FIELDS].index("consignee_phone") + 1
    for row in sheet.iter_rows(min_col=phone_column, max_col=phone_column, max_row=1000):
        for cell in row:
            cell.number_format = "@"
    for index, header in enumerate(template_headers(), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(header) + 2)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
