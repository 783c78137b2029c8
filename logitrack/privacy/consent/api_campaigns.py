"""The campaigns API at /api/v1/campaigns: a tenant's newsletters and promotions, listed with
their progress and counts (``consents.view``), one by id to follow its progress, and created
(``consents.manage``).

A created campaign is sent by a background job through the ledger-checked sending service:
only people holding a current consent for the channel receive it. Errors leave as
``{"error": {"code", "message"}}``: 422 ``campaign_invalid`` / ``validation_error`` /
``idempotency_key_invalid``, 409 ``idempotency_key_reused``, 403 ``permission_denied``, 404
``campaign_not_found`` (another tenant's or no such campaign).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Header, Router
from ninja.responses import Status

from logitrack.core.errors import error_json
from logitrack.core.ids import Id
from logitrack.core.schemas import OpaqueText
from logitrack.privacy.consent import selectors
from logitrack.privacy.consent.access import access_campaign_by_id
from logitrack.privacy.consent.errors import ConsentError
from logitrack.privacy.consent.models import MarketingCampaign
from logitrack.privacy.consent.schemas import CampaignIn, CampaignOut
from logitrack.privacy.consent.services.campaigns import CampaignInput, campaign_create
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission

router = Router(tags=["campaigns"])
REPLAYED_HEADER = "Idempotent-Replayed"


def campaign_out(campaign: MarketingCampaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "channel": campaign.channel,
        "subject_vi": campaign.subject_vi,
        "subject_en": campaign.subject_en,
        "status": campaign.status,
        "audience": campaign.audience,
        "total": campaign.total,
        "processed": campaign.processed,
        "sent": campaign.sent,
        "skipped": campaign.skipped,
        "created_at": campaign.created_at,
        "finished_at": campaign.finished_at,
    }


@router.get(
    "",
    response=list[CampaignOut],
    url_name="campaigns_list",
    summary="The tenant's campaigns, newest first, with progress and counts",
)
@requires(Permission.CONSENTS_VIEW)
def campaigns_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [campaign_out(c) for c in selectors.tenant_campaigns(principal=principal_of(request))]


@router.get(
    "/{int:campaign_id}",
    response=CampaignOut,
    url_name="campaign_get",
    summary="One campaign with its progress and counts",
)
@requires(Permission.CONSENTS_VIEW)
def campaign_get(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    return campaign_out(access_campaign_by_id(principal_of(request), campaign_id))


@router.post(
    "",
    response={201: CampaignOut},
    url_name="campaign_create",
    summary="Create a campaign; a background job sends it to people with a current consent",
)
@requires(Permission.CONSENTS_MANAGE)
def campaign_create_view(
    request: HttpRequest,
    response: HttpResponse,
    payload: CampaignIn,
    idempotency_key: Annotated[
        OpaqueText | None, Header(alias="Idempotency-Key", max_length=128)
    ] = None,
) -> Status[dict[str, Any]] | JsonResponse:
    """Send an ``Idempotency-Key`` header to retry safely: the same key with the same body
    answers the first campaign again (header ``Idempotent-Replayed: true``) and sends nothing
    more; with another body, 409 ``idempotency_key_reused``."""
    try:
        created = campaign_create(
            actor=principal_of(request),
            data=CampaignInput(**payload.model_dump()),
            idempotency_key=idempotency_key,
        )
    except ConsentError as exc:
        fields = None
        if exc.field:
            fields = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}]
        return error_json(exc.code, str(exc.message), exc.status, fields=fields)
    response[REPLAYED_HEADER] = "true" if created.replayed else "false"
    return Status(201, campaign_out(created.campaign))
