"""Previews of documents that cannot be drawn at upload: a PDF's first page, in the background.

An image's thumbnail is made at upload, from the pixels already decoded for re-encoding (cheap);
a PDF needs PDFium in a child process (``pdfpreview``), so its upload stores the document with
``thumbnail_state="pending"`` and enqueues ``document_thumbnail_render`` (``tasks``) when the
upload commits. The job draws the preview, stores it encrypted under the document's own file
key and a new server-generated key (``documents/t<tenant>/<uuid>.thumb``, like the image
thumbnails), and marks the document ``ready``; a damaged PDF or a decompression bomb marks it
``failed``. The upload itself never waits for, nor fails because of, its preview.
"""

from __future__ import annotations

import logging

from django.db import transaction

from logitrack.documents import pdfpreview, vault
from logitrack.documents.errors import DocumentError
from logitrack.documents.filetypes import PDF
from logitrack.documents.models import Document, ThumbnailState

logger = logging.getLogger(__name__)


def initial_state(content_type: str, thumbnail: bytes) -> ThumbnailState:
    """The preview state a new document starts in."""
    if thumbnail:
        return ThumbnailState.READY
    if content_type == PDF:
        return ThumbnailState.PENDING
    return ThumbnailState.NONE


def enqueue_on_commit(document: Document) -> None:
    """Ask for ``document``'s preview once the current transaction commits (ids only: the queue
    holds no file content and no personal data)."""
    from logitrack.documents.tasks import document_thumbnail_render

    document_id, tenant_id = int(document.pk), int(document.tenant_id)
    transaction.on_commit(lambda: document_thumbnail_render.enqueue(document_id, tenant_id))


def document_thumbnail_make(*, document_id: int) -> str:
    """Draw the preview of pending document ``document_id`` of the bound tenant; returns the
    document's preview state afterwards (``"missing"`` when the document is gone).

    Invariants: only a ``pending`` document is drawn (a job run twice draws once); the stored
    object is written before the row names it and removed again if the row is not updated (the
    document was deleted meanwhile); a file that cannot be read or drawn leaves ``failed`` and no
    object. No audit entry: nothing a person did, and the preview holds nothing the file does not.
    """
    from logitrack.documents.services import document_read_system

    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return "missing"
    if document.thumbnail_state != ThumbnailState.PENDING:
        return str(document.thumbnail_state)
    try:
        file_key, data = document_read_system(document=document)
        thumbnail = pdfpreview.pdf_thumbnail(data)
    except DocumentError as exc:
        logger.info("document %s: no preview (%s)", document.pk, exc.code)
        Document.objects.filter(pk=document.pk, thumbnail_state=ThumbnailState.PENDING).update(
            thumbnail_state=ThumbnailState.FAILED
        )
        return str(ThumbnailState.FAILED)
    key = vault.new_storage_key(int(document.tenant_id), ".thumb")
    vault.put(
        key, vault.seal(file_key, thumbnail, tenant_id=int(document.tenant_id), storage_key=key)
    )
    with transaction.atomic():
        updated = Document.objects.filter(
            pk=document.pk, thumbnail_state=ThumbnailState.PENDING
        ).update(thumbnail_key=key, thumbnail_state=ThumbnailState.READY)
    if not updated:
        vault.delete(key)
        still = Document.objects.filter(pk=document.pk).values_list("thumbnail_state", flat=True)
        return str(still.first() or "missing")
    return str(ThumbnailState.READY)
