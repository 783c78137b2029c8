"""A tenant's device settings: the plain-HTTP legacy port (docs/adr/0030) and the blurring of
faces and plates in camera snapshots (on unless turned off with a recorded reason).

Changing either needs ``tenant.manage`` (each weakens a protection for every device of the
tenant, or every person its cameras see, so it is a company decision, not a dispatcher's) and
is audited in the same transaction. Plain HTTP takes effect in every gateway process within the
device directory's TTL (2 s); blurring from the next snapshot received.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from logitrack.core.text import TextRefused, human_text
from logitrack.tenancy.audit import actor_of
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission
from logitrack.tracking.errors import NotAllowed
from logitrack.tracking.models import TenantDeviceSettings

# The longest reason for turning camera blurring off (the column's length).
REASON_MAX = 500


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


def tenant_camera_blur_state(tenant_id: int) -> TenantDeviceSettings | None:
    """The tenant's settings row (blurring on, or off with its reason), None without one (on)."""
    return TenantDeviceSettings.dangerously_unscoped.filter(tenant_id=tenant_id).first()


def tenant_camera_blur_set(
    *, principal: Principal, enabled: bool, reason: str = "", request: HttpRequest | None = None
) -> TenantDeviceSettings:
    """Turn blurring of faces and plates in camera snapshots on or off for the principal's
    tenant; idempotent (an unchanged value writes nothing).

    Turning it off needs ``reason`` (1-500 characters through the text layer; kept on the row,
    shown on the page and written to the audit entry); turning it on clears it. Raises
    NotAllowed without ``tenant.manage``, BlurReasonMissing for a blank reason,
    BlurReasonInvalid for one with control characters or contact details (the audit chain
    refuses e-mail addresses and phone numbers). Audit actions: ``camera_blur_disabled``
    (details: reason), ``camera_blur_enabled``. Applies to snapshots received afterwards.
    """
    from logitrack.security.services import audit_record
    from logitrack.tracking.cameras.errors import BlurReasonInvalid, BlurReasonMissing

    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(Permission.TENANT_MANAGE):
        raise NotAllowed()
    cleaned = ""
    if not enabled:
        try:
            cleaned = human_text(reason)
        except TextRefused as exc:
            raise BlurReasonInvalid() from exc
        if not cleaned:
            raise BlurReasonMissing()
        if len(cleaned) > REASON_MAX:
            raise BlurReasonInvalid()
    with transaction.atomic():
        current: TenantDeviceSettings
        current, _created = TenantDeviceSettings.objects.select_for_update().get_or_create(
            tenant_id=tenant_id
        )
        if current.camera_blur_enabled == enabled and current.camera_blur_off_reason == cleaned:
            return current
        current.camera_blur_enabled = enabled
        current.camera_blur_off_reason = cleaned
        current.camera_blur_changed_at = timezone.now()
        current.save(
            update_fields=[
                "camera_blur_enabled",
                "camera_blur_off_reason",
                "camera_blur_changed_at",
            ]
        )
        try:
            audit_record(
                action="camera_blur_enabled" if enabled else "camera_blur_disabled",
                actor=actor_of(principal),
                tenant_id=tenant_id,
                object_type="tracking.tenantdevicesettings",
                object_id=str(current.pk),
                details={} if enabled else {"reason": cleaned},
                request=request,
            )
        except ValueError as exc:  # InvalidAuditEntry: the reason holds contact details
            transaction.set_rollback(True)
            raise BlurReasonInvalid() from exc
    return current


# The de-duplication window a tenant may choose (ms): the table's check constraint's bounds.
RFID_WINDOW_MIN_MS = 100
RFID_WINDOW_MAX_MS = 60_000


def tenant_rfid_window_ms(tenant_id: int) -> int:
    """The tenant's RFID de-duplication window in milliseconds (2,000 without a settings row)."""
    value = (
        TenantDeviceSettings.dangerously_unscoped.filter(tenant_id=tenant_id)
        .values_list("rfid_dedup_window_ms", flat=True)
        .first()
    )
    return 2000 if value is None else int(value)


def tenant_rfid_window_set(
    *, principal: Principal, window_ms: int, request: HttpRequest | None = None
) -> TenantDeviceSettings:
    """Set how close (milliseconds, ``RFID_WINDOW_MIN_MS``-``RFID_WINDOW_MAX_MS``) two reads of
    one EPC at one read point must be to count as one observation; applies to reads stored
    afterwards. Raises NotAllowed without ``tenant.manage``, RfidWindowInvalid out of range.
    Audit action ``rfid_window_changed`` (details: before, after), only when it changes."""
    from logitrack.security.services import audit_record
    from logitrack.tracking.errors import RfidWindowInvalid

    tenant_id = principal.tenant_id
    if tenant_id is None or not principal.has(Permission.TENANT_MANAGE):
        raise NotAllowed()
    if isinstance(window_ms, bool) or not RFID_WINDOW_MIN_MS <= window_ms <= RFID_WINDOW_MAX_MS:
        raise RfidWindowInvalid()
    with transaction.atomic():
        current: TenantDeviceSettings
        current, _created = TenantDeviceSettings.objects.select_for_update().get_or_create(
            tenant_id=tenant_id
        )
        before = current.rfid_dedup_window_ms
        if before == window_ms:
            return current
        current.rfid_dedup_window_ms = window_ms
        current.save(update_fields=["rfid_dedup_window_ms"])
        audit_record(
            action="rfid_window_changed",
            actor=actor_of(principal),
            tenant_id=tenant_id,
            object_type="tracking.tenantdevicesettings",
            object_id=str(current.pk),
            details={"before_ms": before, "after_ms": window_ms},
            request=request,
        )
    return current
