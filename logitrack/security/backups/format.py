"""The encrypted backup file: AES-256-GCM in authenticated chunks, streamed (docs/adr/0055).

Layout (all integers big-endian)::

    header  = b"LTBK" | version u8 (1) | chunk_size u32 | salt 16 bytes
              | key_id_length u8 | key_id (ASCII, the master key entry's id)
    chunk*  = length u32 | AES-256-GCM(ciphertext + 16-byte tag)

The file key is HKDF-SHA256(master key, salt, info=b"logitrack backup v1"), a fresh salt per
file, so a (key, nonce) pair is never reused. Chunk ``i`` (from 0) is sealed with the nonce
``i`` as 12 bytes and the associated data ``header | i u64 | final u8``: the header cannot be
edited, chunks cannot be reordered, dropped or duplicated, and the last chunk says it is the
last, so a file cut at a chunk boundary is refused too (the construction of Hoang, Reyhanitabar,
Rogaway and Vizár's "STREAM", as in age and Tink's streaming AEAD). Memory stays bounded by one
chunk (1 MiB by default) whatever the size of the database.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from logitrack.core.crypto.errors import MasterKeyMissing
from logitrack.core.crypto.keyring import MasterKeyring

MAGIC = b"LTBK"
VERSION = 1
CHUNK_SIZE = 1024 * 1024
SALT_BYTES = 16
TAG_BYTES = 16
FILE_KEY_INFO = b"logitrack backup v1"
MANIFEST_KEY_INFO = b"logitrack backup manifest v1"
_FIXED = struct.Struct(">4sBI16sB")
_LENGTH = struct.Struct(">I")
_AAD_TAIL = struct.Struct(">QB")


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


class BackupFormatError(Exception):
    """The file is not an intact Logitrack backup: damaged, truncated, edited or foreign."""


class BackupKeyMissing(BackupFormatError):
    """The master key the backup was sealed under is not in the configured keyring."""

    def __init__(self, key_id: str) -> None:
        super().__init__(key_id)
        self.key_id = key_id


def derive_key(secret: bytes, salt: bytes, info: bytes) -> bytes:
    """A 32-byte key for one backup file from a master key (HKDF-SHA256, RFC 5869)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def _header(chunk_size: int, salt: bytes, key_id: str) -> bytes:
    encoded = key_id.encode("ascii")
    return _FIXED.pack(MAGIC, VERSION, chunk_size, salt, len(encoded)) + encoded


def encrypt_stream(
    source: BinaryIO,
    target: Writable,
    keyring: MasterKeyring,
    *,
    chunk_size: int = CHUNK_SIZE,
) -> tuple[str, bytes]:
    """Encrypt ``source`` to ``target`` under the keyring's current master key.

    Returns the master key id and the file's salt (for :func:`manifest_key`).
    """
    master = keyring.current
    salt = os.urandom(SALT_BYTES)
    header = _header(chunk_size, salt, master.id)
    aead = AESGCM(derive_key(master.secret, salt, FILE_KEY_INFO))
    target.write(header)
    index = 0
    chunk = source.read(chunk_size)
    while True:
        following = source.read(chunk_size) if chunk else b""
        final = not following
        sealed = aead.encrypt(_nonce(index), chunk, header + _AAD_TAIL.pack(index, int(final)))
        target.write(_LENGTH.pack(len(sealed)) + sealed)
        if final:
            return master.id, salt
        chunk = following
        index += 1


def _read_exact(source: BinaryIO, size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise BackupFormatError("truncated")
    return data


def read_header(source: BinaryIO) -> tuple[bytes, int, bytes, str]:
    """The raw header, chunk size, salt and master key id at the start of ``source``."""
    fixed = _read_exact(source, _FIXED.size)
    magic, version, chunk_size, salt, id_length = _FIXED.unpack(fixed)
    if magic != MAGIC:
        raise BackupFormatError("not a Logitrack backup")
    if version != VERSION:
        raise BackupFormatError(f"unknown format version {version}")
    if not 0 < chunk_size <= 64 * CHUNK_SIZE:
        raise BackupFormatError("bad chunk size")
    key_id = _read_exact(source, id_length)
    try:
        text = key_id.decode("ascii")
    except UnicodeDecodeError as exc:
        raise BackupFormatError("bad master key id") from exc
    return fixed + key_id, chunk_size, salt, text


def decrypt_chunks(source: BinaryIO, keyring: MasterKeyring) -> Iterator[bytes]:
    """Yield the plaintext of ``source`` chunk by chunk, each authenticated before it is given.

    Raises BackupKeyMissing when the header's master key is not in ``keyring`` and
    BackupFormatError on any damage; a caller must discard what it received before the error.
    """
    header, chunk_size, salt, key_id = read_header(source)
    try:
        master = keyring.get(key_id)
    except MasterKeyMissing as exc:
        raise BackupKeyMissing(key_id) from exc
    aead = AESGCM(derive_key(master.secret, salt, FILE_KEY_INFO))
    index = 0
    while True:
        prefix = source.read(_LENGTH.size)
        if not prefix:
            raise BackupFormatError("truncated: the final chunk is missing")
        if len(prefix) != _LENGTH.size:
            raise BackupFormatError("truncated")
        (length,) = _LENGTH.unpack(prefix)
        if not TAG_BYTES <= length <= chunk_size + TAG_BYTES:
            raise BackupFormatError("bad chunk length")
        sealed = _read_exact(source, length)
        plain: bytes | None = None
        final = False
        for flag in (0, 1):
            try:
                plain = aead.decrypt(_nonce(index), sealed, header + _AAD_TAIL.pack(index, flag))
            except InvalidTag:
                continue
            final = bool(flag)
            break
        if plain is None:
            raise BackupFormatError("a chunk failed authentication (edited, reordered or foreign)")
        yield plain
        if final:
            if source.read(1):
                raise BackupFormatError("data after the final chunk")
            return
        index += 1


def manifest_key(keyring: MasterKeyring, key_id: str, salt: bytes) -> bytes:
    """The HMAC key that seals a backup's manifest (same master key and salt, another label)."""
    try:
        master = keyring.get(key_id)
    except MasterKeyMissing as exc:
        raise BackupKeyMissing(key_id) from exc
    return derive_key(master.secret, salt, MANIFEST_KEY_INFO)
