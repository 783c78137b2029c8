"""The import's fast paths give the answers of the slow ones they stand in front of.

``cells._vn_mobile_e164`` answers Vietnamese mobile numbers without ``phonenumbers.parse``;
``cells.cell_text`` returns a text cell at once. Both must change no answer: every phone, every
row and every report of the import is compared with the path that goes through the library.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import phonenumbers
import pytest

from logitrack.imports import cells
from logitrack.imports.reading import read_sheet
from logitrack.imports.rows import locate_header, parse_rows
from logitrack.imports.tests.sheets import csv_bytes


def _library_answer(candidate: str) -> str | None:
    """What ``cells.phone`` asked of ``phonenumbers`` before the fast path, for one candidate."""
    try:
        number = phonenumbers.parse(candidate, cells.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_the_vn_mobile_fast_path_agrees_with_phonenumbers_on_every_four_digit_prefix() -> None:
    # The VN patterns decide on at most the first four digits of the national number, the rest
    # being \d: every prefix, in every shape the fast path accepts and a few it refuses, with
    # two drawn endings each, covers every decision the fast path can make.
    draw = random.Random(20261130)  # noqa: S311 - a fixed sample, not a secret
    answered = 0
    for prefix in range(10_000):
        head = f"{prefix:04d}"
        for _ in range(2):
            for length in (8, 9, 10):
                national = head + "".join(draw.choice("0123456789") for _ in range(length - 4))
                for candidate in (national, "0" + national, "+84" + national, "84" + national):
                    fast = cells._vn_mobile_e164(candidate)
                    if fast is None:
                        continue
                    answered += 1
                    assert fast == _library_answer(candidate), candidate
    # The fast path is taken for the mobile ranges (about a third of the 9-digit prefixes).
    assert answered > 15_000


def _slow_phone(cell: object, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    with monkeypatch.context() as patch:
        patch.setattr(cells, "_vn_mobile_e164", lambda candidate: None)
        try:
            return ("ok", cells.phone(cell))  # type: ignore[arg-type]
        except cells.CellError as exc:
            return ("refused", exc.code)


def _fast_phone(cell: object) -> tuple[str, str]:
    try:
        return ("ok", cells.phone(cell))  # type: ignore[arg-type]
    except cells.CellError as exc:
        return ("refused", exc.code)


PHONE_CELLS: list[object] = [
    "0912345678",
    "912345678",
    912345678,
    912345678.0,
    "9.12345678E8",
    "84912345678",
    84912345678,
    "+84912345678",
    "+84 91 234 56 78",
    "0084912345678",
    "091-234-5678",
    "(091) 234.5678",
    "\uff10\uff19\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",  # full-width digits
    "٠٩١٢٣٤٥٦٧٨",  # Arabic-Indic digits
    "0912 345 678\u200b",
    "02838123456",
    2838123456,
    "1900123456",
    "18001234",
    "0123456789",
    "0812345678",
    "0599123456",
    "0521234567",
    "0592345678",
    "0672123456",
    "+14155552671",
    "+8401234567",
    "84849123456",
    "849123456",
    "0849123456",
    "091234567",
    "09123456789",
    "",
    None,
    True,
    "abc",
    "0912\u202e345678",
    "4111111111111111",
]


@pytest.mark.parametrize("cell", PHONE_CELLS)
def test_phone_cells_read_the_same_with_and_without_the_fast_path(
    cell: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _fast_phone(cell) == _slow_phone(cell, monkeypatch)


def test_generated_phone_cells_read_the_same_with_and_without_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draw = random.Random(7)  # noqa: S311 - a fixed sample, not a secret
    shapes: list[Callable[[str], object]] = [
        lambda d: d,
        lambda d: "0" + d,
        lambda d: "+84" + d,
        int,
        float,
        lambda d: f"{d[:3]} {d[3:6]} {d[6:]}",
        lambda d: "84" + d,
    ]
    for _ in range(3000):
        digits = "".join(draw.choice("0123456789") for _ in range(draw.choice((8, 9, 10))))
        digits = draw.choice("35789") + digits[1:] if draw.random() < 0.7 else digits
        cell = draw.choice(shapes)(digits)
        assert _fast_phone(cell) == _slow_phone(cell, monkeypatch), cell


def _corpus(*, card: bool = True) -> bytes:
    """400 rows of varied cells; ``card``: some rows hold a card number (the upload refuses
    such a file, the row reader reports them)."""
    headers = [
        "Mã đơn hàng",
        "Họ tên người nhận (*)",
        "Số điện thoại (*)",
        "Địa chỉ (*)",
        "Tỉnh/Thành phố",
        "Quận/Huyện",
        "Phường/Xã",
        "Khối lượng (gram)",
        "Tiền thu hộ (COD)",
        "Tên sản phẩm",
        "Số lượng",
        "Dịch vụ",
        "Ghi chú",
    ]
    rows = []
    draw = random.Random(11)  # noqa: S311 - a fixed sample, not a secret
    names = [
        "Nguyễn Văn A",
        "Nguyễn Văn A",
        "\uff2e\uff47\uff55\uff59ễ\uff4e",
        "Trần\u200bThị B",
        "Lê\tC",
        "Đỗ ‍D",
    ]
    phones = PHONE_CELLS[:33] + ["9" + f"{n:08d}" for n in range(40)]
    addresses = [
        "12 Lê Lợi, Phường Bến Thành, Quận 1, TP.HCM",  # a legacy (pre-2025) address
        "12 Lê Lợi, Phường Sài Gòn, TP.HCM",
        "5 Hàng Bạc, Phường Hoàn Kiếm, Hà Nội",
        "5 Hàng Bạc, Phường Hàng Bạc, Quận Hoàn Kiếm, Hà Nội",
        "Số 7 ngõ 2, Xã \uff34ân Lập",
    ]
    for i in range(400):
        rows.append(
            [
                f"DH{i:05d}" if i % 37 else "",
                draw.choice(names),
                str(draw.choice(phones)),
                draw.choice(addresses),
                draw.choice(["", "TP.HCM", "Hà Nội"]),
                draw.choice(["", "Quận 1"]),
                draw.choice(["", "Phường Bến Thành"]),
                draw.choice(["500", "1.200", "0", "-3", "abc", ""]),
                draw.choice(["150.000", "1,250,000 đ", "0", "12.5", ""]),
                draw.choice(["Áo thun", "Số thẻ 4111 1111 1111 1111" if card else "Áo", "Sách"]),
                draw.choice(["1", "2", "0", "x"]),
                draw.choice(["Nhanh", "Hỏa tốc", "Tiêu chuẩn", "?"]),
                draw.choice(["", "Giao giờ hành chính\nGọi trước", "Ghi \u202echú"]),
            ]
        )
    return csv_bytes([headers, *rows])


def test_a_varied_sheet_parses_the_same_with_and_without_the_fast_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = read_sheet(_corpus())
    header = locate_header(sheet)
    fast = parse_rows(sheet, header, header.mapping)
    original_cell_text = cells.cell_text

    def cell_text_without_shortcut(cell: Any) -> str:
        # The function as it was: the str check last (``str(cell)`` is the cell itself).
        return original_cell_text(cell if type(cell) is not str else _Str(cell))

    with monkeypatch.context() as patch:
        patch.setattr(cells, "_vn_mobile_e164", lambda candidate: None)
        patch.setattr(cells, "cell_text", cell_text_without_shortcut)
        slow = parse_rows(sheet, header, header.mapping)
    assert fast.rows == slow.rows
    assert fast.issues == slow.issues
    assert fast.refused_rows == slow.refused_rows
    assert fast.total == slow.total == 400
    # The corpus exercises both outcomes.
    assert 0 < len(fast.rows) < 400


class _Str(str):
    """A text cell that skips ``cell_text``'s ``type(cell) is str`` shortcut."""


