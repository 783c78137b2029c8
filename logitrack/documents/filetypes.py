"""Which kind of file an upload is, decided from its bytes against an allow-list.

The client's file name and Content-Type are never consulted. ``sniff`` reads the signature with
the ``filetype`` package (magic numbers of the formats' own specifications) and then checks the
parts a signature cannot prove:

- JPEG, PNG, WebP: Pillow must open the image; pixels are checked in ``images`` before decoding;
- PDF: ``%PDF-`` signature (ISO 32000-1 §7.5.2); stored as sent, never rendered here;
- XLSX: a ZIP archive (APPNOTE.TXT) holding ``[Content_Types].xml`` and ``xl/`` parts (ECMA-376
  Part 2, Open Packaging Conventions); every member is inflated in bounded chunks, so a zip bomb
  is refused by what it really expands to, not by the sizes its headers claim;
- CSV: no signature exists (RFC 4180), so it is text that decodes as UTF-8 (with or without BOM),
  UTF-16 with a BOM, or Windows-1258, without control characters other than TAB, CR and LF.

An executable renamed ``.jpg`` has an ELF or MZ signature (or none that is allowed) and is refused.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from dataclasses import dataclass

import filetype
from django.conf import settings

from logitrack.documents.errors import DecompressionBomb, FileDamaged, FileTypeNotAllowed

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
PDF = "application/pdf"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

IMAGE_TYPES = frozenset({JPEG, PNG, WEBP})
ALLOWED_TYPES = frozenset({JPEG, PNG, WEBP, PDF, CSV, XLSX})
# filetype's names for the same formats: APNG is a PNG (its first frame is what we keep).
_SIGNATURES = {
    "image/jpeg": JPEG,
    "image/png": PNG,
    "image/apng": PNG,
    "image/webp": WEBP,
    "application/pdf": PDF,
}
_ZIP_SIGNATURES = frozenset({"application/zip", XLSX})
# C0 controls other than TAB, LF, CR; DEL. A text file with these is not a CSV.
_TEXT_HAZARD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CHUNK = 64 * 1024

EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf", CSV: "csv", XLSX: "xlsx"}
# The extensions under which each type is opened as that type (lower case, without the dot).
_NAMED_AS = {
    JPEG: frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    PNG: frozenset({"png"}),
    WEBP: frozenset({"webp"}),
    PDF: frozenset({"pdf"}),
    CSV: frozenset({"csv", "txt", "tsv"}),
    XLSX: frozenset({"xlsx"}),
}


def download_name(name: str, content_type: str) -> str:
    """``name`` as offered on download: unchanged when its extension is one of
    ``content_type``'s, otherwise with that type's extension appended (``"invoice.bat"`` holding
    text becomes ``"invoice.bat.csv"``, ``"scan.jpg"`` holding a PDF ``"scan.jpg.pdf"``).

    The bytes decided the type; the client chose the name. A saved file is opened by its
    extension, so a text file (which passes as CSV) named ``.bat``, ``.hta``, ``.html`` or
    ``.svg`` would otherwise run as a script on the computer of whoever opens it.
    """
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension in _NAMED_AS.get(content_type, frozenset()):
        return name
    return f"{name}.{EXTENSIONS.get(content_type, 'bin')}"


@dataclass(frozen=True)
class Sniffed:
    content_type: str

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES


def sniff(data: bytes) -> Sniffed:
    """The allowed type of ``data``; raises FileTypeNotAllowed, FileDamaged or DecompressionBomb."""
    guess = filetype.guess(data[:8192])
    mime = guess.mime if guess is not None else None
    if mime in _SIGNATURES:
        return Sniffed(_SIGNATURES[mime])
    if mime in _ZIP_SIGNATURES:
        check_xlsx(data)
        return Sniffed(XLSX)
    if mime is None and _is_csv_text(data):
        return Sniffed(CSV)
    raise FileTypeNotAllowed()


def decode_csv_text(data: bytes) -> str | None:
    """The text of a CSV file (UTF-8, UTF-16 with BOM, Windows-1258), or None when it is not
    text. Used by ``sniff`` and by anything that later reads a stored CSV."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1258")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if _TEXT_HAZARD.search(text) else text
    return None


def _is_csv_text(data: bytes) -> bool:
    return decode_csv_text(data) is not None


def check_xlsx(data: bytes) -> None:
    """Refuse a ZIP that is not a workbook, or that inflates past the configured limits.

    Limits (settings): ``LOGITRACK_XLSX_MAX_MEMBERS`` members, ``LOGITRACK_XLSX_MAX_EXPANDED_BYTES``
    inflated in total, and ``LOGITRACK_XLSX_MAX_RATIO`` inflated bytes per stored byte of a member
    (spreadsheet XML compresses about 10:1; bombs reach 1000:1 and more).
    """
    max_members: int = settings.LOGITRACK_XLSX_MAX_MEMBERS
    max_total: int = settings.LOGITRACK_XLSX_MAX_EXPANDED_BYTES
    max_ratio: int = settings.LOGITRACK_XLSX_MAX_RATIO
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileDamaged() from exc
    names = {info.filename for info in members}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise FileTypeNotAllowed()
    if len(members) > max_members:
        raise DecompressionBomb()
    total = 0
    for info in members:
        if info.flag_bits & 0x1:  # an encrypted member cannot be checked
            raise FileTypeNotAllowed()
        inflated = 0
        allowed = max(info.compress_size, 1) * max_ratio
        try:
            with archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    inflated += len(chunk)
                    total += len(chunk)
                    if inflated > allowed and inflated > _CHUNK:
                        raise DecompressionBomb()
                    if total > max_total:
                        raise DecompressionBomb()
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
        ) as exc:
            raise FileDamaged() from exc
