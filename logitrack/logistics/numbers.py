"""Waybill and SSCC numbers (ADR 0019).

Waybill: ``<prefix><body><check>``, e.g. ``SGK7M2Q9XH4P`` (prefix ``SG``):

- ``prefix``: the tenant's 2-4 letter code (``LogisticsSettings.waybill_prefix``, unique across
  tenants, letters only);
- ``body``: 9 characters drawn with ``secrets`` from a 32-character alphabet, 45 random bits, so
  a waybill cannot be guessed from another one on a public page;
- ``check``: one character of Luhn mod N (N = 32) over prefix and body, computed by
  ``python-stdnum`` (``stdnum.luhn`` with our alphabet), which catches every single wrong
  character and most swaps of neighbours before a lookup is made.

The alphabet is Crockford's Base32 in upper case: digits and letters without ``I``, ``L``, ``O``
and ``U``, which are read as 1, 1, 0 and V. The canonical form has no separators; people may type
spaces or hyphens, lower case and non-ASCII digits (``canonical_waybill``).

SSCC-18 (GS1 General Specifications §2.2.1, AI 00): extension digit (1) + GS1 company prefix
(6-12) + serial reference (filling to 17) + GS1 mod-10 check digit (``stdnum.ean``'s check
digit, which GS1 uses for all its keys, §7.9.1).
"""

from __future__ import annotations

import re
import secrets

from stdnum import ean, luhn

from logitrack.core.text import TextRefused, code

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ"
BODY_LENGTH = 9
RANDOM_BITS = BODY_LENGTH * 5  # 45
PREFIX_MIN, PREFIX_MAX = 2, 4
WAYBILL_MAX_LENGTH = PREFIX_MAX + BODY_LENGTH + 1

_WAYBILL = re.compile(
    f"[{PREFIX_ALPHABET}]{{{PREFIX_MIN},{PREFIX_MAX}}}[{ALPHABET}]{{{BODY_LENGTH + 1}}}"
)
_PREFIX = re.compile(f"[{PREFIX_ALPHABET}]{{{PREFIX_MIN},{PREFIX_MAX}}}")
_SEPARATORS = re.compile(r"[\s\-]+")

SSCC_LENGTH = 18
_SSCC = re.compile(r"[0-9]{18}")


def canonical_waybill(text: str) -> str:
    """``text`` in the waybill's canonical form: no spaces or hyphens, upper case, ASCII digits.

    Shape: str -> str. It does not validate; ``waybill_is_well_formed`` does. Text the
    normalisation layer refuses (control or bidi characters) gives ``""``, which is never a
    well-formed waybill.
    """
    try:
        folded = code(text)
    except TextRefused:
        return ""
    return _SEPARATORS.sub("", folded).upper()


def waybill_check_character(prefix_and_body: str) -> str:
    """The Luhn mod 32 check character of ``prefix_and_body`` (letters and digits of ALPHABET)."""
    return luhn.calc_check_digit(prefix_and_body, alphabet=ALPHABET)


def waybill_is_well_formed(text: str) -> bool:
    """True when ``text`` (in any accepted spelling) is a waybill with a correct check character."""
    canonical = canonical_waybill(text)
    if _WAYBILL.fullmatch(canonical) is None:
        return False
    return waybill_check_character(canonical[:-1]) == canonical[-1]


def prefix_is_valid(prefix: str) -> bool:
    return _PREFIX.fullmatch(prefix) is not None


def new_waybill(prefix: str) -> str:
    """A fresh waybill for ``prefix``: 45 random bits from ``secrets`` and the check character.

    Uniqueness is the database's job (constraint ``logistics_waybill_unique``); the caller
    retries on a collision (``logitrack.logistics.services.numbering``).
    """
    if not prefix_is_valid(prefix):
        raise ValueError(f"not a waybill prefix: {prefix!r}")
    # One draw of 5 bits per character (ALPHABET has 32), taken from a single randbits call.
    bits = secrets.randbits(5 * BODY_LENGTH)
    body = "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(BODY_LENGTH))
    return prefix + body + waybill_check_character(prefix + body)


def random_prefix(length: int = 3) -> str:
    """A random tenant prefix of letters only (no digit, so it cannot be misread as the body)."""
    if not PREFIX_MIN <= length <= PREFIX_MAX:
        raise ValueError("prefix length out of range")
    return "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(length))


def format_waybill(waybill: str) -> str:
    """For printing: prefix, then the body and check in groups of 5 (``SG-K7M2Q-9XH4P``)."""
    body = waybill[-(BODY_LENGTH + 1) :]
    return f"{waybill[: -(BODY_LENGTH + 1)]}-{body[:5]}-{body[5:]}"


# SSCC ---------------------------------------------------------------------------------------


def sscc_check_digit(first_17: str) -> str:
    """GS1 mod-10 check digit of the first 17 digits of an SSCC."""
    return ean.calc_check_digit(first_17)


def canonical_sscc(text: str) -> str:
    """Digits only: spaces, hyphens and an ``(00)`` application identifier dropped."""
    try:
        folded = code(text)
    except TextRefused:
        return ""
    folded = _SEPARATORS.sub("", folded)
    if folded.startswith("(00)"):
        folded = folded[4:]
    return folded


def sscc_is_valid(text: str) -> bool:
    """True for an 18-digit SSCC whose last digit is its GS1 mod-10 check digit."""
    number = canonical_sscc(text)
    if _SSCC.fullmatch(number) is None:
        return False
    return sscc_check_digit(number[:17]) == number[17]


def build_sscc(*, extension_digit: int, company_prefix: str, serial: int) -> str:
    """The SSCC-18 for ``serial`` under ``company_prefix`` (6-12 digits).

    Raises ValueError when a part is out of range or the serial does not fit the
    ``16 - len(company_prefix)`` digits left for it.
    """
    if not 0 <= extension_digit <= 9:
        raise ValueError("extension digit must be 0-9")
    if re.fullmatch(r"[0-9]{6,12}", company_prefix) is None:
        raise ValueError("GS1 company prefix must be 6-12 digits")
    width = 16 - len(company_prefix)
    if not 0 <= serial < 10**width:
        raise ValueError("SSCC serial reference does not fit")
    first_17 = f"{extension_digit}{company_prefix}{serial:0{width}d}"
    return first_17 + sscc_check_digit(first_17)