def test_sealing_many_values_makes_the_tokens_sealing_one_by_one_makes() -> None:
    """``tokens.seal_many`` (one read of the random source for every nonce, the head built once,
    base64 without the library's wrappers) against ``tokens.seal``: same form, same lengths,
    each opens to its own plaintext under the same associated data; nonces all differ."""
    import base64
    import uuid

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from logitrack.core.crypto import tokens

    generator = random.Random(8)  # noqa: S311 (test data, not keys)
    for size in range(70):
        data = bytes(generator.randrange(256) for _ in range(size))
        expected = base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
        assert tokens._b64(data) == expected
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    ring, aad = uuid.uuid4(), b"logitrack:field:v1|t|c|x|3"
    plaintexts = [
        b"",
        b"+84912345678",
        "Nguyễn Văn A".encode(),
        ("x" * 15).encode(),
        ("y" * 16).encode(),
        ("z" * 200).encode(),
    ]
    many = tokens.seal_many(aead, ring, 3, aad, plaintexts)
    one = [tokens.seal(aead, ring, 3, aad, plaintext) for plaintext in plaintexts]
    assert tokens.seal_many(aead, ring, 3, aad, []) == []
    for token, single, plaintext in zip(many, one, plaintexts, strict=True):
        parts, single_parts = tokens.parse(token), tokens.parse(single)
        assert token.rsplit(":", 2)[0] == single.rsplit(":", 2)[0]
        assert (parts.ring, parts.version) == (ring, 3)
        assert len(token) == len(single)
        assert len(parts.nonce) == len(single_parts.nonce) == tokens.NONCE_BYTES
        assert tokens.open_parts(aead, parts, aad) == plaintext
    assert len({tokens.parse(token).nonce for token in many}) == len(many)


