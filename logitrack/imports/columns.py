"""The order fields an import fills, the header names carriers' templates use for them, and
finding the header row of a sheet.

Shape: a *mapping* is a list aligned with the header row's cells, each entry a field key of
:data:`FIELDS` or ``""`` (column ignored). Header names are compared by :func:`header_key`:
accents, case, punctuation and the required-column marker ``(*)`` do not count, so
"Họ tên người nhận (*)", "HO TEN NGUOI NHAN" and "họ-tên người nhận" are one name.
The names come from the upload templates of Vietnamese carriers (GHN, GHTK, Viettel Post,
J&T, VNPost, Ninja Van) and their English versions.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class ImportField:
    key: str
    label: Promise
    canonical_header: str  # the header of the downloadable template (Vietnamese, "(*)" = required)
    required: bool
    aliases: tuple[str, ...]


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "reference",
        _("Your order reference"),
        "Mã đơn hàng",
        False,
        (
            "Mã đơn hàng",
            "Mã đơn",
            "Mã đơn khách hàng",
            "Mã đơn KH",
            "Mã tham chiếu",
            "Mã đơn riêng",
            "Order reference",
            "Reference",
            "Order ID",
            "Order number",
            "Order code",
            "Customer reference",
            "Ref",
        ),
    ),
    ImportField(
        "consignee_name",
        _("Consignee name"),
        "Họ tên người nhận (*)",
        True,
        (
            "Họ tên người nhận",
            "Tên người nhận",
            "Người nhận",
            "Họ và tên người nhận",
            "Họ tên",
            "Họ và tên",
            "Tên khách hàng",
            "Khách hàng",
            "Consignee",
            "Consignee name",
            "Recipient",
            "Recipient name",
            "Receiver",
            "Receiver name",
            "Customer name",
            "Name",
            "Full name",
        ),
    ),
    ImportField(
        "consignee_phone",
        _("Consignee phone"),
        "Số điện thoại người nhận (*)",
        True,
        (
            "Số điện thoại người nhận",
            "Số điện thoại",
            "SĐT người nhận",
            "SĐT",
            "SDT",
            "Điện thoại",
            "Điện thoại người nhận",
            "Số ĐT",
            "Di động",
            "Phone",
            "Phone number",
            "Mobile",
            "Recipient phone",
            "Consignee phone",
            "Receiver phone",
            "Tel",
            "Telephone",
        ),
    ),
    ImportField(
        "consignee_email",
        _("Consignee e-mail"),
        "Email người nhận",
        False,
        (
            "Email người nhận",
            "Email",
            "E-mail",
            "Thư điện tử",
            "Recipient email",
            "Consignee email",
        ),
    ),
    ImportField(
        "address",
        _("Delivery address"),
        "Địa chỉ nhận (*)",
        True,
        (
            "Địa chỉ nhận",
            "Địa chỉ",
            "Địa chỉ người nhận",
            "Địa chỉ giao hàng",
            "Địa chỉ chi tiết",
            "Địa chỉ giao",
            "Số nhà, đường",
            "Address",
            "Delivery address",
            "Recipient address",
            "Street address",
            "Address line",
            "Shipping address",
        ),
    ),
    ImportField(
        "province",
        _("Province or city"),
        "Tỉnh/Thành phố",
        False,
        (
            "Tỉnh/Thành phố",
            "Tỉnh/TP",
            "Tỉnh thành",
            "Tỉnh đến",
            "Tỉnh",
            "Thành phố",
            "Tỉnh/Thành phố nhận",
            "Province",
            "City",
            "Province/City",
            "State",
        ),
    ),
    ImportField(
        "district",
        _("District (before July 2025)"),
        "Quận/Huyện",
        False,
        ("Quận/Huyện", "Quận huyện", "Quận", "Huyện", "Huyện đến", "Quận đến", "District"),
    ),
    ImportField(
        "commune",
        _("Ward or commune"),
        "Phường/Xã",
        False,
        (
            "Phường/Xã",
            "Phường xã",
            "Phường",
            "Xã",
            "Xã đến",
            "Phường đến",
            "Ward",
            "Commune",
            "Ward/Commune",
        ),
    ),
    ImportField(
        "weight_grams",
        _("Weight (grams)"),
        "Khối lượng (gram) (*)",
        True,
        (
            "Khối lượng (gram)",
            "Khối lượng (g)",
            "Khối lượng (gr)",
            "Trọng lượng (gram)",
            "Trọng lượng (g)",
            "Trọng lượng (gr)",
            "Khối lượng",
            "Trọng lượng",
            "Cân nặng",
            "Weight (g)",
            "Weight (grams)",
            "Weight (gram)",
            "Weight",
        ),
    ),
    ImportField(
        "weight_kg",
        _("Weight (kg)"),
        "Khối lượng (kg)",
        False,
        (
            "Khối lượng (kg)",
            "Trọng lượng (kg)",
            "Cân nặng (kg)",
            "Weight (kg)",
            "Weight (kilograms)",
        ),
    ),
    ImportField(
        "cod_amount",
        _("Cash on delivery (VND)"),
        "Tiền thu hộ (COD)",
        False,
        (
            "Tiền thu hộ (COD)",
            "Tiền thu hộ",
            "Thu hộ",
            "Tiền COD",
            "COD",
            "Số tiền thu hộ",
            "Cash on delivery",
            "COD amount",
            "Collect amount",
        ),
    ),
    ImportField(
        "declared_value",
        _("Declared value (VND)"),
        "Giá trị hàng",
        False,
        (
            "Giá trị hàng",
            "Giá trị hàng hóa",
            "Giá trị khai báo",
            "Giá trị đơn hàng",
            "Khai giá",
            "Declared value",
            "Goods value",
            "Item value",
            "Value",
        ),
    ),
    ImportField(
        "item_description",
        _("Item description"),
        "Tên sản phẩm",
        False,
        (
            "Tên sản phẩm",
            "Tên hàng",
            "Tên hàng hóa",
            "Sản phẩm",
            "Nội dung hàng hóa",
            "Nội dung hàng",
            "Mô tả hàng hóa",
            "Mô tả",
            "Product",
            "Product name",
            "Item",
            "Item name",
            "Description",
            "Item description",
            "Contents",
        ),
    ),
    ImportField(
        "quantity",
        _("Quantity"),
        "Số lượng",
        False,
        ("Số lượng", "SL", "Số lượng sản phẩm", "Quantity", "Qty"),
    ),
    ImportField(
        "service_level",
        _("Service"),
        "Dịch vụ",
        False,
        (
            "Dịch vụ",
            "Gói dịch vụ",
            "Loại dịch vụ",
            "Dịch vụ vận chuyển",
            "Service",
            "Service level",
            "Service type",
        ),
    ),
    ImportField(
        "notes",
        _("Notes"),
        "Ghi chú",
        False,
        (
            "Ghi chú",
            "Ghi chú giao hàng",
            "Lưu ý",
            "Yêu cầu khác",
            "Notes",
            "Note",
            "Remarks",
            "Comment",
            "Delivery notes",
        ),
    ),
)

FIELDS_BY_KEY = {f.key: f for f in FIELDS}
# A weight column in kilograms fills the same order field as one in grams.
WEIGHT_KEYS = ("weight_grams", "weight_kg")

# Words that mark the sender's or pickup columns of a carrier template: such a column is never
# guessed to be the consignee's, whatever else its name says.
_SENDER_WORDS = frozenset({"gui", "sender", "shop", "pickup", "lay"})
# Unit words that may follow a name without changing the field ("Tiền thu hộ (VNĐ)").
_UNIT_WORDS = frozenset({"vnd", "d", "dong"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def header_key(text: str) -> str:
    """The comparison form of a header name: ASCII lower-case words joined by one space.

    Steps: the required marker ``(*)`` and ``*`` dropped; NFKD with combining marks removed and
    ``đ``/``Đ`` made ``d`` (Vietnamese letters to their base letters); casefold; every run of
    other characters one space. ``"Họ tên người nhận (*)"`` -> ``"ho ten nguoi nhan"``.
    """
    text = text.replace("(*)", " ").replace("*", " ")
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


_ALIASES: dict[str, str] = {}
for _field in FIELDS:
    for _alias in (*_field.aliases, _field.canonical_header):
        _ALIASES.setdefault(header_key(_alias), _field.key)


def guess_field(header: str) -> str:
    """The field key a header name means, or ``""`` when none is certain.

    Exact comparison form first; then the same without trailing unit words (``VND``, ``đ``);
    then the longest known name whose words all appear, in order, at the start of the header
    ("Số điện thoại người nhận hàng"), unless the header names the sender or pickup.
    """
    key = header_key(header)
    if not key:
        return ""
    if key in _ALIASES:
        return _ALIASES[key]
    words = key.split()
    while words and words[-1] in _UNIT_WORDS:
        words.pop()
    trimmed = " ".join(words)
    if trimmed in _ALIASES:
        return _ALIASES[trimmed]
    if _SENDER_WORDS.intersection(words):
        return ""
    best = ""
    for alias in _ALIASES:
        if len(alias.split()) >= 2 and trimmed.startswith(alias + " ") and len(alias) > len(best):
            best = alias
    return _ALIASES[best] if best else ""


def guess_mapping(headers: Sequence[str]) -> list[str]:
    """One field key (or ``""``) per header; a field is given to its first column only."""
    taken: set[str] = set()
    mapping: list[str] = []
    for header in headers:
        field_key = guess_field(header)
        if field_key in taken:
            field_key = ""
        if field_key:
            taken.add(field_key)
        mapping.append(field_key)
    return mapping


def find_header_row(rows: Sequence[tuple[int, Sequence[str]]]) -> int | None:
    """The index (into ``rows``) of the header row among the first ``HEADER_SCAN_ROWS`` rows.

    The header is the first row that names the most distinct fields, at least two of them; a
    carrier's title block above it (company name, instructions on rows 1-6) names none.
    None when no row qualifies.
    """
    best_index, best_score = None, 1
    for index, (_number, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = len({key for key in (guess_field(c) for c in cells) if key})
        if score > best_score:
            best_index, best_score = index, score
    return best_index


def header_signature(headers: Sequence[str]) -> str:
    """A stable fingerprint of a header row (SHA-256 hex of its comparison forms).

    Two uploads of the same template share it, so a tenant's confirmed mapping is found again.
    """
    joined = "\x1f".join(header_key(h) for h in headers)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def missing_required(mapping: Sequence[str]) -> list[str]:
    """The required field keys that no column of ``mapping`` fills (weights in g or kg count)."""
    mapped = set(mapping)
    missing = []
    for f in FIELDS:
        if not f.required:
            continue
        if f.key == "weight_grams" and mapped.intersection(WEIGHT_KEYS):
            continue
        if f.key not in mapped:
            missing.append(f.key)
    return missing
