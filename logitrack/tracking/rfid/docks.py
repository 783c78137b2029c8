"""What new tag observations at dock doors do to shipments (placeholder until implemented)."""

from __future__ import annotations

from collections.abc import Sequence

from logitrack.tracking.models import TagObservation


def apply_observations(*, tenant_id: int, observations: Sequence[TagObservation]) -> int:
    """Match new observations to shipments and record their dock-door events; the number of
    shipment events recorded. Called by the ingest inside its transaction."""
    return 0
