"""Bounds of every number and text a shipment or order holds, shared by models, inputs and API.

Every upper bound is far below what the column stores (``bigint`` for money, ``integer`` for
grams and millimetres), so that a value is refused by validation with a clear error before the
database could overflow. Money is integer VND.
"""

from __future__ import annotations

from django.conf import settings

MONEY_MAX_VND = 10**12  # 1,000 billion VND: above any parcel; far below bigint
WEIGHT_MAX_G = 50_000_000  # 50 tonnes: a full truck load on one pallet record
DIMENSION_MAX_MM = 100_000  # 100 m
QUANTITY_MAX = 1_000_000
ITEMS_MAX = 200
PARCELS_MAX = 100

NAME_MAX = 200
STREET_MAX = 300
LEGACY_ADDRESS_MAX = 500
REFERENCE_MAX = 100
DESCRIPTION_MAX = 300
NOTES_MAX = 2000
PLACE_MAX = 200
REASON_TEXT_MAX = 500
IDEMPOTENCY_KEY_MAX = 128
EMAIL_MAX = 254
PHONE_INPUT_MAX = 32

DEFAULT_COD_CAP_VND = 100_000_000


def cod_cap_vnd() -> int:
    """The highest COD amount an order may carry (``LOGITRACK_COD_CAP_VND``, VND)."""
    return int(getattr(settings, "LOGITRACK_COD_CAP_VND", DEFAULT_COD_CAP_VND))
