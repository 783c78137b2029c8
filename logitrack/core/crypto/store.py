"""Data keys in use: creating, wrapping, unwrapping, and a small cache of unwrapped keys.

Unwrapped keys are cached per (ring, version) for ``LOGITRACK_DATA_KEY_CACHE_SECONDS`` (an LRU of
``LOGITRACK_DATA_KEY_CACHE_SIZE`` entries), so a page of rows under one tenant key unwraps it once,
and a key destroyed by another process stops working here within that time. Which key *writes*
for an owner is never cached across saves: a rotation or destruction elsewhere takes effect on
the next save.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.signals import setting_changed
from django.db import IntegrityError, transaction

from logitrack.core.crypto.errors import (
    CiphertextInvalid,
    EncryptedValueUnavailable,
    EncryptionKeyDestroyed,
)
from logitrack.core.crypto.keyring import KEY_BYTES, master_keyring
from logitrack.core.crypto.models import DataKey, KeyState, OwnerKind

NONCE_BYTES = 12
INDEX_BYTES = 16


@dataclass(frozen=True)
class KeyOwner:
    """Whose key: ``kind`` is tenant, user or index; ``id`` is None until the row is inserted."""

    kind: str
    id: str | None

    def __str__(self) -> str:
        return f"{self.kind} #{self.id}" if self.id is not None else f"{self.kind} (new)"


@dataclass(frozen=True)
class DataKeyMaterial:
    """One unwrapped data key version and the owner its wrapping authenticated."""

    ring: uuid.UUID
    version: int
    owner: KeyOwner
    secret: bytes = field(repr=False)
    aead: AESGCM = field(repr=False, compare=False)


def _wrap_aad(ring: uuid.UUID, version: int, owner: KeyOwner, master_id: str) -> bytes:
    return (
        f"logitrack:datakey:v1|{ring.hex}|{version}|{owner.kind}|{owner.id or ''}|{master_id}"
    ).encode()


def wrap(secret: bytes, ring: uuid.UUID, version: int, owner: KeyOwner) -> tuple[str, bytes]:
    """Wrap ``secret`` under the newest master key; returns (master key id, nonce + ciphertext)."""
    master = master_keyring().current
    nonce = os.urandom(NONCE_BYTES)
    body = AESGCM(master.secret).encrypt(nonce, secret, _wrap_aad(ring, version, owner, master.id))
    return master.id, nonce + body


def row_owner(row: DataKey) -> KeyOwner:
    return KeyOwner(row.owner_kind, row.owner_id)


def unwrap(row: DataKey) -> DataKeyMaterial:
    """Unwrap ``row`` with the master key it names; a row edited in the database fails here."""
    owner = row_owner(row)
    master = master_keyring().get(row.master_key_id)
    blob = bytes(row.wrapped_key)
    try:
        secret = AESGCM(master.secret).decrypt(
            blob[:NONCE_BYTES],
            blob[NONCE_BYTES:],
            _wrap_aad(row.ring, row.version, owner, master.id),
        )
    except InvalidTag as exc:
        raise CiphertextInvalid("key_tampered") from exc
    return DataKeyMaterial(row.ring, row.version, owner, secret, AESGCM(secret))


class _KeyCache:
    """A thread-safe LRU with expiry; entries are keys, or the reason a key is unavailable."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[uuid.UUID, int], tuple[float, DataKeyMaterial | str]]
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, ref: tuple[uuid.UUID, int]) -> DataKeyMaterial | str | None:
        with self._lock:
            entry = self._entries.get(ref)
            if entry is None:
                return None
            expires, value = entry
            if expires < time.monotonic():
                del self._entries[ref]
                return None
            self._entries.move_to_end(ref)
            return value

    def put(self, ref: tuple[uuid.UUID, int], value: DataKeyMaterial | str) -> None:
        ttl = float(getattr(settings, "LOGITRACK_DATA_KEY_CACHE_SECONDS", 60))
        size = int(getattr(settings, "LOGITRACK_DATA_KEY_CACHE_SIZE", 4096))
        if ttl <= 0 or size <= 0:
            return
        with self._lock:
            self._entries[ref] = (time.monotonic() + ttl, value)
            self._entries.move_to_end(ref)
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def forget_rings(self, rings: Iterable[uuid.UUID]) -> None:
        gone = set(rings)
        with self._lock:
            for ref in [ref for ref in self._entries if ref[0] in gone]:
                del self._entries[ref]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _KeyCache()
_index_keys: dict[str, DataKeyMaterial] = {}
_index_lock = threading.Lock()


def forget_cached_keys(rings: Iterable[uuid.UUID] | None = None) -> None:
    """Drop unwrapped keys from this process's memory (all of them when ``rings`` is None)."""
    if rings is None:
        _cache.clear()
        with _index_lock:
            _index_keys.clear()
    else:
        _cache.forget_rings(rings)


