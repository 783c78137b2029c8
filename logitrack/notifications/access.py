"""Access to notifications for request-driven code: a person reaches only their own.

"Missing", "someone else's", "another tenant's" and "not permitted" raise the same
``NotFound("notification_not_found")``, so ids cannot be probed.
"""

from __future__ import annotations

from logitrack.core.errors import NotFound
from logitrack.core.tenant import bound_tenant_id
from logitrack.notifications.models import Notification
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Permission


def access_notification_by_id(principal: Principal, notification_id: int) -> Notification:
    """The principal's own notification ``notification_id`` in the bound tenant."""
    code = "notification_not_found"
    tenant_id = principal.tenant_id
    membership = principal.membership
    if (
        tenant_id is None
        or membership is None
        or not principal.has(Permission.ALERTS_RECEIVE)
        or bound_tenant_id() != tenant_id
    ):
        raise NotFound(code)
    notification: Notification | None = Notification.objects.filter(
        pk=notification_id, tenant_id=tenant_id, membership_id=membership.pk
    ).first()
    if notification is None:
        raise NotFound(code)
    return notification
