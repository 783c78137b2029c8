"""Background work of the tracking app: deriving daily summaries of owed devices."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from logitrack.core.schedule import periodic
from logitrack.tracking.geo.daily import trips_derive_owed


@periodic("tracking.trips_derive", every=timedelta(minutes=1))
@task()
def trips_derive_run() -> int:
    """Derive again the daily summaries of devices with new or late positions; their number."""
    return trips_derive_owed()
