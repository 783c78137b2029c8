"""The stored form of an encrypted value: ``v1:<ring>:<version>:<nonce>:<ciphertext+tag>``.

``ring`` is the data key ring's UUID (32 hex digits), ``version`` the key version within it, the
nonce (12 random bytes) and the AES-256-GCM output are base64url without padding. The plaintext is
padded to a multiple of 16 bytes (ISO/IEC 7816-4: 0x80 then zeros) so that the stored length
says less about the value. The associated data, which the caller builds, binds the value to its
table, column and key; a value copied elsewhere fails to decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from logitrack.core.crypto.errors import CiphertextInvalid

FORMAT = "v1"
NONCE_BYTES = 12
TAG_BYTES = 16
BLOCK = 16


@dataclass(frozen=True)
class TokenParts:
    ring: uuid.UUID
    version: int
    nonce: bytes
    body: bytes


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64(data: bytes) -> str:
    # base64.urlsafe_b64encode without its two Python-level calls (the same bytes).
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pad(data: bytes) -> bytes:
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % BLOCK)


def unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise CiphertextInvalid("padding")
    return end[:-1]


def seal(aead: AESGCM, ring: uuid.UUID, version: int, aad: bytes, plaintext: bytes) -> str:
    nonce = os.urandom(NONCE_BYTES)
    body = aead.encrypt(nonce, pad(plaintext), aad)
    return f"{FORMAT}:{ring.hex}:{version}:{_b64(nonce)}:{_b64(body)}"


def seal_many(
    aead: AESGCM, ring: uuid.UUID, version: int, aad: bytes, plaintexts: list[bytes]
) -> list[str]:
    """``[seal(aead, ring, version, aad, p) for p in plaintexts]``, for many values under one
    key (the bulk import): the same tokens, each with its own random nonce, the nonces drawn
    from the system's random source in one read and the token's fixed head built once."""
    count = len(plaintexts)
    nonces = os.urandom(NONCE_BYTES * count)
    head = f"{FORMAT}:{ring.hex}:{version}:"
    encrypt = aead.encrypt
    out: list[str] = []
    for position, plaintext in enumerate(plaintexts):
        nonce = nonces[position * NONCE_BYTES : (position + 1) * NONCE_BYTES]
        out.append(f"{head}{_b64(nonce)}:{_b64(encrypt(nonce, pad(plaintext), aad))}")
    return out


def parse(token: str) -> TokenParts:
    """Split a stored value; anything that is not a well-formed v1 token is invalid."""
    parts = token.split(":")
    if len(parts) != 5 or parts[0] != FORMAT:
        raise CiphertextInvalid("format")
    try:
        ring = uuid.UUID(hex=parts[1])
        version = int(parts[2])
        nonce = _unb64(parts[3])
        body = _unb64(parts[4])
    except (ValueError, binascii.Error) as exc:
        raise CiphertextInvalid("format") from exc
    if version < 1 or len(nonce) != NONCE_BYTES or len(body) < TAG_BYTES + BLOCK:
        raise CiphertextInvalid("format")
    return TokenParts(ring, version, nonce, body)


def open_parts(aead: AESGCM, parts: TokenParts, aad: bytes) -> bytes:
    try:
        return unpad(aead.decrypt(parts.nonce, parts.body, aad))
    except InvalidTag as exc:
        raise CiphertextInvalid("tag") from exc


def looks_like_token(value: str) -> bool:
    return value.startswith(FORMAT + ":") and value.count(":") == 4


class Sealed:
    """A stored ciphertext token, as loaded from the database; opened on attribute access.

    The opened value is cached for the owner it was checked against, and never pickled.
    """

    __slots__ = ("_opened", "_opened_for", "token")

    def __init__(self, token: str) -> None:
        self.token = token
        self._opened_for: object = None
        self._opened: object = None

    def cached(self, context: object) -> tuple[bool, object]:
        if self._opened_for is not None and self._opened_for == context:
            return True, self._opened
        return False, None

    def remember(self, context: object, value: object) -> None:
        self._opened_for = context
        self._opened = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)

    def __repr__(self) -> str:
        return f"Sealed({self.token[:45]}…)"

    def __str__(self) -> str:
        return "[encrypted]"

    def __reduce__(self) -> tuple[type[Sealed], tuple[str]]:
        return (Sealed, (self.token,))
