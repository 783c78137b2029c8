"""Uploaded order sheets at rest: encrypted with the tenant's data key, 0600, deleted after use.

Shape of a stored file (``$LOGITRACK_DATA_DIR/imports/<key>.bin``, ``key`` 32 hex characters
from the server, never the user's file name): ``ring`` (16 bytes, UUID of the tenant's data key
ring) | ``version`` (4 bytes, big-endian) | ``nonce`` (12 bytes) | AES-256-GCM ciphertext and
tag of the file, with ``logitrack-import:<tenant id>:<key>`` as associated data, so that a file
cannot be swapped to another tenant's job. Losing or destroying the tenant's key makes the file
unreadable (docs/adr/0005).

After its dry run a job may keep the rows it read from the file (``<key>.rows.bin``, the same
shape and key, ``logitrack-import-rows:<tenant id>:<key>`` as associated data), so that the
import step need not read them again (``imports.pipeline``, docs/adr/0047); it is the file's
content in another form, so it lives and dies with the file: :func:`delete_upload` removes both.
"""

from __future__ import annotations

import os
import secrets
import struct
import uuid
from pathlib import Path

from django.conf import settings

from logitrack.core.crypto.store import KeyOwner, read_key, write_key

_HEADER = struct.Struct(">16sI12s")


def _directory() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _path(key: str) -> Path:
    if len(key) != 32 or not all(c in "0123456789abcdef" for c in key):
        raise ValueError("not an import file key")
    return _directory() / f"{key}.bin"


def _aad(tenant_id: int, key: str) -> bytes:
    return f"logitrack-import:{tenant_id}:{key}".encode()


def _rows_path(key: str) -> Path:
    return _path(key).with_suffix(".rows.bin")


def _rows_draft_path(key: str) -> Path:
    return _path(key).with_suffix(".rows.part")


def _rows_aad(tenant_id: int, key: str) -> bytes:
    return f"logitrack-import-rows:{tenant_id}:{key}".encode()


def _seal_to(path: Path, tenant_id: int, data: bytes, aad: bytes) -> None:
    material = write_key(KeyOwner("tenant", str(tenant_id)))
    nonce = os.urandom(12)
    sealed = material.aead.encrypt(nonce, data, aad)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(_HEADER.pack(material.ring.bytes, material.version, nonce))
            handle.write(sealed)
    except BaseException:
        # A disk that fills up midway leaves nothing behind, not a piece of a file.
        path.unlink(missing_ok=True)
        raise


def _open_from(path: Path, aad: bytes) -> bytes:
    raw = path.read_bytes()
    ring, version, nonce = _HEADER.unpack_from(raw)
    material = read_key(uuid.UUID(bytes=ring), version)
    return material.aead.decrypt(nonce, raw[_HEADER.size :], aad)


def store_upload(tenant_id: int, data: bytes) -> str:
    """Encrypt ``data`` under tenant ``tenant_id``'s key into a new 0600 file; returns its key."""
    key = secrets.token_hex(16)
    _seal_to(_path(key), tenant_id, data, _aad(tenant_id, key))
    return key


def read_upload(tenant_id: int, key: str) -> bytes:
    """The plaintext of a stored file; raises FileNotFoundError or cryptography's InvalidTag."""
    return _open_from(_path(key), _aad(tenant_id, key))


def store_rows(tenant_id: int, key: str, data: bytes) -> None:
    """Encrypt the rows read from file ``key`` next to it (replacing an earlier copy).

    Written aside and renamed into place, so that a reader sees the old rows, the new rows or
    none, never part of them. The file is looked for again once the rows are in place: when
    :func:`delete_upload` ran meanwhile (a job deleted, failed or expired while its dry run was
    still writing), the rows go too and FileNotFoundError is raised.
    """
    if not _path(key).exists():
        raise FileNotFoundError("the file of these rows is gone")
    draft = _rows_draft_path(key)
    _seal_to(draft, tenant_id, data, _rows_aad(tenant_id, key))
    path = _rows_path(key)
    os.replace(draft, path)
    if not _path(key).exists():
        path.unlink(missing_ok=True)
        raise FileNotFoundError("the file of these rows is gone")


def read_rows(tenant_id: int, key: str) -> bytes:
    """The rows kept for file ``key``; raises FileNotFoundError or cryptography's InvalidTag."""
    return _open_from(_rows_path(key), _rows_aad(tenant_id, key))


def delete_upload(key: str) -> None:
    """Remove a stored file and the rows read from it; nothing happens when they are gone.

    The file goes first: rows stored meanwhile (:func:`store_rows`) either see it gone and remove
    themselves, or were in place before it went and are removed here after it.
    """
    if key:
        _path(key).unlink(missing_ok=True)
        _rows_draft_path(key).unlink(missing_ok=True)
        _rows_path(key).unlink(missing_ok=True)
