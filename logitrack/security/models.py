"""The audit chain: append-only entries and the single row that records the chain's head.

Entries are written only by ``logitrack.security.services.audit_record``. Nothing updates or
deletes them: the model and its querysets refuse, and database triggers (migration 0002) refuse
again for SQL that bypasses the ORM.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.security.actions import ACTION_PATTERN
from logitrack.security.actors import ActorKind
from logitrack.security.chain import GENESIS_HASH, EntryRow

GLOBAL_MODEL_REASON = (
    "The audit chain is one platform-wide hash chain: it holds platform events with no tenant "
    "(staff actions, system jobs, failed sign-ins) and must outlive a tenant's closure, so an "
    "entry carries tenant_id as a plain integer and reads are scoped by the audit selectors."
)
CHAIN_HEAD_GLOBAL_MODEL_REASON = (
    "One row for the whole platform: the head of the single audit chain, locked to serialise "
    "appends."
)
GLOBAL_MODEL_REASONS = {
    "security.auditentry": GLOBAL_MODEL_REASON,
    "security.auditchainhead": CHAIN_HEAD_GLOBAL_MODEL_REASON,
}

CHAIN_HEAD_PK = 1


class AppendOnlyViolation(RuntimeError):
    """Code tried to change or remove an audit entry: a bug, never a user error."""


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyViolation(f"the audit chain is append-only: {what} refused")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Reads as usual; every bulk write except the service's single inserts raises."""

    def update(self, **kwargs: Any) -> int:
        _refuse("update()")

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse("delete()")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        _refuse("bulk_update()")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AuditEntry]:
        # Rows made outside audit_record would not be linked into the chain.
        _refuse("bulk_create()")

    def update_or_create(self, *args: Any, **kwargs: Any) -> tuple[AuditEntry, bool]:
        _refuse("update_or_create()")

    def _raw_delete(self, using: Any) -> int:
        _refuse("_raw_delete()")


class AuditEntry(models.Model):
    sequence = models.PositiveBigIntegerField(_("sequence number"), unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), editable=False)
    actor_kind = models.CharField(_("actor kind"), max_length=16, choices=ActorKind.choices)
    actor_pseudonym = models.CharField(_("actor pseudonym"), max_length=64, blank=True)
    # A plain integer, not a foreign key: entries must survive the tenant's deletion.
    tenant_id = models.PositiveBigIntegerField(_("tenant id"), null=True, blank=True)
    action = models.CharField(
        _("action"), max_length=64, validators=[RegexValidator(ACTION_PATTERN)]
    )
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=128, blank=True)
    # Text, not GenericIPAddressField (inet on PostgreSQL): what is read back must be exactly
    # what was hashed.
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=256, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)

    objects: ClassVar[models.Manager[AuditEntry]] = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["tenant_id", "-sequence"], name="security_audit_tenant_seq"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="security_auditentry_sequence_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"audit entry #{self.sequence}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A guard, not a side effect: an existing entry is never written again.
        if not self._state.adding:
            _refuse("save() of an existing entry")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _refuse("delete()")

    def as_row(self) -> EntryRow:
        return EntryRow(
            id=self.pk,
            sequence=self.sequence,
            created_at=self.created_at,
            actor_kind=self.actor_kind,
            actor_pseudonym=self.actor_pseudonym,
            tenant_id=self.tenant_id,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            ip=self.ip,
            user_agent=self.user_agent,
            request_id=self.request_id,
            details=self.details,
            previous_hash=self.previous_hash,
            entry_hash=self.entry_hash,
        )


class AuditChainHead(models.Model):
    """The last entry's sequence and hash, in one row that appenders lock in turn.

    Verification compares it with the last entry, so entries removed from the end of the chain
    (which leave no broken link behind) are still noticed.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=CHAIN_HEAD_PK, editable=False)
    sequence = models.PositiveBigIntegerField(_("last sequence number"), default=0)
    entry_hash = models.CharField(_("last hash"), max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=CHAIN_HEAD_PK), name="security_auditchainhead_single_row"
            ),
        ]

    def __str__(self) -> str:
        return f"audit chain head at #{self.sequence}"
