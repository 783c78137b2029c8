"""The key lifecycle: rotation, re-wrapping under a new master key, and destruction.

Each service is atomic where it changes keys and writes its audit entry in the same transaction.
Re-encrypting rows after a rotation runs in batches, each in its own transaction, so a large
tenant does not hold one long lock; a value written with the old key version while it runs is
caught by a second pass, and the old version's key material is wiped only once no row of the
owner needs it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.crypto import store, tokens
from logitrack.core.crypto.errors import CryptoError, EncryptedValueUnavailable
from logitrack.core.crypto.fields import EncryptedField, encrypted_fields
from logitrack.core.crypto.keyring import master_keyring
from logitrack.core.crypto.models import DataKey, KeyState, OwnerKind
from logitrack.core.crypto.store import DataKeyMaterial, KeyOwner
from logitrack.core.crypto.tokens import Sealed
from logitrack.core.mail import outbox_purge_recipient

if TYPE_CHECKING:
    from logitrack.security.actors import Actor

Progress = Callable[[int], None]
DEFAULT_BATCH = 500


class KeyDestructionRefused(CryptoError):
    """The owner is still in use: a tenant must be terminated, a person deactivated, first."""


class NothingToRotate(CryptoError):
    """The owner has no active key (nothing was ever encrypted for it, or it was destroyed)."""


@dataclass(frozen=True)
class OwnedColumns:
    """The encrypted columns of one model whose key owner is of one kind."""

    model: type[models.Model]
    fields: tuple[EncryptedField[Any, Any], ...]

    @property
    def owns_key(self) -> bool:
        return self.fields[0].owns_key

    def rows_of(self, owner: KeyOwner) -> models.QuerySet[Any]:
        manager = self.model._base_manager
        if self.owns_key:
            return manager.filter(pk=owner.id)
        foreign_key = "tenant_id" if owner.kind == OwnerKind.TENANT else "user_id"
        return manager.filter(**{foreign_key: owner.id})


@dataclass(frozen=True)
class RotationResult:
    owner: KeyOwner
    version: int
    resealed: int
    unreadable: int
    wiped_versions: int


def owned_columns(kind: str) -> list[OwnedColumns]:
    """Every installed model with columns encrypted under keys of ``kind``."""
    found: list[OwnedColumns] = []
    for model in apps.get_models():
        fields = tuple(f for f in encrypted_fields(model) if f.key_owner == kind)
        if fields:
            found.append(OwnedColumns(model, fields))
    return found


def count_values(owner: KeyOwner) -> int:
    """How many rows hold values of ``owner`` (the length of a rotation's progress bar)."""
    return sum(columns.rows_of(owner).count() for columns in owned_columns(owner.kind))


def _audit(actor: Actor, action: str, owner: KeyOwner | None, **details: object) -> None:
    from logitrack.security.services import audit_record

    tenant_id = int(owner.id) if owner and owner.kind == OwnerKind.TENANT and owner.id else None
    audit_record(
        action=action,
        actor=actor,
        tenant_id=tenant_id,
        object_type="data_key",
        object_id=f"{owner.kind}:{owner.id}" if owner else "",
        details=details,
    )


def _reseal(
    owner: KeyOwner, key: DataKeyMaterial, batch_size: int, progress: Progress | None
) -> tuple[int, int, set[tuple[uuid.UUID, int]]]:
    """Re-encrypt every value of ``owner`` not under ``key``; returns (rows resealed, values
    unreadable, key versions the unreadable values still name)."""
    resealed = 0
    unreadable = 0
    still_named: set[tuple[uuid.UUID, int]] = set()
    for columns in owned_columns(owner.kind):
        attnames = [f.attname for f in columns.fields]
        last_pk: Any = None
        while True:
            with transaction.atomic():
                rows = columns.rows_of(owner).select_for_update().order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                batch = list(rows.values_list("pk", *attnames)[:batch_size])
                for pk, *values in batch:
                    updates: dict[str, Sealed] = {}
                    for field_, value in zip(columns.fields, values, strict=True):
                        new, failed = _reseal_value(field_, value, owner, key)
                        if new is not None:
                            updates[field_.attname] = new
                        if failed is not None:
                            unreadable += 1
                            still_named.add(failed)
                    if updates:
                        columns.model._base_manager.filter(pk=pk).update(**updates)
                        resealed += 1
            if not batch:
                break
            last_pk = batch[-1][0]
            if progress is not None:
                progress(len(batch))
    return resealed, unreadable, still_named


def _reseal_value(
    field_: EncryptedField[Any, Any], value: object, owner: KeyOwner, key: DataKeyMaterial
) -> tuple[Sealed | None, tuple[uuid.UUID, int] | None]:
    if not isinstance(value, Sealed):
        return None, None
    try:
        parts = tokens.parse(value.token)
    except EncryptedValueUnavailable:
        return None, (uuid.UUID(int=0), 0)
    if (parts.ring, parts.version) == (key.ring, key.version):
        return None, None
    try:
        plain = field_.open_token(value, owner)
    except EncryptedValueUnavailable:
        return None, (parts.ring, parts.version)
    token = tokens.seal(
        key.aead,
        key.ring,
        key.version,
        field_.binding(key.ring, key.version),
        field_.encode(plain).encode("utf-8"),
    )
    return Sealed(token), None


def data_keys_rotate(
    *,
    actor: Actor,
    owner: KeyOwner,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> RotationResult:
    """Give ``owner`` a new data key version and re-encrypt all its values under it.

    Invariants: the new version is wrapped under the newest master key; the old version stays
    readable (retired) until every value of the owner is re-encrypted, then its key material is
    wiped, so a leaked old data key opens nothing stored after the rotation. Values that cannot
    be read (altered, or under a destroyed key) are counted and left as they are.
    """
    if owner.kind not in (OwnerKind.TENANT, OwnerKind.USER) or owner.id is None:
        raise ValueError("only tenant and person keys are rotated")
    now = timezone.now()
    with transaction.atomic():
        current = (
            DataKey.objects.select_for_update()
            .filter(owner_kind=owner.kind, owner_id=owner.id)
            .exclude(state=KeyState.RETIRED)
            .order_by("-version")
            .first()
        )
        if current is None or current.state != KeyState.ACTIVE:
            raise NothingToRotate(str(_("%(owner)s has no active key.") % {"owner": owner}))
        current.state = KeyState.RETIRED
        current.retired_at = now
        current.save(update_fields=["state", "retired_at"])
        secret = store.new_secret()
        master_id, blob = store.wrap(secret, current.ring, current.version + 1, owner)
        DataKey.objects.create(
            ring=current.ring,
            version=current.version + 1,
            owner_kind=owner.kind,
            owner_id=owner.id,
            master_key_id=master_id,
            wrapped_key=blob,
        )
        _audit(actor, "crypto_key_rotated", owner, version=current.version + 1)
    key = store.write_key(owner)
    resealed, unreadable, still_named = _reseal(owner, key, batch_size, progress)
    # Values saved with the old version while the first pass ran (a process that looked up the
    # key before the rotation committed) are caught here.
    again, unreadable, still_named = _reseal(owner, key, batch_size, None)
    retired = DataKey.objects.filter(ring=key.ring, state=KeyState.RETIRED).exclude(
        master_key_id=""
    )
    wipe = [row.pk for row in retired if (row.ring, row.version) not in still_named]
    wiped = DataKey.objects.filter(pk__in=wipe).update(wrapped_key=b"", master_key_id="")
    store.forget_cached_keys([key.ring])
    return RotationResult(owner, key.version, resealed + again, unreadable, wiped)


def active_owners(kind: str | None = None) -> Iterator[KeyOwner]:
    """Every tenant and person with an active data key (of ``kind`` when given)."""
    kinds = [kind] if kind else [OwnerKind.TENANT, OwnerKind.USER]
    rows = (
        DataKey.objects.filter(state=KeyState.ACTIVE, owner_kind__in=kinds)
        .exclude(owner_id=None)
        .order_by("owner_kind", "pk")
        .values_list("owner_kind", "owner_id")
    )
    for owner_kind, owner_id in rows.iterator():
        yield KeyOwner(owner_kind, owner_id)


def data_keys_rewrap(
    *, actor: Actor, batch_size: int = DEFAULT_BATCH, progress: Progress | None = None
) -> int:
    """Re-wrap every live data key under the newest master key; the data keys themselves, and
    so every stored value and blind index, stay as they are. Returns how many were re-wrapped.

    After this, older master keys unwrap nothing in the live database and may be removed from
    the keyring (backups made before still need them; see the ADR).
    """
    current = master_keyring().current.id
    rewrapped = 0
    while True:
        with transaction.atomic():
            batch = list(
                DataKey.objects.select_for_update()
                .exclude(master_key_id__in=["", current])
                .order_by("pk")[:batch_size]
            )
            for row in batch:
                material = store.unwrap(row)
                row.master_key_id, row.wrapped_key = store.wrap(
                    material.secret, row.ring, row.version, store.row_owner(row)
                )
                row.save(update_fields=["master_key_id", "wrapped_key"])
            rewrapped += len(batch)
            if not batch:
                _audit(actor, "crypto_key_rewrapped", None, count=rewrapped, master_key=current)
        if not batch:
            break
        if progress is not None:
            progress(len(batch))
    return rewrapped


def data_keys_destroy(*, actor: Actor, owner: KeyOwner) -> int:
    """Destroy every version of ``owner``'s key: its values become unreadable for good.

    Invariants: the key material is wiped and the rows are kept as a record (``destroyed``), so
    later writes for the owner are refused; an owner with no key yet gets a destroyed record for
    the same reason. The owner's blind indexes are cleared, since they would still confirm a
    guessed value. Returns the number of key versions destroyed.
    """
    if owner.kind not in (OwnerKind.TENANT, OwnerKind.USER) or owner.id is None:
        raise ValueError("only tenant and person keys are destroyed")
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            DataKey.objects.select_for_update().filter(owner_kind=owner.kind, owner_id=owner.id)
        )
        rings = {row.ring for row in rows}
        destroyed = (
            DataKey.objects.filter(pk__in=[row.pk for row in rows])
            .exclude(state=KeyState.DESTROYED)
            .update(state=KeyState.DESTROYED, wrapped_key=b"", master_key_id="", destroyed_at=now)
        )
        if not rows:
            DataKey.objects.create(
                ring=uuid.uuid4(),
                version=1,
                owner_kind=owner.kind,
                owner_id=owner.id,
                state=KeyState.DESTROYED,
                wrapped_key=b"",
                destroyed_at=now,
            )
        for columns in owned_columns(owner.kind):
            indexes = [f.blind_index_field for f in columns.fields]
            cleared = {index.attname: "" for index in indexes if index is not None}
            if cleared:
                columns.rows_of(owner).update(**cleared)
        _audit(actor, "crypto_key_destroyed", owner, versions=destroyed)
    store.forget_cached_keys(rings)
    return destroyed


def tenant_keys_destroy(*, actor: Actor, tenant_id: int) -> int:
    """Destroy a tenant's key; refused while the tenant is not terminated."""
    tenant_model = apps.get_model("tenancy", "Tenant")
    tenant = tenant_model.objects.filter(pk=tenant_id).first()
    if tenant is not None and tenant.status != tenant_model.Status.TERMINATED:
        raise KeyDestructionRefused(
            str(
                _("Tenant %(id)s is not terminated; terminate it before destroying its key.")
                % {"id": tenant_id}
            )
        )
    return data_keys_destroy(actor=actor, owner=KeyOwner(OwnerKind.TENANT, str(tenant_id)))


def user_keys_destroy(*, actor: Actor, user_id: int) -> int:
    """Destroy a person's key (erasure); refused while their account is active."""
    user_model = apps.get_model("accounts", "User")
    user = user_model.objects.filter(pk=user_id).first()
    if user is not None and user.is_active:
        raise KeyDestructionRefused(
            str(
                _("User %(id)s is still active; deactivate the account before destroying its key.")
                % {"id": user_id}
            )
        )
    destroyed = data_keys_destroy(actor=actor, owner=KeyOwner(OwnerKind.USER, str(user_id)))
    if user is not None:
        # The development outbox keeps copies of the person's e-mails: erased with them.
        address = str(user.email)
        transaction.on_commit(lambda: outbox_purge_recipient(address))
    return destroyed


@dataclass(frozen=True)
class KeyStatus:
    master_key_ids: tuple[str, ...]
    current_master_key_id: str
    by_kind_and_state: dict[tuple[str, str], int]
    by_master_key: dict[str, int]
    pending: int


def key_status() -> KeyStatus:
    """Counts for ``logitrack keys status``; reads no key material."""
    keyring = master_keyring()
    by_state: dict[tuple[str, str], int] = {}
    for kind, state, count in (
        DataKey.objects.values_list("owner_kind", "state")
        .annotate(n=models.Count("pk"))
        .values_list("owner_kind", "state", "n")
    ):
        by_state[(kind, state)] = count
    by_master: dict[str, int] = {
        master_id: count
        for master_id, count in DataKey.objects.exclude(master_key_id="")
        .values_list("master_key_id")
        .annotate(n=models.Count("pk"))
        .values_list("master_key_id", "n")
    }
    pending = DataKey.objects.filter(owner_id=None).count()
    return KeyStatus(keyring.ids, keyring.current.id, by_state, by_master, pending)
