"""Base classes for tenant-owned data.

``TenantScopedModel`` gives every tenant-owned row a ``tenant`` foreign key and a default manager
that filters by the bound tenant and raises when none is bound. The unscoped manager is named
``dangerously_unscoped`` so that every use of it stands out in review; only retention, migrations
and platform staff code may use it.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.core.tenant import bound_tenant_id, current_tenant_id

M = TypeVar("M", bound=models.Model)

# Concrete models that are deliberately not tenant-scoped, each with the reason. The system check
# tenancy.E001 fails on any other model that lacks a tenant scope.
GLOBAL_MODELS: dict[str, str] = {
    "contenttypes.contenttype": "Django's registry of model types; holds no tenant data.",
    "auth.permission": "Django's permission registry; Logitrack uses its own role matrix.",
    "auth.group": "Unused by Logitrack; present because django.contrib.auth is installed.",
    "sessions.session": "Sessions belong to a person, who may switch between tenants.",
}


def register_global_model(label: str, reason: str) -> None:
    """Declare ``app_label.model_name`` as global, with the reason a reviewer can judge."""
    if not reason.strip():
        raise ValueError("a global model needs a reason")
    GLOBAL_MODELS[label.lower()] = reason


class TenantScopedQuerySet(models.QuerySet[M]):
    pass


class TenantScopedManager(models.Manager[M]):
    """Filters every query by the bound tenant; raises NoTenantBound when none is bound."""

    def get_queryset(self) -> models.QuerySet[M]:
        return super().get_queryset().filter(tenant_id=current_tenant_id())


def tenant_key(*, db_index: bool = True) -> Any:
    """The ``tenant`` column of a tenant-scoped table: a foreign key to the tenant, protected.

    ``db_index=False`` for a table whose own indexes all lead with ``tenant_id`` (unique and
    listing indexes): PostgreSQL and SQLite answer a lookup by tenant alone (deleting a tenant
    checks ``PROTECT`` with one) from such an index's leading column, and every index more is
    upkeep on each insert (ADR 0051)."""
    return models.ForeignKey(
        "tenancy.Tenant",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tenant"),
        editable=False,
        db_index=db_index,
    )


class TenantScopedModel(models.Model):
    tenant = tenant_key()

    objects: ClassVar[TenantScopedManager[Any]] = TenantScopedManager()
    dangerously_unscoped: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta:
        abstract = True
        base_manager_name = "dangerously_unscoped"
        default_manager_name = "objects"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.assert_same_tenant()
        super().save(*args, **kwargs)

    def assert_same_tenant(self) -> None:
        """Refuse a row of another tenant than the bound one, or a link to another tenant's row.

        This is a guard, not a side effect: it only ever raises.
        """
        bound = bound_tenant_id()
        # getattr: django-stubs types the attribute as int, but it is None until it is set.
        if getattr(self, "tenant_id") is None and bound is not None:  # noqa: B009
            self.tenant_id = bound
        if getattr(self, "tenant_id") is None:  # noqa: B009
            raise ValidationError(_("This record has no tenant."), code="tenant_missing")
        if bound is not None and self.tenant_id != bound:
            raise ValidationError(
                _("This record belongs to another tenant."), code="tenant_mismatch"
            )
        # Only links to tenant-scoped rows are checked: a concrete field with a related model is
        # a foreign key, and the link to the tenant itself (not tenant-scoped) is left out.
        for field in self._meta.concrete_fields:
            target = field.related_model
            if not isinstance(target, type) or not issubclass(target, TenantScopedModel):
                continue
            target_id = getattr(self, field.attname)
            if target_id is None:
                continue
            cached = self._state.fields_cache.get(field.name)
            if cached is not None and cached.pk == target_id:
                other_tenant = cached.tenant_id
            else:
                other_tenant = (
                    target.dangerously_unscoped.filter(pk=target_id)
                    .values_list("tenant_id", flat=True)
                    .first()
                )
            if other_tenant != self.tenant_id:
                raise ValidationError(
                    {
                        field.name: ValidationError(
                            _("This links to a record of another tenant."),
                            code="cross_tenant_link",
                        )
                    }
                )


from logitrack.core.crypto.models import DataKey  # noqa: E402,F401
from logitrack.core.schedule.models import ScheduledRun  # noqa: E402,F401
