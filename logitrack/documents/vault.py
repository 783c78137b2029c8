"""Document bytes at rest: encrypted, under server-generated keys, through Django's storage API.

Each document has its own random 256-bit file key, kept in ``Document.file_key``, an encrypted
field sealed under the tenant's data key (ADR 0005). The stored object is::

    b"LTDOC1\\n" || nonce (12 bytes) || AES-256-GCM(file key, nonce, plaintext, aad)

with ``aad = "logitrack:document:v1|<tenant id>|<storage key>"``, so a stored object copied under
another key or tenant fails to open. Rotating the tenant's key re-seals the file keys with the
other encrypted fields; destroying it leaves every stored object unreadable, in backups too.
An object written by a transaction that then rolled back has no row holding its file key and is
noise to whoever finds it.

Storage keys are ``documents/t<tenant id>/<32 hex digits><suffix>``: made here, never from a
client's file name. The storage is ``STORAGES[LOGITRACK_DOCUMENT_STORAGE]`` (the local
filesystem under ``var/media`` by default; an S3-compatible bucket through django-storages).
"""

from __future__ import annotations

import base64
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

from logitrack.documents.errors import DocumentUnavailable

MAGIC = b"LTDOC1\n"
NONCE_BYTES = 12
FILE_KEY_BYTES = 32


def storage() -> Storage:
    return storages[settings.LOGITRACK_DOCUMENT_STORAGE]


def new_storage_key(tenant_id: int, suffix: str = "") -> str:
    return f"documents/t{tenant_id}/{uuid.uuid4().hex}{suffix}"


def new_file_key() -> str:
    """A random file key, base64 (the form ``Document.file_key`` stores, encrypted)."""
    return base64.b64encode(os.urandom(FILE_KEY_BYTES)).decode("ascii")


def _aad(tenant_id: int, storage_key: str) -> bytes:
    return f"logitrack:document:v1|{tenant_id}|{storage_key}".encode()


def _aead(file_key: str) -> AESGCM:
    raw = base64.b64decode(file_key.encode("ascii"), validate=True)
    if len(raw) != FILE_KEY_BYTES:
        raise DocumentUnavailable()
    return AESGCM(raw)


def seal(file_key: str, data: bytes, *, tenant_id: int, storage_key: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    body = _aead(file_key).encrypt(nonce, data, _aad(tenant_id, storage_key))
    return MAGIC + nonce + body


def open_sealed(file_key: str, blob: bytes, *, tenant_id: int, storage_key: str) -> bytes:
    """The plaintext of ``blob``; DocumentUnavailable when it was altered or moved."""
    if not blob.startswith(MAGIC):
        raise DocumentUnavailable()
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    body = blob[len(MAGIC) + NONCE_BYTES :]
    try:
        return _aead(file_key).decrypt(nonce, body, _aad(tenant_id, storage_key))
    except (InvalidTag, ValueError) as exc:
        raise DocumentUnavailable() from exc


def put(storage_key: str, blob: bytes) -> None:
    """Store ``blob`` under exactly ``storage_key`` (a storage that renames it is refused)."""
    saved = storage().save(storage_key, ContentFile(blob))
    if saved != storage_key:
        storage().delete(saved)
        raise RuntimeError("the document storage renamed a server-generated key")


def get(storage_key: str) -> bytes:
    try:
        with storage().open(storage_key, "rb") as handle:
            data: bytes = handle.read()
    except (FileNotFoundError, OSError) as exc:
        raise DocumentUnavailable() from exc
    return data


def delete(storage_key: str) -> None:
    """Remove a stored object; one already gone is not an error."""
    if storage_key:
        storage().delete(storage_key)
