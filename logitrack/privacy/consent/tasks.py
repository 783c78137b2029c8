"""Background work of the consent app: sending a tenant's marketing campaign, and queuing again
a campaign whose sending job died."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from logitrack.core.schedule import periodic
from logitrack.privacy.consent.services.campaigns import campaign_send, campaigns_resume


@task()
def campaign_send_run(campaign_id: int) -> int:
    """Send campaign ``campaign_id`` (its id only is queued); the number of messages sent."""
    campaign = campaign_send(campaign_id)
    return campaign.sent if campaign is not None else 0


@periodic("consent.campaigns_resume", every=timedelta(minutes=10))
@task()
def campaigns_resume_run() -> int:
    """Queue again the campaigns whose sending job stopped renewing its lease; their number."""
    return len(campaigns_resume())
