"""The size limit of uploaded documents, enforced while the request body streams in.

``SizeLimitUploadHandler`` runs first among Django's upload handlers (``FILE_UPLOAD_HANDLERS``):
it counts each file's bytes as they arrive and, past ``LOGITRACK_DOCUMENT_MAX_BYTES``, skips the
rest of that file (``SkipFile``), so nothing beyond the limit is buffered or written to a
temporary file; the file is then missing from ``request.FILES`` and the request is marked, so the
view answers "too large" rather than "no file". ``read_upload`` reads what was received, checking
the limit again for callers that bypass the handlers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from logitrack.documents.errors import FileTooLarge

TOO_LARGE_ATTR = "logitrack_upload_too_large"


def max_bytes() -> int:
    return int(settings.LOGITRACK_DOCUMENT_MAX_BYTES)


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > max_bytes():
            if self.request is not None:
                setattr(self.request, TOO_LARGE_ATTR, True)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def upload_was_too_large(request: HttpRequest) -> bool:
    return bool(getattr(request, TOO_LARGE_ATTR, False))


def read_upload(upload: UploadedFile) -> bytes:
    """The bytes of ``upload``, read in chunks; FileTooLarge past the limit."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise FileTooLarge(limit)
    parts: list[bytes] = []
    total = 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > limit:
            raise FileTooLarge(limit)
        parts.append(chunk)
    return b"".join(parts)
