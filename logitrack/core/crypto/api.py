"""Explicit reads and lookups of encrypted values.

    reveal(user, "phone")                  # the value, or EncryptedValueUnavailable
    User.objects.filter(phone_index=blind_index(User, "phone", "+84901234567"))
    prefetch_data_keys(page_of_users)      # one query for every key the page needs

Reading the attribute (``user.phone``) is the usual way; these are for when None is not enough.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from logitrack.core.crypto import store, tokens
from logitrack.core.crypto.errors import CiphertextInvalid
from logitrack.core.crypto.fields import BlindIndexField, EncryptedField, encrypted_fields
from logitrack.core.crypto.tokens import Sealed


def reveal(instance: models.Model, field_name: str) -> Any:
    """The decrypted value of ``field_name``; raises ``EncryptedValueUnavailable`` when its key
    was destroyed (where the attribute itself reads as None) and ``CiphertextInvalid`` when the
    stored value was altered or copied."""
    field_ = instance._meta.get_field(field_name)
    if not isinstance(field_, EncryptedField):
        raise TypeError(f"{instance._meta.label}.{field_name} is not an encrypted field")
    if field_.attname not in instance.__dict__:
        instance.refresh_from_db(fields=[field_.attname])
    value = instance.__dict__[field_.attname]
    if isinstance(value, Sealed):
        return field_.open_sealed(instance, value, strict=True)
    return value


def blind_index(model: type[models.Model], field_name: str, value: object) -> str:
    """The blind index ``model.field_name`` stores for ``value``, for explicit lookups:
    ``User.objects.filter(phone_index=blind_index(User, "phone", "+84901234567"))``.

    Raises ValidationError when ``value`` is not valid for the field (e.g. not a phone number).
    """
    field_ = model._meta.get_field(field_name)
    if isinstance(field_, BlindIndexField):
        field_ = field_.source_field()
    if not isinstance(field_, EncryptedField):
        raise TypeError(f"{model._meta.label}.{field_name} is not an encrypted field")
    if field_.is_empty(value):
        return ""
    return field_.index_of_canonical(field_.canonical(value))


def prefetch_data_keys(instances: Iterable[models.Model]) -> None:
    """Unwrap, with one query, every key the encrypted values of ``instances`` need.

    Rows under one tenant share a key, so a page of them needs one lookup anyway; rows that each
    have their own key (people) would otherwise query once per row.
    """
    refs: set[tuple[Any, int]] = set()
    for instance in instances:
        for f in encrypted_fields(type(instance)):
            value = instance.__dict__.get(f.attname)
            if isinstance(value, Sealed):
                try:
                    parts = tokens.parse(value.token)
                except CiphertextInvalid:
                    continue
                refs.add((parts.ring, parts.version))
    store.prefetch(refs)