def _on_setting_changed(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("LOGITRACK_MASTER_KEY") or setting.startswith("LOGITRACK_DATA_KEY"):
        forget_cached_keys()


setting_changed.connect(_on_setting_changed, dispatch_uid="logitrack.crypto.store")


def _unavailable_reason(row: DataKey | None) -> str | None:
    if row is None:
        return "key_missing"
    if row.state == KeyState.DESTROYED:
        return "key_destroyed"
    if not row.wrapped_key:
        return "key_wiped"
    if row.owner_id is None:
        return "key_pending"
    return None


def _remember(row: DataKey) -> DataKeyMaterial | str:
    reason = _unavailable_reason(row)
    if reason is not None:
        if reason != "key_pending":  # pending rows are linked a moment later
            _cache.put((row.ring, row.version), reason)
        return reason
    material = unwrap(row)
    _cache.put((row.ring, row.version), material)
    return material


def read_key(ring: uuid.UUID, version: int) -> DataKeyMaterial:
    """The key that opens values sealed under (ring, version); raises when it is gone."""
    hit = _cache.get((ring, version))
    if hit is None:
        row = DataKey.objects.filter(ring=ring, version=version).first()
        if row is None:
            _cache.put((ring, version), "key_missing")
            raise EncryptedValueUnavailable("key_missing")
        hit = _remember(row)
    if isinstance(hit, str):
        raise EncryptedValueUnavailable(hit)
    return hit


def prefetch(refs: Iterable[tuple[uuid.UUID, int]]) -> None:
    """Load every key in ``refs`` that is not cached with one query, so a list of rows under
    many owners (people) does not query once per row."""
    wanted = {ref for ref in refs if _cache.get(ref) is None}
    if not wanted:
        return
    rings = {ring for ring, _version in wanted}
    for row in DataKey.objects.filter(ring__in=rings):
        if (row.ring, row.version) in wanted:
            _remember(row)


def _current_row(owner: KeyOwner) -> DataKey | None:
    return (
        DataKey.objects.filter(owner_kind=owner.kind, owner_id=owner.id)
        .exclude(state=KeyState.RETIRED)
        .order_by("-version")
        .first()
    )


def new_secret() -> bytes:
    return os.urandom(KEY_BYTES)


def _create_ring(owner: KeyOwner) -> DataKey:
    secret = new_secret()
    ring = uuid.uuid4()
    master_id, blob = wrap(secret, ring, 1, owner)
    row = DataKey(
        ring=ring,
        version=1,
        owner_kind=owner.kind,
        owner_id=owner.id,
        master_key_id=master_id,
        wrapped_key=blob,
    )
    if owner.id is None:
        row.save(force_insert=True)  # a pending ring conflicts with nothing
    else:
        with transaction.atomic():  # a savepoint: another process may create it first
            row.save(force_insert=True)
    _cache.put((ring, 1), DataKeyMaterial(ring, 1, owner, secret, AESGCM(secret)))
    return row


def write_key(owner: KeyOwner) -> DataKeyMaterial:
    """The owner's current key, created on first use; refused when it was destroyed."""
    if owner.id is None:
        raise ValueError("an owner without an id has no key yet; use new_pending_key()")
    row = _current_row(owner)
    if row is None:
        try:
            row = _create_ring(owner)
        except IntegrityError:  # another process created the owner's ring first
            row = _current_row(owner)
            if row is None:
                raise
    if row.state == KeyState.DESTROYED:
        raise EncryptionKeyDestroyed(str(owner))
    hit = _cache.get((row.ring, row.version))
    if isinstance(hit, DataKeyMaterial):
        return hit
    material = _remember(row)
    if isinstance(material, str):
        raise EncryptedValueUnavailable(material)
    return material


def new_pending_key(kind: str) -> DataKeyMaterial:
    """A new ring for a row that owns its key and has no primary key yet (see ``link``)."""
    row = _create_ring(KeyOwner(kind, None))
    hit = _cache.get((row.ring, 1))
    assert isinstance(hit, DataKeyMaterial)
    return hit


def link(material: DataKeyMaterial, owner_id: str) -> DataKeyMaterial:
    """Give a pending ring to its row, re-wrapping it so that the owner is authenticated."""
    owner = KeyOwner(material.owner.kind, owner_id)
    master_id, blob = wrap(material.secret, material.ring, material.version, owner)
    linked = DataKey.objects.filter(
        ring=material.ring, version=material.version, owner_id__isnull=True
    ).update(owner_id=owner_id, master_key_id=master_id, wrapped_key=blob)
    if linked != 1:
        raise RuntimeError(f"data key ring {material.ring} is not pending")
    result = replace(material, owner=owner)
    _cache.put((material.ring, material.version), result)
    return result


def index_key(label: str) -> DataKeyMaterial:
    """The HMAC key of the blind index ``label`` (e.g. ``accounts.User.phone``).

    Index keys are never rotated (every stored index would change) and never destroyed; they
    are re-wrapped when the master key changes, which leaves the key itself unchanged.
    """
    with _index_lock:
        cached = _index_keys.get(label)
    if cached is not None:
        return cached
    material = write_key(KeyOwner(OwnerKind.BLIND_INDEX, label))
    with _index_lock:
        _index_keys[label] = material
    return material


def blind_index_of(label: str, canonical: str) -> str:
    """HMAC-SHA256 of the canonical value under the index key, truncated to 16 bytes (hex)."""
    if canonical == "":
        return ""
    message = f"logitrack:blind:v1|{label}|{canonical}".encode()
    digest = hmac.new(index_key(label).secret, message, hashlib.sha256).digest()
    return digest[:INDEX_BYTES].hex()
