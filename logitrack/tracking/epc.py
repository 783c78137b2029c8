"""EPC decoding: the hex of a tag's EPC bank to the GS1 pure-identity URN.

Decoding follows the GS1 EPC Tag Data Standard (TDS 2.x, section 14 "EPC binary decoding";
the partition tables of section 14.5) through the maintained ``epcpy`` library: an 8-bit
header names the coding scheme (0x30 SGTIN-96, 0x36 SGTIN-198, 0x31 SSCC-96, and the other
schemes epcpy knows: SGLN, GRAI, GIAI, GSRN, GDTI, ...), the 3-bit partition value (0-6)
splits the GS1 company prefix from the item reference.

``decode_epc`` answers one of three things:

- a GS1-encoded EPC: ``DecodedEpc(epc_hex, "urn:epc:id:sgtin:0614141.812345.6789", "sgtin")``
  (``scheme`` is ``sgtin``, ``sscc``, or ``gs1`` for the other GS1 schemes);
- a tag that is not GS1-encoded (a header the standard does not assign, e.g. ``E2...`` TID-like
  EPCs or ``00...``, or a known header whose fields do not decode, e.g. partition value 7):
  kept as read, ``DecodedEpc(epc_hex, "", "raw")``;
- ``EpcInvalid`` (with a stable ``code``) for hex that is not an EPC bank at all: odd length,
  not hexadecimal, outside 96-496 bits, or shorter than its header's scheme (a truncated read).

Decoding is pure and cached (``CACHE_SIZE`` EPCs): a tag at a dock door is read many times.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from epcpy.utils.common import ConvertException, binary_to_hex
from epcpy.utils.parsers import TAG_ENCODABLE_CLASSES, hex_to_tag_encodable

# EPC bank contents: 96 to 496 bits (GS1 EPC TDS section 15.1.1: the EPC of a Gen2 tag is at
# most 31 words; the smallest GS1 binary encoding is 96 bits).
MIN_HEX = 24
MAX_HEX = 124
CACHE_SIZE = 65_536
_HEX = re.compile(r"[0-9A-Fa-f]+")

# TDS section 14.2, table 14-1: the size in bits of each header's encoding, as epcpy names it
# ("sgtin-96", "sgtin-198", "adi-var"), so that a truncated read of a known scheme is refused
# instead of kept raw. Variable-length schemes have no fixed size (the decoder checks them).
_SIZES = {
    binary_to_hex(header.value): int(size)
    for cls in TAG_ENCODABLE_CLASSES
    for header in cls.BinaryHeader
    if (size := cls.BinaryCodingScheme[header.name].value.rsplit("-", 1)[1]).isdigit()
}


class EpcInvalid(ValueError):
    """``epc_hex`` is not an EPC bank's contents; ``code`` is ``epc_invalid`` (not hex, odd
    length, out of size) or ``epc_truncated`` (shorter than its header's encoding)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


@dataclass(frozen=True)
class DecodedEpc:
    """``epc_hex``: upper-case hex as read; ``epc_uri``: the pure-identity URN or "";
    ``scheme``: ``sgtin``, ``sscc``, ``gs1`` or ``raw`` (``EpcScheme`` values)."""

    epc_hex: str
    epc_uri: str
    scheme: str


def decode_epc(epc_hex: str) -> DecodedEpc:
    """Decode the hex of an EPC bank (either case; see the module docstring). Raises
    EpcInvalid for hex that is not an EPC."""
    if not _HEX.fullmatch(epc_hex):
        raise EpcInvalid("epc_invalid", "not hexadecimal")
    return _decode(epc_hex.upper())


@functools.lru_cache(maxsize=CACHE_SIZE)
def _decode(epc_hex: str) -> DecodedEpc:
    if len(epc_hex) % 2:
        raise EpcInvalid("epc_invalid", "odd number of hex digits")
    if not MIN_HEX <= len(epc_hex) <= MAX_HEX:
        raise EpcInvalid("epc_invalid", "not 96-496 bits")
    header = epc_hex[:2]
    size = _SIZES.get(header)
    if size is not None and len(epc_hex) * 4 < size:
        raise EpcInvalid("epc_truncated", f"header {header} needs {size} bits")
    try:
        tag = hex_to_tag_encodable(epc_hex)
        uri = str(tag.epc_uri)
    except (ConvertException, ValueError, KeyError, IndexError, TypeError):
        # An unassigned header, or fields the standard's decoding rejects: not GS1-encoded.
        return DecodedEpc(epc_hex=epc_hex, epc_uri="", scheme="raw")
    kind = uri.split(":")[3] if uri.count(":") >= 4 else ""
    scheme = kind if kind in ("sgtin", "sscc") else "gs1"
    return DecodedEpc(epc_hex=epc_hex, epc_uri=uri, scheme=scheme)


def raw_epc(epc_hex: str) -> DecodedEpc:
    """The EPC kept as read without GS1 decoding (a reader reporting a TID or user memory as
    its tag id); the same hex checks as ``decode_epc`` except the header's."""
    if not _HEX.fullmatch(epc_hex):
        raise EpcInvalid("epc_invalid", "not hexadecimal")
    upper = epc_hex.upper()
    if len(upper) % 2 or not MIN_HEX <= len(upper) <= MAX_HEX:
        raise EpcInvalid("epc_invalid", "not an EPC bank")
    return DecodedEpc(epc_hex=upper, epc_uri="", scheme="raw")


def sscc_96_hex(sscc: str, company_prefix: str) -> str:
    """The SSCC-96 EPC (GS1 EPC TDS section 14.5.2, filter value 0 "all others") of an 18-digit
    SSCC whose GS1 company prefix is ``company_prefix`` (6-12 digits), as upper-case hex: what a
    pallet's tag carries. ValueError when the SSCC does not start with the extension digit and
    that prefix."""
    from epcpy.epc_schemes.sscc import SSCC, SSCCFilterValue

    if not (len(sscc) == 18 and sscc.isascii() and sscc.isdigit()):
        raise ValueError("an SSCC has 18 digits")
    if not (6 <= len(company_prefix) <= 12 and sscc[1:].startswith(company_prefix)):
        raise ValueError("the SSCC does not carry this GS1 company prefix")
    serial = sscc[0] + sscc[1 + len(company_prefix) : 17]
    uri = f"urn:epc:id:sscc:{company_prefix}.{serial}"
    return str(SSCC(uri).hex(filter_value=SSCCFilterValue.ALL_OTHERS)).upper()


__all__ = ["DecodedEpc", "EpcInvalid", "decode_epc", "raw_epc", "sscc_96_hex"]
