"""The rows a dry run read from a file, kept (encrypted) for the import step of the same job.

Reading a sheet into rows (``rows.parse_rows``: the text layer, card numbers, phones, money,
weights on every cell) is a pure function of the file's bytes, the confirmed header and mapping,
the COD cap, the reading limits and the code and libraries that do it. The dry run keeps its
result next to the stored file (``storage.store_rows``: the tenant's key, 0600, deleted with the
file); the import step uses it only when the fingerprint of all those inputs, worked out again
from the file it has just decrypted, is the one kept with the rows. Anything else (no kept rows,
a file that does not open, another fingerprint, a format it does not know) and the step reads
the file again, as it always did. What depends on the database or on reference data (existing
references, the shipper, addresses, ``OrderInput``) is not kept: the import step checks it again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sys
import unicodedata
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path

from django.conf import settings

from logitrack.core.crypto.canonical import remember_e164
from logitrack.imports import storage
from logitrack.imports.rows import OrderRow, ParseResult

logger = logging.getLogger("logitrack.imports")

FORMAT = 1
_FIELDS = tuple(f.name for f in dataclasses.fields(OrderRow))

# The modules whose code decides what a file reads as, and the libraries they call.
_MODULES = (
    "logitrack.imports.kept",
    "logitrack.imports.reading",
    "logitrack.imports.rows",
    "logitrack.imports.cells",
    "logitrack.imports.columns",
    "logitrack.imports.report",
    "logitrack.core.text",
    "logitrack.core.cards",
    "logitrack.core.identity",
)
_LIBRARIES = ("phonenumbers", "python-calamine", "python-stdnum", "idna", "Django")
_LIMITS = (
    "IMPORT_MAX_FILE_BYTES",
    "IMPORT_MAX_ROWS",
    "IMPORT_MAX_COLUMNS",
    "IMPORT_XLSX_MAX_RATIO",
    "IMPORT_XLSX_MAX_MEMBERS",
)


@cache
def _code_fingerprint() -> bytes:
    digest = hashlib.sha256()
    for name in _MODULES:
        digest.update(name.encode() + b"\0")
        digest.update(Path(sys.modules[name].__file__ or "").read_bytes())
    for library in _LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}\0".encode())
    digest.update(f"{sys.version}\0{unicodedata.unidata_version}\0".encode())
    return digest.digest()


def fingerprint(
    data: bytes, header_row: int, headers: Sequence[str], mapping: Sequence[str], cod_cap: int
) -> str:
    """What the rows of ``data`` read as depends on, as one SHA-256."""
    limits = {name: repr(getattr(settings, name, None)) for name in _LIMITS}
    described = json.dumps(
        [FORMAT, header_row, list(headers), list(mapping), cod_cap, limits],
        ensure_ascii=True,
        sort_keys=True,
    )
    digest = hashlib.sha256(_code_fingerprint())
    digest.update(hashlib.sha256(data).digest())
    digest.update(described.encode())
    return digest.hexdigest()


def dump(print_: str, parsed: ParseResult) -> bytes:
    return json.dumps(
        {
            "format": FORMAT,
            "fingerprint": print_,
            "total": parsed.total,
            "rows": [[getattr(row, name) for name in _FIELDS] for row in parsed.rows],
            "issues": parsed.issues,
            "refused": sorted(parsed.refused_rows),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def load(payload: bytes, print_: str) -> ParseResult | None:
    """The kept result when it was kept for exactly ``print_``, else None."""
    kept = json.loads(payload)
    if kept.get("format") != FORMAT or kept.get("fingerprint") != print_:
        return None
    rows = [OrderRow(**dict(zip(_FIELDS, values, strict=True))) for values in kept["rows"]]
    return ParseResult(
        rows=rows, issues=kept["issues"], refused_rows=set(kept["refused"]), total=kept["total"]
    )


def keep(tenant_id: int, key: str, print_: str, parsed: ParseResult) -> None:
    """Keep ``parsed`` for the import step; a failure only means it reads the file again."""
    try:
        storage.store_rows(tenant_id, key, dump(print_, parsed))
    except Exception:
        logger.warning("import rows not kept", exc_info=True)


def reuse(tenant_id: int, key: str, print_: str) -> ParseResult | None:
    """The rows the dry run kept for ``print_``, or None (the caller reads the file again).

    Each kept phone is an E.164 form that ``cells.phone`` answered from ``phonenumbers`` in the
    dry run (the fingerprint says: same bytes, same code); it is remembered as its own canonical
    form, as ``cells.phone`` does, for ``OrderInput`` and the encrypted field.
    """
    try:
        parsed = load(storage.read_rows(tenant_id, key), print_)
    except FileNotFoundError:
        return None
    except Exception:
        logger.warning("import rows kept but unreadable", exc_info=True)
        return None
    if parsed is not None:
        for row in parsed.rows:
            remember_e164(row.consignee_phone, row.consignee_phone)
    return parsed
