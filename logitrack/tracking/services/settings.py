"""A tenant's device settings: the plain-HTTP legacy port (docs/adr/0030).

Turning plain HTTP on or off needs ``tenant.manage`` (it weakens every device of the tenant,
so it is a company decision, not a dispatcher's), is audited in the same transaction, and takes
effect in every gateway process within the device directory's TTL (2 s).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import NotAllowed
from logitrack.tracking.models import TenantDeviceSettings


def tenant_plain_http_allowed(tenant_id: int) -> bool:
    """True when the tenant accepts reports on the plain-HTTP port (False without a row)."""
    return TenantDeviceSettings.dangerously_unscoped.filter(
        tenant_id=tenant_id, plain_http_allowed=True
    ).exists()


def tenant_plain_http_set(*, principal: Principal, allowed: bool) -> TenantDeviceSettings:
    """Turn the plain-HTTP legacy port on or off for the principal's tenant; idempotent.

    Raises NotAllowed without ``tenant.manage``. Audit actions: ``device_plain_http_enabled``,
    ``device_plain_http_disabled`` (only when the value changes).
    """
    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(Permission.TENANT_MANAGE):
        raise NotAllowed()
    from logitrack.security.services import audit_record

    with transaction.atomic():
        current: TenantDeviceSettings
        current, _created = TenantDeviceSettings.objects.select_for_update().get_or_create(
            tenant_id=tenant_id
        )
        if current.plain_http_allowed == allowed:
            return current
        current.plain_http_allowed = allowed
        current.plain_http_since = timezone.now() if allowed else None
        current.save(update_fields=["plain_http_allowed", "plain_http_since"])
        audit_record(
            action="device_plain_http_enabled" if allowed else "device_plain_http_disabled",
            actor=actor_of(principal),
            tenant_id=tenant_id,
            object_type="tracking.tenantdevicesettings",
            object_id=str(current.pk),
        )
    return current
