"""Header rows, column names, cell values and card numbers, as carriers' sheets hold them."""

from __future__ import annotations

import pytest

from logitrack.imports import cells
from logitrack.imports.columns import (
    find_header_row,
    guess_field,
    guess_mapping,
    header_key,
    header_signature,
    missing_required,
)
from logitrack.imports.reading import SheetRefused, read_sheet
from logitrack.imports.rows import locate_header, parse_rows
from logitrack.imports.template import template_csv, template_headers, template_xlsx
from logitrack.imports.tests.sheets import HEADERS, ROW, csv_bytes, xlsx_bytes


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Họ tên người nhận", "consignee_name"),
        ("Họ tên người nhận (*)", "consignee_name"),
        ("TÊN NGƯỜI NHẬN", "consignee_name"),
        ("ho ten nguoi nhan", "consignee_name"),
        ("Số điện thoại", "consignee_phone"),
        ("SĐT người nhận(*)", "consignee_phone"),
        ("Số điện thoại người nhận hàng", "consignee_phone"),
        ("Địa chỉ", "address"),
        ("Địa chỉ nhận (*)", "address"),
        ("Tỉnh/Thành phố", "province"),
        ("Tỉnh đến", "province"),
        ("Quận/Huyện", "district"),
        ("Phường/Xã", "commune"),
        ("Khối lượng (gram)", "weight_grams"),
        ("Trọng lượng (kg)", "weight_kg"),
        ("Tiền thu hộ (COD)", "cod_amount"),
        ("Tiền thu hộ (VNĐ)", "cod_amount"),
        ("Giá trị hàng", "declared_value"),
        ("Mã đơn hàng", "reference"),
        ("Ghi chú", "notes"),
        ("Tên sản phẩm", "item_description"),
        ("Số lượng", "quantity"),
        ("Dịch vụ", "service_level"),
        ("Recipient name", "consignee_name"),
        ("Phone number", "consignee_phone"),
        ("Delivery address", "address"),
        ("Weight (kg)", "weight_kg"),
        ("COD amount", "cod_amount"),
        ("Số điện thoại người gửi", ""),
        ("Địa chỉ lấy hàng", ""),
        ("Cột lạ", ""),
        ("", ""),
    ],
)
def test_header_names_of_carrier_templates_map_to_order_fields(header: str, field: str) -> None:
    assert guess_field(header) == field


def test_header_key_ignores_accents_case_punctuation_and_the_required_marker() -> None:
    assert header_key("Họ tên người nhận (*)") == "ho ten nguoi nhan"
    assert header_key("ĐỊA CHỈ—NHẬN") == "dia chi nhan"


def test_a_field_is_mapped_to_its_first_column_only() -> None:
    assert guess_mapping(["SĐT", "Số điện thoại", "Tên người nhận"]) == [
        "consignee_phone",
        "",
        "consignee_name",
    ]


def test_header_row_is_found_below_a_carriers_title_block() -> None:
    rows = [
        (1, ["CÔNG TY TNHH VẬN CHUYỂN"]),
        (3, ["Hướng dẫn: các cột có dấu (*) là bắt buộc"]),
        (7, ["STT", "Họ tên người nhận (*)", "Số điện thoại (*)", "Địa chỉ (*)"]),
        (8, ["1", "An", "0912345678", "12 Lê Lợi"]),
    ]

    assert find_header_row(rows) == 2


def test_a_sheet_without_a_header_row_is_refused() -> None:
    sheet = read_sheet(csv_bytes([["a", "b"], ["1", "2"]]))

    with pytest.raises(SheetRefused) as refused:
        locate_header(sheet)

    assert refused.value.code == "header_not_found"


def test_header_signature_is_the_same_for_two_spellings_of_one_template() -> None:
    assert header_signature(["Họ tên người nhận (*)", "SĐT"]) == header_signature(
        ["HỌ TÊN NGƯỜI NHẬN", "sđt"]
    )
    assert header_signature(["A", "B"]) != header_signature(["B", "A"])


