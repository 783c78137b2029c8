"""Background work of the documents app (docs/adr/0009): previews of PDFs.

The task's arguments are ids only (document, tenant): the queue holds no file content and no
personal data. The tenant is bound from the explicit id before any row is read.
"""

from __future__ import annotations

from django_tasks import task

from logitrack.core.tenant import tenant_context


@task()
def document_thumbnail_render(document_id: int, tenant_id: int) -> str:
    """Draw the preview of document ``document_id``; returns its preview state afterwards."""
    from logitrack.documents.thumbnails import document_thumbnail_make

    with tenant_context(tenant_id):
        return document_thumbnail_make(document_id=document_id)
