"""Writing documents: upload (checked, cleaned, encrypted, stored) and delete.

Both are atomic with their audit entry. A stored object is written before its row; when the row
is not saved (any error), the objects just written are removed again. A deleted document's
objects are removed once the deletion commits, never before: a rolled-back delete keeps its file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.http import HttpRequest
from PIL import Image

from logitrack.core.text import TextRefused, human_text
from logitrack.documents import images, thumbnails, vault
from logitrack.documents.errors import (
    DocumentKindInvalid,
    FileEmpty,
    FileNameInvalid,
    FileTooLarge,
)
from logitrack.documents.filetypes import EXTENSIONS, sniff
from logitrack.documents.models import Document, DocumentKind, ThumbnailState
from logitrack.documents.uploads import max_bytes
from logitrack.logistics.models import Order, Shipment
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal

NAME_MAX_LENGTH = 255


def clean_file_name(raw: str, content_type: str) -> str:
    """The file name to show and offer on download: the client's base name through the text
    layer (control and bidi characters refused), at most 255 characters, extension kept.

    An empty name becomes ``document.<extension of the detected type>``.
    """
    try:
        name = human_text(raw.replace("\\", "/").rsplit("/", 1)[-1])
    except TextRefused as exc:
        raise FileNameInvalid() from exc
    name = name.strip(". ")
    if not name:
        return f"document.{EXTENSIONS.get(content_type, 'bin')}"
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: NAME_MAX_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:NAME_MAX_LENGTH]
    return name


def clean_kind(raw: str) -> DocumentKind:
    try:
        return DocumentKind(raw)
    except ValueError as exc:
        raise DocumentKindInvalid() from exc


def _tenant_id(actor: Principal) -> int:
    tenant_id = actor.tenant_id
    if tenant_id is None:
        raise PermissionError("a document belongs to a tenant; the actor has none")
    return tenant_id


@dataclass(frozen=True)
class PreparedFile:
    """A file that passed every check, cleaned, ready to store (no side effect yet)."""

    kind: DocumentKind
    content_type: str
    name: str
    data: bytes
    thumbnail: bytes


def document_prepare(*, data: bytes, file_name: str, kind: str) -> PreparedFile:
    """Check and clean a file without storing anything.

    Checks, in order, each raising a DocumentError: empty (``file_empty``), over
    ``LOGITRACK_DOCUMENT_MAX_BYTES`` (``file_too_large``), the kind (``document_kind_invalid``),
    the type from the bytes (``file_type_not_allowed``, ``file_damaged``,
    ``file_decompression_bomb``) and the file name (``file_name_invalid``). Images are
    re-encoded without metadata and get a thumbnail; other types are kept as sent.
    """
    if not data:
        raise FileEmpty()
    if len(data) > max_bytes():
        raise FileTooLarge(max_bytes())
    document_kind = clean_kind(kind)
    sniffed = sniff(data)
    name = clean_file_name(file_name, sniffed.content_type)
    thumbnail = b""
    if sniffed.is_image:
        cleaned = images.reencode(data, sniffed.content_type)
        data, thumbnail = cleaned.data, cleaned.thumbnail
    return PreparedFile(document_kind, sniffed.content_type, name, data, thumbnail)


def document_prepare_pixels(
    *, image: Image.Image, content_type: str, file_name: str, kind: str
) -> PreparedFile:
    """Prepare pixels a caller already decoded and cleaned (``images.open_image`` then
    ``images.pixels_only``, then perhaps changed, e.g. faces blurred) without storing anything.

    ``content_type``: the type ``filetypes.sniff`` found (JPEG, PNG or WebP), encoded again in
    that type with a thumbnail; raises DocumentKindInvalid, FileNameInvalid, FileTypeNotAllowed.
    The original bytes are not needed, so they cannot reach storage.
    """
    from logitrack.documents.errors import FileTypeNotAllowed
    from logitrack.documents.filetypes import IMAGE_TYPES

    document_kind = clean_kind(kind)
    if content_type not in IMAGE_TYPES:
        raise FileTypeNotAllowed()
    name = clean_file_name(file_name, content_type)
    cleaned = images.encode_clean(image, content_type)
    return PreparedFile(document_kind, content_type, name, cleaned.data, cleaned.thumbnail)


def document_store(
    *,
    actor: Principal,
    prepared: PreparedFile,
    shipment: Shipment | None = None,
    order: Order | None = None,
    request: HttpRequest | None = None,
    written: list[str] | None = None,
) -> Document:
    """Encrypt and store a prepared file and save its row, atomically with the audit entry.

    The stored objects' keys are appended to ``written`` (when given), so that a caller whose
    own transaction fails afterwards can remove them; on an error here they are removed at once.
    """
    tenant_id = _tenant_id(actor)
    file_key = vault.new_file_key()
    storage_key = vault.new_storage_key(tenant_id)
    thumbnail_key = vault.new_storage_key(tenant_id, ".thumb") if prepared.thumbnail else ""
    mine: list[str] = []
    try:
        for key, data in ((storage_key, prepared.data), (thumbnail_key, prepared.thumbnail)):
            if key:
                vault.put(key, vault.seal(file_key, data, tenant_id=tenant_id, storage_key=key))
                mine.append(key)
        with transaction.atomic():
            document = Document(
                tenant_id=tenant_id,
                kind=prepared.kind,
                content_type=prepared.content_type,
                size=len(prepared.data),
                sha256=hashlib.sha256(prepared.data).hexdigest(),
                storage_key=storage_key,
                thumbnail_key=thumbnail_key,
                thumbnail_state=thumbnails.initial_state(prepared.content_type, prepared.thumbnail),
                file_key=file_key,
                original_name=prepared.name,
                uploaded_by=actor.user,
                shipment=shipment,
                order=order,
            )
            document.save()
            _audit(actor, "document_uploaded", document, request)
            if document.thumbnail_state == ThumbnailState.PENDING:
                thumbnails.enqueue_on_commit(document)
    except BaseException:
        for key in mine:
            vault.delete(key)
        raise
    if written is not None:
        written.extend(mine)
    return document


def document_upload(
    *,
    actor: Principal,
    data: bytes,
    file_name: str,
    kind: str,
    shipment: Shipment | None = None,
    order: Order | None = None,
    request: HttpRequest | None = None,
) -> Document:
    """Check, clean and store ``data`` as a new document of the actor's tenant (see
    ``document_prepare`` for the checks and their errors). ``shipment`` or ``order`` (of the
    actor's tenant, obtained through their ``access_*``) is what it is attached to; the model's
    tenant guard refuses another tenant's."""
    prepared = document_prepare(data=data, file_name=file_name, kind=kind)
    return document_store(
        actor=actor, prepared=prepared, shipment=shipment, order=order, request=request
    )


def document_delete(
    *, actor: Principal, document: Document, request: HttpRequest | None = None
) -> None:
    """Delete ``document``; its stored objects are removed when the deletion commits."""
    keys = [key for key in (document.storage_key, document.thumbnail_key) if key]
    with transaction.atomic():
        _audit(actor, "document_deleted", document, request)
        Document.objects.filter(pk=document.pk).delete()
        for key in keys:
            transaction.on_commit(partial(vault.delete, key))


def document_read(*, actor: Principal, document: Document, thumbnail: bool = False) -> bytes:
    """The plaintext of ``document`` (or of its thumbnail); DocumentUnavailable when the stored
    object is missing or altered, or the tenant's key was destroyed; ThumbnailNotAvailable when
    a thumbnail is asked for and the document has none (yet)."""
    from logitrack.documents.errors import ThumbnailNotAvailable

    if thumbnail and not document.thumbnail_key:
        raise ThumbnailNotAvailable(ThumbnailState(document.thumbnail_state))
    key = document.thumbnail_key if thumbnail else document.storage_key
    return _open(document, key)[1]


def document_read_system(*, document: Document) -> tuple[str, bytes]:
    """(file key, plaintext) of ``document``, for Logitrack's own jobs bound to its tenant (the
    preview job); DocumentUnavailable as ``document_read``."""
    return _open(document, document.storage_key)


def _open(document: Document, key: str) -> tuple[str, bytes]:
    from logitrack.core.crypto.api import reveal
    from logitrack.core.crypto.errors import EncryptedValueUnavailable
    from logitrack.documents.errors import DocumentUnavailable

    if not key:
        raise DocumentUnavailable()
    try:
        file_key = str(reveal(document, "file_key"))
    except EncryptedValueUnavailable as exc:
        raise DocumentUnavailable() from exc
    data = vault.open_sealed(
        file_key, vault.get(key), tenant_id=document.tenant_id, storage_key=key
    )
    return file_key, data


def _audit(actor: Principal, action: str, document: Document, request: HttpRequest | None) -> None:
    from logitrack.security.services import audit_record

    audit_record(
        action=action,
        actor=actor_of(actor),
        tenant_id=document.tenant_id,
        object_type="document",
        object_id=str(document.pk),
        details={
            "kind": document.kind,
            "content_type": document.content_type,
            "size": document.size,
        },
        request=request,
    )
