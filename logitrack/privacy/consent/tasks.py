"""Background work of the consent app: sending a tenant's marketing campaign."""

from __future__ import annotations

from django_tasks import task

from logitrack.privacy.consent.services.campaigns import campaign_send


@task()
def campaign_send_run(campaign_id: int) -> int:
    """Send campaign ``campaign_id`` (its id only is queued); the number of messages sent."""
    campaign = campaign_send(campaign_id)
    return campaign.sent if campaign is not None else 0
