"""The two machine-readable symbols of a label, as module patterns every renderer draws alike.

- Code 128 (ISO/IEC 15417) of the waybill, encoded by reportlab (start code, optimal subset
  changes, mod-103 check character, stop), returned as a run of bar/space module widths.
- QR code (ISO/IEC 18004) of the public tracking URL, encoded by segno at error correction level M
  (15 % of the symbol may be damaged: thermal labels get scratched), as a matrix of dark modules.

The ZPL renderer does not use these patterns for the symbols themselves (the printer encodes
``^BC`` and ``^BQ``), only their sizes, so that it can scale and centre them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import segno
from reportlab.graphics.barcode.code128 import Code128

# Quiet zone of Code 128, in modules, on each side (ISO/IEC 15417 §4.4.3: at least 10X).
CODE128_QUIET_MODULES: Final = 10
# Light modules around a QR code drawn by Logitrack. The standard asks for 4; 2 are kept because
# the label's frame lines are further away than that and every reader we test decodes it.
QR_BORDER_MODULES: Final = 2


@lru_cache(maxsize=1024)
def code128_runs(value: str) -> tuple[tuple[bool, int], ...]:
    """Code 128 of ``value`` as ``(is_bar, width_in_modules)`` runs, left to right, without the
    quiet zones. ``value`` must be ASCII (the caller checks the waybill pattern)."""
    symbol = Code128(value, quiet=False, humanReadable=False)
    symbol.validate()
    symbol.encode()
    # reportlab writes bars as upper-case and spaces as lower-case letters, A/a = 1 module.
    pattern: str = symbol.decompose()
    return tuple((char.isupper(), ord(char.lower()) - ord("a") + 1) for char in pattern)


def code128_modules(value: str) -> int:
    """Width of the Code 128 symbol of ``value`` in modules, quiet zones excluded."""
    return sum(width for _, width in code128_runs(value))


@lru_cache(maxsize=1024)
def qr_matrix(value: str) -> tuple[tuple[bool, ...], ...]:
    """QR code of ``value`` (level M or better at the same version) as rows of dark flags, with
    ``QR_BORDER_MODULES`` light modules around it."""
    qr = segno.make_qr(value, error="m")
    return tuple(
        tuple(bool(cell) for cell in row)
        for row in qr.matrix_iter(scale=1, border=QR_BORDER_MODULES)
    )


@lru_cache(maxsize=1024)
def qr_version_modules(value: str) -> int:
    """Side of the QR symbol of ``value`` at level M in byte mode, in modules, without border:
    the largest symbol a printer encoding ``^BQ`` data ``MA,`` can choose (ZPL II, ^BQ)."""
    # The mask does not change the version; a fixed one skips segno's mask scoring.
    qr = segno.make_qr(value, error="m", mode="byte", boost_error=False, mask=0)
    return int(qr.symbol_size(scale=1, border=0)[0])
