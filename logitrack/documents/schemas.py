"""Response bodies of the documents API (uploads are multipart forms, see ``api``)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class DocumentOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    sha256: str
    file_name: str
    created_at: datetime
    has_thumbnail: bool
    download_url: str
    thumbnail_url: str | None
