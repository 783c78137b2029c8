"""Wrapped data keys: one ring of versions per key owner (a tenant, a person, a blind index).

A ring is identified by a random UUID that every ciphertext names; its owner is recorded here and
authenticated inside the wrapped key, so that a ring cannot be handed to another owner by editing
this table. Destroying a ring wipes its key material and keeps the row, so that later writes for
the owner are refused and the destruction stays on record.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import register_global_model


class OwnerKind(models.TextChoices):
    TENANT = "tenant", _("Tenant")
    USER = "user", _("Person")
    BLIND_INDEX = "index", _("Blind index")


class KeyState(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")
    DESTROYED = "destroyed", _("Destroyed")


class DataKey(models.Model):
    ring = models.UUIDField(_("key ring"), editable=False)
    version = models.PositiveIntegerField(_("version"), editable=False)
    owner_kind = models.CharField(
        _("owner kind"), max_length=8, choices=OwnerKind.choices, editable=False
    )
    # The owner's primary key (a tenant or a person) or a field label (a blind index). NULL, not
    # "", between the INSERT of a row that owns its key and the linking that follows it, so that
    # pending rings stay outside the one-active-key-per-owner constraint.
    owner_id = models.CharField(  # noqa: DJ001
        _("owner"), max_length=100, null=True, blank=True, editable=False
    )
    state = models.CharField(
        _("state"), max_length=10, choices=KeyState.choices, default=KeyState.ACTIVE
    )
    master_key_id = models.CharField(_("master key"), max_length=32, blank=True, editable=False)
    # nonce (12 bytes) followed by the AES-256-GCM ciphertext and tag of the 32-byte data key;
    # empty once the key is destroyed or, after a rotation, retired.
    wrapped_key = models.BinaryField(_("wrapped key"), editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    destroyed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        indexes = [models.Index(fields=["owner_kind", "owner_id"], name="core_datakey_owner")]
        constraints = [
            models.UniqueConstraint(fields=["ring", "version"], name="core_datakey_ring_version"),
            models.UniqueConstraint(
                fields=["owner_kind", "owner_id"],
                condition=models.Q(state="active"),
                name="core_datakey_one_active_per_owner",
            ),
            models.UniqueConstraint(
                fields=["ring"],
                condition=models.Q(state="active"),
                name="core_datakey_one_active_per_ring",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="core_datakey_version_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(owner_kind__in=["tenant", "user", "index"]),
                name="core_datakey_owner_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["active", "retired", "destroyed"]),
                name="core_datakey_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"data key {self.ring}/v{self.version}"

    @property
    def has_material(self) -> bool:
        return bool(self.wrapped_key)


register_global_model(
    "core.datakey",
    "Wrapped keys of tenants and of people, who are global; only the crypto layer reads them.",
)