def test_missing_required_counts_a_weight_in_kilograms() -> None:
    assert missing_required(["consignee_name", "consignee_phone", "address", "weight_kg"]) == []
    assert missing_required(["consignee_name"]) == ["consignee_phone", "address", "weight_grams"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("091-234-5678", "+84912345678"),
        (912345678, "+84912345678"),
        (912345678.0, "+84912345678"),
        ("912345678", "+84912345678"),
        (84912345678, "+84912345678"),
        ("84912345678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("9.12345678E8", "+84912345678"),
        ("9,12345678E+08", "+84912345678"),
        (2838123456, "+842838123456"),
        ("\uff10\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", "+84912345678"),
    ],
)
def test_phone_numbers_that_lost_their_leading_zero_are_recovered(
    cell: object, expected: str
) -> None:
    assert cells.phone(cell) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", ["12345", "abc", "0123", 1.5, "+1 555"])
def test_invalid_phone_numbers_are_refused(cell: object) -> None:
    with pytest.raises(cells.CellError) as error:
        cells.phone(cell)  # type: ignore[arg-type]

    assert error.value.code == "phone_invalid"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.250.000", 1250000),
        ("1,250,000 đ", 1250000),
        ("1 250 000 VNĐ", 1250000),
        ("1250000₫", 1250000),
        (1250000.0, 1250000),
        (1250000, 1250000),
        ("1.250", 1250),
        ("0", 0),
        ("", None),
        (None, None),
    ],
)
def test_money_cells_are_read_as_whole_vnd(cell: object, expected: int | None) -> None:
    assert cells.money(cell) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("-5000", "money_negative"),
        ("12.5", "money_fraction"),
        (100.5, "money_fraction"),
        ("một triệu", "number_invalid"),
        ("1.25.000", "number_invalid"),
    ],
)
def test_invalid_money_cells_are_refused(cell: object, code: str) -> None:
    with pytest.raises(cells.CellError) as error:
        cells.money(cell)  # type: ignore[arg-type]

    assert error.value.code == code


def test_cod_above_the_cap_is_refused() -> None:
    with pytest.raises(cells.CellError) as error:
        cells.money("50.000.001", maximum=50_000_000)

    assert error.value.code == "money_above_cap"
    assert error.value.params == {"maximum": 50_000_000}


def test_weights_in_kilograms_become_grams_rounded_up() -> None:
    assert cells.weight_grams("0,5", unit_kg=True) == 500
    assert cells.weight_grams(1.2345, unit_kg=True) == 1235
    assert cells.weight_grams("1.500") == 1500
    assert cells.weight_grams(250) == 250


@pytest.mark.parametrize("cell", ["-1", "0", -0.5])
def test_weights_that_are_not_positive_are_refused(cell: object) -> None:
    with pytest.raises(cells.CellError) as error:
        cells.weight_grams(cell)  # type: ignore[arg-type]

    assert error.value.code == "weight_not_positive"


@pytest.mark.parametrize(
    ("cell", "level"),
    [
        ("", "standard"),
        ("Tiêu chuẩn", "standard"),
        ("Nhanh", "express"),
        ("HỎA TỐC", "same_day"),
        ("Same day", "same_day"),
        ("express", "express"),
    ],
)
def test_service_names_in_either_language_are_understood(cell: str, level: str) -> None:
    assert cells.service_level(cell) == level


@pytest.mark.parametrize(
    ("cell", "found"),
    [
        ("4111111111111111", True),
        ("4111 1111 1111 1111", True),
        ("thẻ 5500-0000-0000-0004 của khách", True),
        (4111111111111111, True),
        (4111111111111111.0, True),
        ("378282246310005", True),
        ("4111111111111112", False),  # Luhn check fails
        ("DH4111111111111111", True),  # glued to letters: still a card (ADR 0027)
        ("\uff14" + "\uff11" * 15, True),  # fullwidth digits
        ("\u0664" + "\u0661" * 15, True),  # Arabic-Indic digits
        ("4111.1111.1111.1111", True),
        ("4111\u200b1111\u200b1111\u200b1111", True),
        (8930000000000000.0, False),  # not Luhn-valid with a network prefix
        ("DH-2026-0001", False),
        ("0912345678", False),
        (None, False),
    ],
)
def test_card_numbers_are_found_by_their_luhn_digit(cell: object, found: bool) -> None:
    assert cells.holds_card_number(cell) is found  # type: ignore[arg-type]


