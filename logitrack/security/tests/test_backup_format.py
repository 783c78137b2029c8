"""The encrypted backup format: round trip, and every kind of damage refused (no database)."""

from __future__ import annotations

import io
import os
import struct

import pytest

from logitrack.core.crypto.keyring import parse_keyring
from logitrack.security.backups.format import (
    BackupFormatError,
    BackupKeyMissing,
    decrypt_chunks,
    encrypt_stream,
    read_header,
)

OLD = "old:" + "A" * 43 + "="
NEW = "new:" + "B" * 43 + "="
PLAIN = os.urandom(10_000)
CHUNK = 1024


def _sealed(keyring_text: str = f"{OLD},{NEW}") -> bytes:
    out = io.BytesIO()
    encrypt_stream(
        io.BytesIO(PLAIN), out, parse_keyring(keyring_text, source="t"), chunk_size=CHUNK
    )
    return out.getvalue()


def _open(data: bytes, keyring_text: str = f"{OLD},{NEW}") -> bytes:
    keyring = parse_keyring(keyring_text, source="t")
    return b"".join(decrypt_chunks(io.BytesIO(data), keyring))


def _chunks(data: bytes) -> tuple[bytes, list[bytes]]:
    """Split a sealed file into its header and its length-prefixed chunks."""
    source = io.BytesIO(data)
    header = read_header(source)[0]
    chunks = []
    while prefix := source.read(4):
        (length,) = struct.unpack(">I", prefix)
        chunks.append(prefix + source.read(length))
    return header, chunks


def test_a_sealed_stream_opens_to_the_same_bytes_in_chunks_of_the_given_size() -> None:
    data = _sealed()
    header, chunks = _chunks(data)
    assert header.startswith(b"LTBK\x01")
    assert header.endswith(b"new")
    assert len(chunks) == 10  # 9 full chunks of 1024 bytes and the final 784
    assert PLAIN[:64] not in data
    assert _open(data) == PLAIN


def test_a_rotated_keyring_still_opens_a_backup_sealed_under_an_older_master_key() -> None:
    data = _sealed(OLD)
    assert _open(data, f"{OLD},{NEW}") == PLAIN


def test_an_empty_source_is_one_final_chunk() -> None:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(b""), out, parse_keyring(NEW, source="t"), chunk_size=CHUNK)
    assert _open(out.getvalue()) == b""


@pytest.mark.parametrize("offset", [0, 5, 30, 40, 3000, -1])
def test_a_flipped_byte_anywhere_is_refused(offset: int) -> None:
    data = bytearray(_sealed())
    data[offset] ^= 0x01
    with pytest.raises(BackupFormatError):
        _open(bytes(data))


def test_a_file_cut_at_a_chunk_boundary_is_refused() -> None:
    header, chunks = _chunks(_sealed())
    with pytest.raises(BackupFormatError, match="final chunk is missing"):
        _open(header + b"".join(chunks[:-1]))


def test_a_file_cut_inside_a_chunk_is_refused() -> None:
    with pytest.raises(BackupFormatError, match="truncated"):
        _open(_sealed()[:-5])


def test_reordered_dropped_or_appended_chunks_are_refused() -> None:
    header, chunks = _chunks(_sealed())
    swapped = [chunks[1], chunks[0], *chunks[2:]]
    dropped = [chunks[0], *chunks[2:]]
    for bad in (swapped, dropped, [*chunks, chunks[-1]]):
        with pytest.raises(BackupFormatError):
            _open(header + b"".join(bad))


def test_a_missing_master_key_is_named() -> None:
    with pytest.raises(BackupKeyMissing) as refused:
        _open(_sealed(NEW), OLD)
    assert refused.value.key_id == "new"


def test_a_wrong_key_under_the_same_id_is_refused() -> None:
    with pytest.raises(BackupFormatError, match="authentication"):
        _open(_sealed(NEW), "new:" + "C" * 43 + "=")


def test_equal_chunks_are_sealed_under_distinct_nonces() -> None:
    out = io.BytesIO()
    encrypt_stream(
        io.BytesIO(bytes(3 * CHUNK)), out, parse_keyring(NEW, source="t"), chunk_size=CHUNK
    )
    _header, chunks = _chunks(out.getvalue())
    assert len({chunk[4:-16] for chunk in chunks}) == 3  # GCM's keystream never repeats
