"""The campaigns pages: compose a newsletter or promotion, preview it with the number of people
who hold a current consent for its channel, send it as a background job, follow its progress,
and the history of the company's campaigns with their counts."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from logitrack.privacy.consent import selectors
from logitrack.privacy.consent.access import access_campaign_by_id
from logitrack.privacy.consent.errors import CampaignKeyReused, ConsentError
from logitrack.privacy.consent.forms import CampaignForm
from logitrack.privacy.consent.models import Channel, MarketingCampaign
from logitrack.privacy.consent.services.campaigns import (
    CampaignInput,
    campaign_audience,
    campaign_create,
)
from logitrack.tenancy.access import principal_of, requires
from logitrack.tenancy.roles import Permission

SEND_KEY = "send_key"


def _page(
    request: HttpRequest,
    *,
    form: CampaignForm | None = None,
    preview: CampaignInput | None = None,
    status: int = 200,
) -> HttpResponse:
    principal = principal_of(request)
    context: dict[str, Any] = {
        "campaigns": selectors.tenant_campaigns(principal=principal),
        "can_manage": principal.has(Permission.CONSENTS_MANAGE),
        "form": form or CampaignForm(),
        "send_key": secrets.token_urlsafe(18),
        "preview": preview,
        "audiences": [
            (channel.label, campaign_audience(actor=principal, channel=channel))
            for channel in Channel
        ],
    }
    if preview is not None:
        context["preview_audience"] = campaign_audience(actor=principal, channel=preview.channel)
        context["preview_channel"] = Channel(preview.channel).label
    return render(request, "consent/campaigns.html", context, status=status)


@requires(Permission.CONSENTS_VIEW)
@require_safe
def campaigns(request: HttpRequest) -> HttpResponse:
    return _page(request)


@requires(Permission.CONSENTS_MANAGE)
@require_POST
def campaign_compose(request: HttpRequest) -> HttpResponse:
    """``action=preview`` shows the message and how many people would receive it now;
    ``action=send`` records the campaign and queues its sending."""
    form = CampaignForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=422)
    data = CampaignInput(**form.cleaned_data)
    if request.POST.get("action") != "send":
        return _page(request, form=form, preview=data)
    # The form's own key: a double click, or the same form sent again from the back button,
    # answers the campaign already created instead of sending it twice.
    key = request.POST.get(SEND_KEY) or None
    try:
        try:
            created = campaign_create(actor=principal_of(request), data=data, idempotency_key=key)
        except CampaignKeyReused:
            # The form was sent before with other text (back, edit, send): a new campaign.
            created = campaign_create(actor=principal_of(request), data=data)
    except ConsentError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return _page(request, form=form, status=422)
    if created.replayed:
        messages.info(request, _("This campaign has already been sent; here is its progress."))
    else:
        messages.success(request, _("The campaign is being sent."))
    return redirect("consent:campaign", campaign_id=created.campaign.pk)


@requires(Permission.CONSENTS_VIEW)
@require_safe
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    item = access_campaign_by_id(principal_of(request), campaign_id)
    running = item.status in (MarketingCampaign.Status.QUEUED, MarketingCampaign.Status.SENDING)
    context = {"campaign": item, "running": running}
    if request.headers.get("HX-Request") == "true":
        return render(request, "consent/_campaign_progress.html", context)
    return render(request, "consent/campaign.html", context)
