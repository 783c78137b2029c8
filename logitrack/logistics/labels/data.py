"""What a shipping label shows: the typed input of every label renderer.

A label is built from a shipment by the caller (the API builds it from a ``Shipment``); the
renderers in this package never read the database, so they can be measured and tested alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal, get_args

LabelSize = Literal["a5", "a6", "100x150", "80x80"]
LABEL_SIZES: Final[tuple[LabelSize, ...]] = get_args(LabelSize)

# Page size of each label in millimetres, (width, height), portrait. A5 and A6 are ISO 216; 100x150
# and 80x80 are the common thermal roll formats (4x6 inch and the 80 mm receipt-width square).
SIZES_MM: Final[dict[LabelSize, tuple[float, float]]] = {
    "a5": (148.0, 210.0),
    "a6": (105.0, 148.0),
    "100x150": (100.0, 150.0),
    "80x80": (80.0, 80.0),
}

# Characters a waybill may carry on a label. The waybill goes into Code 128 (subset B) and into ZPL
# field data, where ``^``, ``~`` and ``>`` are commands: a waybill outside this set is refused
# rather than escaped.
WAYBILL_PATTERN: Final = re.compile(r"[A-Za-z0-9-]{1,40}")
# Printable ASCII without the ZPL command prefixes ``^`` and ``~`` (tracking URLs are ASCII: the
# waybill is in the path, RFC 3986 reserves nothing else that we use).
TRACKING_URL_PATTERN: Final = re.compile(r"https?://[!-\]_-}]{1,400}")


class LabelDataError(ValueError):
    """A label that cannot be printed faithfully (bad waybill, URL, COD, weight or parcel count)."""


@dataclass(frozen=True)
class LabelParty:
    """The sender or the recipient as printed.

    ``address_lines`` hold the address in the 2025 units (street, commune, province), one printed
    line each; ``legacy_address`` is the old three-level form (with the district) when the address
    was converted from it, printed under the new one because drivers still use the old names.
    ``phone`` is printed as given (the caller formats E.164 for people).
    """

    name: str
    phone: str
    address_lines: tuple[str, ...]
    legacy_address: str | None = None


@dataclass(frozen=True)
class LabelData:
    """One label: one parcel of a shipment.

    ``cod_vnd`` is the cash-on-delivery amount in whole VND (0 = nothing to collect);
    ``weight_g`` in grams; ``service`` the service level as printed (already translated);
    ``destination`` the destination province, printed large for sorting; ``parcel_index`` of
    ``parcel_count`` counts from 1.
    """

    waybill: str
    tracking_url: str
    sender: LabelParty
    recipient: LabelParty
    cod_vnd: int
    service: str
    weight_g: int
    reference: str = ""
    parcel_index: int = 1
    parcel_count: int = 1
    created_on: date | None = None
    destination: str = ""


def check_label(label: LabelData) -> None:
    """Raise :class:`LabelDataError` when ``label`` cannot be printed faithfully.

    Every renderer calls it before drawing, so a PDF and a ZPL of the same label refuse the same
    input.
    """
    if not WAYBILL_PATTERN.fullmatch(label.waybill):
        raise LabelDataError(f"waybill {label.waybill!r} is not printable in Code 128 / ZPL")
    if not TRACKING_URL_PATTERN.fullmatch(label.tracking_url):
        raise LabelDataError("tracking_url must be an http(s) URL of printable ASCII without ^ ~")
    if label.cod_vnd < 0:
        raise LabelDataError("cod_vnd must not be negative")
    if label.weight_g < 0:
        raise LabelDataError("weight_g must not be negative")
    if not 1 <= label.parcel_index <= label.parcel_count:
        raise LabelDataError("parcel_index must be between 1 and parcel_count")


# A line never breaks between a number and its unit (NO-BREAK SPACE, U+00A0).
NBSP: Final = "\u00a0"


def format_vnd(amount: int) -> str:
    """``1250000`` -> ``"1.250.000 ₫"``: Vietnamese grouping (dot every three digits), the đồng sign
    U+20AB after a no-break space, as on Vietnamese receipts and carriers' labels."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}{NBSP}₫".replace(",", ".")


def format_weight(weight_g: int) -> str:
    """``1250`` -> ``"1.250 g"``: grams, grouped like :func:`format_vnd`."""
    return f"{weight_g:,}{NBSP}g".replace(",", ".")
