"""HTTP answers that carry a document's bytes, safe to send whatever the bytes are.

- ``Content-Disposition: attachment`` with an ASCII ``filename`` and the exact name as
  ``filename*`` (RFC 6266 §4.3, RFC 8187 ext-value in UTF-8), so a browser saves the file and
  never renders it in Logitrack's origin; the name ends with an extension of the detected type
  (``filetypes.download_name``), so the saved file opens as what it is;
- ``X-Content-Type-Options: nosniff``: the type we detected is the type the browser uses;
- ``Content-Security-Policy: default-src 'none'; sandbox``: should the file be opened anyway, it
  runs no script, loads nothing and gets an opaque origin;
- ``Cache-Control: private, no-store``: personal data stays out of shared caches and disk caches.

Thumbnails (our own re-encoded WebP) are sent inline with the same headers, for ``<img>``.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

from logitrack.documents.filetypes import download_name
from logitrack.documents.models import Document

DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ ()\-+,]")


def ascii_file_name(name: str) -> str:
    """``name`` in printable ASCII for the plain ``filename`` parameter: diacritics dropped
    (NFKD, đ → d), anything else outside a small safe set replaced by ``_``."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _UNSAFE_ASCII.sub("_", plain).strip() or "document"


def content_disposition(name: str, *, attachment: bool = True) -> str:
    disposition = "attachment" if attachment else "inline"
    encoded = quote(name, safe="")
    return f"{disposition}; filename=\"{ascii_file_name(name)}\"; filename*=UTF-8''{encoded}"


def _secure(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def download_response(document: Document, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=document.content_type)
    name = download_name(document.original_name, document.content_type)
    response["Content-Disposition"] = content_disposition(name)
    return _secure(response)


def thumbnail_response(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="image/webp")
    response["Content-Disposition"] = content_disposition("thumbnail.webp", attachment=False)
    return _secure(response)
