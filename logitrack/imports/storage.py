"""Uploaded order sheets at rest: encrypted with the tenant's data key, 0600, deleted after use.

Shape of a stored file (``$LOGITRACK_DATA_DIR/imports/<key>.bin``, ``key`` 32 hex characters
from the server, never the user's file name): ``ring`` (16 bytes, UUID of the tenant's data key
ring) | ``version`` (4 bytes, big-endian) | ``nonce`` (12 bytes) | AES-256-GCM ciphertext and
tag of the file, with ``logitrack-import:<tenant id>:<key>`` as associated data, so that a file
cannot be swapped to another tenant's job. Losing or destroying the tenant's key makes the file
unreadable (docs/adr/0005).
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


def store_upload(tenant_id: int, data: bytes) -> str:
    """Encrypt ``data`` under tenant ``tenant_id``'s key into a new 0600 file; returns its key."""
    key = secrets.token_hex(16)
    material = write_key(KeyOwner("tenant", str(tenant_id)))
    nonce = os.urandom(12)
    sealed = material.aead.encrypt(nonce, data, _aad(tenant_id, key))
    path = _path(key)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(_HEADER.pack(material.ring.bytes, material.version, nonce))
        handle.write(sealed)
    return key


def read_upload(tenant_id: int, key: str) -> bytes:
    """The plaintext of a stored file; raises FileNotFoundError or cryptography's InvalidTag."""
    raw = _path(key).read_bytes()
    ring, version, nonce = _HEADER.unpack_from(raw)
    material = read_key(uuid.UUID(bytes=ring), version)
    return material.aead.decrypt(nonce, raw[_HEADER.size :], _aad(tenant_id, key))


def delete_upload(key: str) -> None:
    """Remove a stored file; nothing happens when it is already gone."""
    if key:
        _path(key).unlink(missing_ok=True)
