"""Encrypted model fields, and the blind index that finds rows by an encrypted value.

    class User(AbstractBaseUser):
        phone = EncryptedPhoneNumberField(_("phone"), key_owner="user", blank=True)
        phone_index = BlindIndexField(_("phone search index"), source="phone")
        date_of_birth = EncryptedDateField(_("date of birth"), key_owner="user", null=True)

    User.objects.filter(phone="0901 234 567")      # exact match, through phone_index (lookups)
    blind_index(User, "phone", "+84901234567")      # the index value itself (api)
    reveal(user, "phone")                           # raises EncryptedValueUnavailable (api)

``key_owner`` names whose data key seals the value: ``"tenant"`` is the Tenant row itself on the
Tenant model and ``tenant_id`` on every other model; ``"user"`` is the user row itself on the user
model and ``user_id`` elsewhere. A row that owns its key (a tenant, a user) has no primary key
before its INSERT, so its first save seals under a new *pending* key ring, and the post_save hook
that the field connects links the ring to the new primary key (re-wrapping it, so that the owner
is authenticated). ``bulk_create`` sends no signals and is refused for such rows.

Values are decrypted lazily, on attribute access, and cached on the instance. A value whose key
was destroyed reads as ``None`` (``reveal`` raises ``EncryptedValueUnavailable`` instead); a value
that was altered or copied from another row or column raises ``CiphertextInvalid``. Empty values
(``""``, NULL) are stored as they are: that a person has no phone number is not hidden.
``QuerySet.update()`` and ``bulk_update()`` cannot encrypt (they do not know the row's key owner)
and are refused; ``values()`` returns ``Sealed`` tokens, not plaintext.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django import forms
from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import signals
from django.db.models.query_utils import DeferredAttribute
from django.utils.translation import gettext_lazy as _

from logitrack.core.crypto import canonical, store, tokens
from logitrack.core.crypto.errors import CiphertextInvalid, EncryptedValueUnavailable
from logitrack.core.crypto.lookups import (
    NO_MATCH,
    BlindExact,
    BlindIn,
    UnsearchableExact,
    UnsearchableIn,
)
from logitrack.core.crypto.store import DataKeyMaterial, KeyOwner
from logitrack.core.crypto.tokens import Sealed

_ST_contra = TypeVar("_ST_contra", contravariant=True)
_GT_co = TypeVar("_GT_co", covariant=True)

if TYPE_CHECKING:  # Django's classes are generic only in django-stubs
    _Field = models.Field
    _CharField = models.CharField[str, str]
else:

    class _Field(models.Field):
        def __class_getitem__(cls, item: object) -> type:
            return cls

    _CharField = models.CharField

SAVE_STATE = "_logitrack_crypto_save"
KEY_OWNER_KINDS = ("tenant", "user")
_OWNER_FOREIGN_KEYS = {"tenant": "tenant_id", "user": "user_id"}


def owner_model_label(kind: str) -> str:
    """The model whose rows own their key for ``kind`` (lower-case label)."""
    if kind == "tenant":
        return "tenancy.tenant"
    return str(settings.AUTH_USER_MODEL).lower()


@dataclass
class _SaveState:
    """Keys chosen during one save() of one instance, so its fields share one lookup."""

    raw: bool
    keys: dict[KeyOwner, DataKeyMaterial] = field(default_factory=dict)
    pending: dict[str, DataKeyMaterial] = field(default_factory=dict)


class EncryptedAttribute(DeferredAttribute):
    """Holds the sealed token on the instance and opens it when the attribute is read."""

    field: EncryptedField[Any, Any]

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        data = instance.__dict__
        attname = self.field.attname
        if attname not in data:
            super().__get__(instance, cls)
        value = data[attname]
        state = data.get(SAVE_STATE)
        if state is not None and state.raw:
            # A raw save (loaddata) stores what the fixture holds, sealing plaintext first.
            if isinstance(value, Sealed) or self.field.is_empty(value):
                return value
            return self.field.seal_for_save(instance, add=True)
        if not isinstance(value, Sealed):
            return value
        return self.field.open_sealed(instance, value, strict=False)

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedField(_Field[_ST_contra, _GT_co]):
    """Base of the encrypted fields: stores ``v1:`` tokens in a text column.

    Subclasses say how a value is made canonical (``canonical``) and turned into text and back
    (``encode``/``decode``).
    """

    encrypted: ClassVar[bool] = True
    descriptor_class = EncryptedAttribute
    description = _("Encrypted value")

    def __init__(self, *args: Any, key_owner: str, **kwargs: Any) -> None:
        if key_owner not in KEY_OWNER_KINDS:
            raise ValueError(f"key_owner must be one of {KEY_OWNER_KINDS}, not {key_owner!r}")
        self.key_owner = key_owner
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["key_owner"] = self.key_owner
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"

    # Values, per type -------------------------------------------------------------------------

    def is_empty(self, value: object) -> bool:
        return value is None or value == ""

    def canonical(self, value: object) -> Any:
        return str(value)

    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> Any:
        return text

    # Ownership and binding ---------------------------------------------------------------------

    @property
    def owns_key(self) -> bool:
        """True on the model whose rows are the key owners themselves (Tenant, User)."""
        return self.model._meta.label_lower == owner_model_label(self.key_owner)

    def key_owner_of(self, instance: models.Model) -> KeyOwner:
        if self.owns_key:
            ident = instance.pk
        else:
            ident = getattr(instance, _OWNER_FOREIGN_KEYS[self.key_owner])
        return KeyOwner(self.key_owner, None if ident is None else str(ident))

    def binding(self, parts_ring: Any, version: int) -> bytes:
        """The associated data: the value belongs to this table, column and key version."""
        return (
            f"logitrack:field:v1|{self.model._meta.db_table}|{self.column}|"
            f"{parts_ring.hex}|{version}"
        ).encode()

    def _context(self, owner: KeyOwner) -> tuple[str, str, KeyOwner]:
        return (self.model._meta.db_table, self.column, owner)

    @property
    def blind_index_field(self) -> BlindIndexField | None:
        # Read on every seal: remembered per model class the field is bound to.
        cached = self.__dict__.get("_blind_index_of")
        if cached is not None and cached[0] is self.model:
            return cached[1]  # type: ignore[no-any-return]
        found = None
        for candidate in self.model._meta.concrete_fields:
            if isinstance(candidate, BlindIndexField) and candidate.source == self.name:
                found = candidate
                break
        self.__dict__["_blind_index_of"] = (self.model, found)
        return found

    def index_label(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    # Opening ----------------------------------------------------------------------------------

    def open_token(self, sealed: Sealed, owner: KeyOwner | None) -> Any:
        """Decrypt ``sealed``; with ``owner``, refuse a value sealed under another owner's key."""
        parts = tokens.parse(sealed.token)
        key = store.read_key(parts.ring, parts.version)
        if owner is not None and key.owner != owner:
            raise CiphertextInvalid("wrong_owner")
        plain = tokens.open_parts(key.aead, parts, self.binding(parts.ring, parts.version))
        try:
            return self.decode(plain.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise CiphertextInvalid("encoding") from exc

    def open_sealed(self, instance: models.Model, sealed: Sealed, *, strict: bool) -> Any:
        owner = self.key_owner_of(instance)
        context = self._context(owner)
        hit, value = sealed.cached(context)
        if hit:
            return value
        try:
            value = self.open_token(sealed, owner)
        except CiphertextInvalid:
            raise
        except EncryptedValueUnavailable:
            if strict:
                raise
            return None
        sealed.remember(context, value)
        return value

    # Writing ----------------------------------------------------------------------------------

    def seal_for_save(self, instance: models.Model, add: bool) -> Any:
        value = instance.__dict__.get(self.attname)
        if isinstance(value, Sealed):
            if not add:
                return value  # unchanged: written back as it was loaded, never re-opened
            try:
                self.open_sealed(instance, value, strict=True)
            except CiphertextInvalid as exc:
                if exc.reason != "wrong_owner":
                    raise
                # A loaded row saved as a new one (pk = None): re-seal under the new row's key.
                value = self.open_token(value, None)
            except EncryptedValueUnavailable:
                return value  # its key is gone; the copy stays as unreadable as the original
            else:
                return value
        index = self.blind_index_field
        if self.is_empty(value):
            if index is not None:
                instance.__dict__[index.attname] = ""
            return value
        plain = self.canonical(value)
        key = _key_for_write(self, instance)
        token = tokens.seal(
            key.aead,
            key.ring,
            key.version,
            self.binding(key.ring, key.version),
            self.encode(plain).encode("utf-8"),
        )
        sealed = Sealed(token)
        sealed.remember(self._context(self.key_owner_of(instance)), plain)
        instance.__dict__[self.attname] = sealed
        if index is not None:
            instance.__dict__[index.attname] = self.index_of_canonical(plain)
        return sealed

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        return self.seal_for_save(model_instance, add)

    def seal_new_values(self, values: Iterable[Any], key: DataKeyMaterial) -> list[tuple[Any, str]]:
        """For new rows written without model instances (the bulk import): each plaintext
        value as the column stores it (the token; an empty value as it is) and its blind index
        ("" when empty or when the field has none), sealed under ``key``, which the caller
        looked up once as ``store.write_key`` of the rows' key owner. The tokens are the ones
        :meth:`seal_for_save` makes (same canonical form, encoding and associated data; a fresh
        nonce each).
        """
        binding = self.binding(key.ring, key.version)
        indexed = self.blind_index_field is not None
        out: list[tuple[Any, str]] = []
        full: list[int] = []  # positions in ``out`` of the values to seal
        plaintexts: list[bytes] = []
        for value in values:
            if isinstance(value, Sealed):
                raise TypeError(f"{self.model._meta.label}.{self.name}: a new value, not a token")
            if self.is_empty(value):
                out.append((value, ""))
                continue
            plain = self.canonical(value)
            full.append(len(out))
            plaintexts.append(self.encode(plain).encode("utf-8"))
            out.append((None, self.index_of_canonical(plain) if indexed else ""))
        sealed = tokens.seal_many(key.aead, key.ring, key.version, binding, plaintexts)
        for position, token in zip(full, sealed, strict=True):
            out[position] = (token, out[position][1])
        return out

    def contribute_to_class(
        self, cls: type[models.Model], name: str, private_only: bool = False
    ) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        if not cls._meta.abstract:
            signals.pre_save.connect(_before_save, sender=cls, dispatch_uid="logitrack.crypto")
            signals.post_save.connect(_after_save, sender=cls, dispatch_uid="logitrack.crypto")

    # Database conversions ----------------------------------------------------------------------

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return Sealed(value)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            return value.token
        if value is None or value == "":
            return value
        raise TypeError(
            f"{self.model._meta.label}.{self.name} is encrypted: write it with Model.save(), "
            "which knows the row's key owner; QuerySet.update() and bulk_update() cannot."
        )

    def to_python(self, value: Any) -> Any:
        """Deserialisation: stored tokens stay sealed, plaintext becomes canonical."""
        if value is None or isinstance(value, Sealed):
            return value
        if isinstance(value, str) and tokens.looks_like_token(value):
            return Sealed(value)
        if self.is_empty(value):
            return value
        return self.canonical(value)

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        """Validate a new value; a stored, unchanged value was validated when it was written."""
        if model_instance is not None:
            stored = model_instance.__dict__.get(self.attname)
            if isinstance(stored, Sealed):
                return stored
        if not self.is_empty(value):
            value = self.canonical(value)
        self.validate(value, model_instance)
        self.run_validators(value)
        return value

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name in ("exact", "in"):
            if self.blind_index_field is None:
                return UnsearchableExact if lookup_name == "exact" else UnsearchableIn
            return BlindExact if lookup_name == "exact" else BlindIn
        return None

    def get_transform(self, lookup_name: str) -> Any:
        return None

    def lookup_index(self, value: object) -> str:
        """The blind index of ``value`` as this field would store it; "-" when invalid."""
        if self.is_empty(value):
            return ""
        try:
            plain = self.canonical(value)
        except ValidationError:
            return NO_MATCH
        return self.index_of_canonical(plain)

    def index_of_canonical(self, plain: Any) -> str:
        return store.blind_index_of(self.index_label(), self.encode(plain))

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.unique or getattr(self, "db_index", False) or self.primary_key:
            errors.append(
                checks.Error(
                    "An encrypted field cannot be unique, indexed or a primary key.",
                    hint="Add a BlindIndexField(source=...) and index that instead.",
                    obj=self,
                    id="core.E201",
                )
            )
        if not self.owns_key and not any(
            f.attname == _OWNER_FOREIGN_KEYS[self.key_owner]
            for f in self.model._meta.concrete_fields
        ):
            errors.append(
                checks.Error(
                    f"key_owner={self.key_owner!r} needs a {self.key_owner} foreign key "
                    f"on {self.model._meta.label}.",
                    obj=self,
                    id="core.E202",
                )
            )
        return errors


class EncryptedTextField(EncryptedField[str | Sealed, str | None]):
    description = _("Encrypted text")

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        kwargs.setdefault("widget", forms.Textarea)
        return super().formfield(form_class, choices_form_class, **kwargs)


class EncryptedPhoneNumberField(EncryptedField[str | Sealed, str | None]):
    """A phone number, stored in E.164 (``+84901234567``); national numbers are Vietnamese."""

    description = _("Encrypted phone number")

    def canonical(self, value: object) -> str:
        return canonical.e164(str(value))

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        kwargs.setdefault("max_length", 32)
        return super().formfield(form_class, choices_form_class, **kwargs)


class EncryptedDateField(EncryptedField[dt.date | str | Sealed | None, dt.date | None]):
    description = _("Encrypted date")
    empty_strings_allowed = False

    def canonical(self, value: object) -> dt.date:
        return canonical.iso_date(value)

    def encode(self, value: Any) -> str:
        return str(value.isoformat())

    def decode(self, text: str) -> dt.date:
        return dt.date.fromisoformat(text)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return Sealed(value)

    def formfield(
        self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any
    ) -> Any:
        return super().formfield(form_class or forms.DateField, choices_form_class, **kwargs)


class BlindIndexField(_CharField):
    """A keyed hash (HMAC-SHA256, 16 bytes in hex) of an encrypted field's canonical value.

    It is computed on save from ``source`` and makes ``filter(<source>=value)`` possible; equal
    values have equal indexes, which is what an exact match needs and all it reveals.
    """

    description = _("Blind index")

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        # Explicit either way: the default here (indexed) is not Field's (not indexed).
        kwargs["db_index"] = bool(getattr(self, "db_index", True))
        return name, path, args, kwargs

    def source_field(self) -> EncryptedField[Any, Any]:
        source = self.model._meta.get_field(self.source)
        if not isinstance(source, EncryptedField):
            raise TypeError(f"{self.model._meta.label}.{self.source} is not an encrypted field")
        return source

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        source = self.source_field()
        data = model_instance.__dict__
        if source.attname in data:
            raw = data[source.attname]
            if not isinstance(raw, Sealed):
                # The source has a new value and has not been sealed yet (field order).
                data[self.attname] = source.lookup_index(raw)
        return getattr(model_instance, self.attname)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        try:
            self.source_field()
        except (TypeError, LookupError) as exc:
            errors.append(checks.Error(str(exc), obj=self, id="core.E203"))
        return errors


# Save hooks ----------------------------------------------------------------------------------


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def _key_for_write(field_: EncryptedField[Any, Any], instance: models.Model) -> DataKeyMaterial:
    state: _SaveState | None = instance.__dict__.get(SAVE_STATE)
    owner = field_.key_owner_of(instance)
    if state is not None and owner in state.keys:
        return state.keys[owner]
    if owner.id is not None:
        key = store.write_key(owner)
    elif not field_.owns_key:
        raise ValueError(
            f"{field_.model._meta.label} row has no {owner.kind}, so it has no key to seal "
            f"{field_.name} with."
        )
    elif state is None:
        raise TypeError(
            f"{field_.model._meta.label} rows own their encryption key and must be created "
            "with save(), not bulk_create(): the new key is linked to the row after its INSERT."
        )
    else:
        key = state.pending.get(owner.kind) or store.new_pending_key(owner.kind)
        state.pending[owner.kind] = key
    if state is not None:
        state.keys[owner] = key
    return key


def _before_save(
    sender: type[models.Model],
    instance: models.Model,
    raw: bool = False,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    fields = encrypted_fields(sender)
    if not fields:
        return
    if update_fields is not None:
        names = set(update_fields)
        for f in fields:
            index = f.blind_index_field
            if index is not None and f.name in names and index.name not in names:
                raise ValueError(
                    f"save(update_fields=...) names {f.name} but not {index.name}; "
                    "the blind index would no longer match."
                )
    instance.__dict__[SAVE_STATE] = _SaveState(raw=raw)


def _after_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    state: _SaveState | None = instance.__dict__.pop(SAVE_STATE, None)
    if state is None or not state.pending:
        return
    if instance.pk is None:
        raise RuntimeError("a saved row has no primary key to link its key ring to")
    for key in state.pending.values():
        store.link(key, str(instance.pk))