def test_columns_taken_whole_equal_columns_taken_row_by_row() -> None:
    """``bulk._raw_column`` with the rows' shared attnames (a column taken whole, or the default
    throughout) and without (looked up row by row, a missing attname taking the default)."""
    from logitrack.imports import bulk
    from logitrack.logistics.models import Order

    fields = [f for f in Order._meta.concrete_fields if not f.generated]
    given = [f.attname for f in fields][::2]
    rows = [{name: (name, position) for name in given} for position in range(5)]
    for field in fields:
        whole = bulk._raw_column(field, rows, set(given))
        one_by_one = bulk._raw_column(field, rows, None)
        if field.attname in given or not callable(field.default):
            assert whole == one_by_one
        if field.attname not in given:
            # A callable default (a time) is called once per column, both ways.
            assert len({id(value) for value in whole}) == 1
            assert len({id(value) for value in one_by_one}) == 1
            assert type(whole[0]) is type(field.get_default())


DECIMAL_CELLS = [
    "0",
    "7",
    "0012",
    "100",
    "1000",
    "999999999999999999999",
    "1.000",
    "1,5",
    " 12",
    "12 ",
    "-3",
    "+3",
    "\uff11\uff12",  # full-width digits
    "\u0661\u0662",  # Arabic-Indic digits
    "\u00b2",
    "12đ",
    "1 000",
    "",
    "abc",
]


@pytest.mark.parametrize("grouped", [True, False])
def test_numbers_in_plain_digit_cells_read_the_same_with_and_without_the_fast_path(
    grouped: bool,
) -> None:
    generated = [str(n) for n in range(0, 20000, 7)] + [f"{n:06d}" for n in range(0, 999, 13)]
    for cell in [*DECIMAL_CELLS, *generated]:
        try:
            expected: object = cells._decimal_read(cell, grouped=grouped)
        except cells.CellError as exc:
            expected = ("error", exc.code)
        try:
            answer: object = cells._decimal(cell, grouped=grouped)
        except cells.CellError as exc:
            answer = ("error", exc.code)
        assert answer == expected, cell
        assert type(answer) is type(expected), cell
        if isinstance(answer, Decimal) and isinstance(expected, Decimal):
            assert answer.as_tuple() == expected.as_tuple(), cell
