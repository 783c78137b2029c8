"""Tracking's background jobs: the geofence events (docs/adr/0059) and the daily summaries
(docs/adr/0060) owed by new and late positions."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from logitrack.core.schedule import periodic
from logitrack.tracking.geo.daily import trips_derive_owed
from logitrack.tracking.geo.derive import geofences_derive_owed

# Events should appear within ~10 s of a position (issue P5): a round every 10 s, each deriving
# up to 500 owed devices; a round that finds more leaves the rest owed for the next one.
GEOFENCE_ROUND = timedelta(seconds=10)


@periodic("tracking.geofence_events", every=GEOFENCE_ROUND)
@task()
def geofence_events_run() -> int:
    """Derive the geofence events of the devices with positions not yet derived; their number."""
    return geofences_derive_owed()


@periodic("tracking.trips_derive", every=timedelta(minutes=1))
@task()
def trips_derive_run() -> int:
    """Derive again the daily summaries of devices with new or late positions; their number."""
    return trips_derive_owed()
