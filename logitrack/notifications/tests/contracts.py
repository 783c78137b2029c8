"""Isolation contracts of the notification pages, for tests/isolation (see contract.py there).

A notification belongs to a person (``make_for``): only the requester's own may be marked
read; a peer's, another tenant's and a missing one answer 404 and change nothing.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from logitrack.tenancy.roles import Permission
from tests.isolation.contract import MISSING_ID, Contract, contract
from tests.isolation.world import World

P = Permission
_serial = itertools.count(1)


def _notification_for(world: World, user: Any) -> int:
    from logitrack.core.tenant import tenant_context
    from logitrack.notifications.models import Notification
    from logitrack.tenancy.models import Membership
    from logitrack.tracking.models import Device
    from logitrack.tracking.tokens import device_token_new

    membership = Membership.dangerously_unscoped.get(user=user)
    new = device_token_new()
    with tenant_context(membership.tenant_id):
        device = Device.objects.create(
            kind="phone",
            identifier=f"notify-contract-{next(_serial)}",
            name="Điện thoại tài xế",
            token_prefix=new.prefix,
            token_hash=new.secret_hash,
        )
        notification = Notification.objects.create(
            membership=membership,
            kind="device_offline",
            source_key=f"offline:{device.pk}:{next(_serial)}",
            device=device,
            occurred_at=timezone.now(),
        )
    return int(notification.pk)


def _read_state(pk: int) -> Any:
    from logitrack.notifications.models import Notification

    return list(Notification.dangerously_unscoped.filter(pk=pk).values_list("read_at"))


contract(Contract("notifications:list", "GET", P.ALERTS_RECEIVE, lambda pk: "/notifications/"))
contract(
    Contract(
        "notifications:read",
        "POST",
        P.ALERTS_RECEIVE,
        lambda pk: f"/notifications/{pk if pk is not None else MISSING_ID}/read/",
        make_for=_notification_for,
        snapshot=_read_state,
        ok=302,
    )
)
contract(
    Contract(
        "notifications:read-all",
        "POST",
        P.ALERTS_RECEIVE,
        lambda pk: "/notifications/read-all/",
        ok=302,
    )
)
contract(
    Contract(
        "notifications:subscriptions",
        "GET",
        P.ALERTS_RECEIVE,
        lambda pk: "/notifications/subscriptions/",
    )
)
contract(
    Contract(
        "notifications:subscriptions",
        "POST",
        P.ALERTS_RECEIVE,
        lambda pk: "/notifications/subscriptions/",
        body=lambda world, pk: {"device_offline-on": "on", "device_offline-email": "on"},
        ok=302,
    )
)
