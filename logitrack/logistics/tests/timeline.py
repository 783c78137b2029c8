"""Timeline rows for tests of the pages that read them (public tracking, dashboard, detail).

Events are written as the transition service records them (status before and after, applied),
directly, so that these read-side tests do not depend on the write side's rules; the service's
own tests prove those rules.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from django.utils import timezone

from logitrack.core.tenant import tenant_context
from logitrack.logistics.models import Shipment, ShipmentEvent

_serial = itertools.count(1)


def add_status_event(
    shipment: Shipment, status: str, *, at: datetime | None = None, **fields: Any
) -> ShipmentEvent:
    """Record ``status`` on ``shipment`` at ``at`` and move the shipment there."""
    when = at or timezone.now()
    values: dict[str, Any] = {
        "shipment": shipment,
        "kind": "status",
        "status": status,
        "status_before": shipment.status,
        "applied": True,
        "occurred_at": when,
        "source": "user",
        "idempotency_key": f"test-event-{next(_serial)}",
    }
    values.update(fields)
    with tenant_context(shipment.tenant_id):
        event: ShipmentEvent = ShipmentEvent.objects.create(tenant_id=shipment.tenant_id, **values)
        shipment.status = status
        shipment.status_changed_at = when
        shipment.save(update_fields=["status", "status_changed_at"])
    return event
