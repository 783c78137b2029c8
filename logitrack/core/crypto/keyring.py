"""The master keyring: the keys that wrap every data key, held outside the database.

``LOGITRACK_MASTER_KEY`` holds one or more entries separated by commas, or
``LOGITRACK_MASTER_KEY_FILE`` names a file with one entry per line (``#`` starts a comment). An
entry is ``id:base64`` or a bare ``base64`` of 32 random bytes; a bare entry's id is derived from
its key, so it stays the same wherever the key is configured. The last entry is the newest: new
data keys are wrapped with it, and every wrapped key names the entry that unwraps it, so a master
key is replaced by adding a new last entry, running ``logitrack keys rewrap``, and then removing
the old entry.

This module is imported by the settings (production refuses to start without a keyring), so it
must not touch Django's settings or models at import time.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from logitrack.core.crypto.errors import MasterKeyMissing

KEY_BYTES = 32
_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_SETTINGS = ("LOGITRACK_MASTER_KEY", "LOGITRACK_MASTER_KEY_FILE")


@dataclass(frozen=True)
class MasterKey:
    id: str
    secret: bytes = field(repr=False)


@dataclass(frozen=True)
class MasterKeyring:
    """Master keys, oldest first; the last one wraps new data keys."""

    keys: tuple[MasterKey, ...]

    @property
    def current(self) -> MasterKey:
        return self.keys[-1]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key.id for key in self.keys)

    def get(self, key_id: str) -> MasterKey:
        for key in self.keys:
            if key.id == key_id:
                return key
        raise MasterKeyMissing(key_id)


def derived_id(secret: bytes) -> str:
    """The id of an entry configured without one: a short fingerprint, not the key itself."""
    return "k" + hashlib.sha256(b"logitrack master key id\x00" + secret).hexdigest()[:12]


def _decode(text: str, source: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    try:
        secret = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{source}: a master key entry is not valid base64.") from exc
    if len(secret) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{source}: a master key must be {KEY_BYTES} random bytes, base64-encoded "
            f"(got {len(secret)} bytes)."
        )
    return secret


def parse_keyring(text: str, *, source: str) -> MasterKeyring:
    """Parse keyring entries (comma- or line-separated, ``#`` comments); oldest first."""
    keys: list[MasterKey] = []
    for line in text.splitlines():
        for raw in line.split("#", 1)[0].split(","):
            entry = raw.strip()
            if not entry:
                continue
            key_id, sep, encoded = entry.rpartition(":")
            if not sep:
                secret = _decode(entry, source)
                key_id = derived_id(secret)
            else:
                if not _ID.match(key_id):
                    raise ImproperlyConfigured(
                        f"{source}: master key id {key_id!r} must be 1 to 32 letters, digits, "
                        "'-' or '_'."
                    )
                secret = _decode(encoded.strip(), source)
            if any(k.id == key_id for k in keys):
                raise ImproperlyConfigured(f"{source}: master key id {key_id!r} appears twice.")
            if any(k.secret == secret for k in keys):
                raise ImproperlyConfigured(f"{source}: the same master key appears twice.")
            keys.append(MasterKey(key_id, secret))
    if not keys:
        raise ImproperlyConfigured(f"{source} holds no master key.")
    return MasterKeyring(tuple(keys))


def load_keyring(value: str, path: str | os.PathLike[str]) -> MasterKeyring:
    """The keyring from the environment value or the key file: exactly one must be set."""
    path_text = os.fspath(path) if path else ""
    if value and path_text:
        raise ImproperlyConfigured(
            "Set LOGITRACK_MASTER_KEY or LOGITRACK_MASTER_KEY_FILE, not both."
        )
    if value:
        return parse_keyring(value, source="LOGITRACK_MASTER_KEY")
    if path_text:
        try:
            text = Path(path_text).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImproperlyConfigured(
                f"LOGITRACK_MASTER_KEY_FILE: cannot read {path_text}: {exc}"
            ) from exc
        return parse_keyring(text, source=path_text)
    raise ImproperlyConfigured(
        "No master key: set LOGITRACK_MASTER_KEY (base64 of 32 random bytes, or id:base64 "
        "entries separated by commas) or LOGITRACK_MASTER_KEY_FILE (a file outside the "
        "database and its backups). See docs/adr/0005-field-encryption.md."
    )


def new_entry() -> str:
    """A new keyring entry ``id:base64`` from the operating system's random source."""
    secret = secrets.token_bytes(KEY_BYTES)
    return f"{derived_id(secret)}:{base64.b64encode(secret).decode('ascii')}"


def ensure_master_key_file(path: Path) -> Path:
    """Create ``path`` (mode 0600) with a new master key unless it exists; return it.

    For the embedded default only: production names its key explicitly and never generates one.
    """
    if path.exists():
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        return path
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write("# Logitrack master keyring: oldest first, the last entry is current.\n")
        handle.write(new_entry() + "\n")
    return path


@functools.cache
def master_keyring() -> MasterKeyring:
    """The keyring configured in the settings, parsed once per process."""
    from django.conf import settings

    return load_keyring(
        getattr(settings, "LOGITRACK_MASTER_KEY", ""),
        getattr(settings, "LOGITRACK_MASTER_KEY_FILE", ""),
    )


def _forget_keyring(*, setting: str, **kwargs: Any) -> None:
    if setting in _SETTINGS:
        master_keyring.cache_clear()


setting_changed.connect(_forget_keyring, dispatch_uid="logitrack.crypto.keyring")