def test_rows_are_read_into_orders_with_the_sheet_row_numbers() -> None:
    sheet = read_sheet(
        xlsx_bytes(
            [
                ["DANH SÁCH"],
                [],
                [],
                [],
                [],
                [],
                HEADERS,
                ["DH1", "Nguyễn Văn An", 912345678, "12 Lê Lợi", 500, 1250000.0],
            ]
        )
    )
    header = locate_header(sheet)

    result = parse_rows(sheet, header, header.mapping)

    assert header.row == 7
    assert result.issues == []
    assert result.total == 1
    order = result.rows[0]
    assert (
        order.row,
        order.reference,
        order.consignee_phone,
        order.cod_amount,
        order.weight_grams,
    ) == (8, "DH1", "+84912345678", 1250000, 500)


def test_cp1258_names_are_stored_in_nfc() -> None:
    sheet = read_sheet(csv_bytes([HEADERS, ROW], encoding="cp1258"))
    header = locate_header(sheet)

    result = parse_rows(sheet, header, header.mapping)

    assert result.rows[0].consignee_name == "Nguyễn Văn An"
    assert result.rows[0].address == "12 Lê Lợi, Phường Sài Gòn, TP.HCM"


def test_each_bad_cell_is_reported_with_its_row_and_column() -> None:
    sheet = read_sheet(csv_bytes([HEADERS, ROW, ["DH2", "", "123", "x", "-5", "abc"]]))
    header = locate_header(sheet)

    result = parse_rows(sheet, header, header.mapping)

    assert [order.row for order in result.rows] == [2]
    assert result.refused_rows == {3}
    assert [(i["row"], i["column"], i["code"]) for i in result.issues] == [
        (3, "Số điện thoại", "phone_invalid"),
        (3, "Khối lượng (gram)", "weight_not_positive"),
        (3, "Tiền thu hộ (COD)", "number_invalid"),
        (3, "Họ tên người nhận", "required"),
    ]


@pytest.mark.parametrize("card", ["4111 1111 1111 1111", "card4111111111111111"])
def test_a_card_number_anywhere_refuses_the_row_and_is_never_echoed(card: str) -> None:
    sheet = read_sheet(
        csv_bytes(
            [
                [*HEADERS, "Ghi chú thêm"],
                [*ROW, card],
                ["DH2", "Bình", "0912345679", "1 Lê Lợi", "100", "0", ""],
            ]
        )
    )
    header = locate_header(sheet)

    result = parse_rows(sheet, header, header.mapping)

    assert [order.row for order in result.rows] == [3]
    assert result.issues == [
        {"row": 2, "column": "Ghi chú thêm", "code": "card_number", "params": {}}
    ]
    assert "4111" not in repr(result)
    assert "1111" not in repr(result.issues)


def test_a_repeated_reference_refuses_the_later_row() -> None:
    sheet = read_sheet(csv_bytes([HEADERS, ROW, ROW]))
    header = locate_header(sheet)

    result = parse_rows(sheet, header, header.mapping)

    assert [order.row for order in result.rows] == [2]
    assert result.issues == [
        {
            "row": 3,
            "column": "Mã đơn hàng",
            "code": "duplicate_reference",
            "params": {"other_row": 2},
        }
    ]


def test_the_template_reads_back_with_every_column_mapped() -> None:
    for data in (template_csv(), template_xlsx()):
        sheet = read_sheet(data)
        header = locate_header(sheet)
        result = parse_rows(sheet, header, header.mapping)

        assert header.headers == template_headers()
        assert "" not in header.mapping
        assert result.issues == []
        assert result.rows[0].consignee_phone == "+84912345678"
        assert result.rows[0].cod_amount == 250000
