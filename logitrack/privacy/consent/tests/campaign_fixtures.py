"""Set-ups shared by the campaign tests (test_campaigns, test_campaign_lease_attacks): a test
module imports these, never another test module."""

from __future__ import annotations

from typing import Any

import pytest

from logitrack.privacy.consent.models import Action, Method
from logitrack.privacy.consent.notices import Asked
from logitrack.privacy.consent.services import campaigns as campaigns_service
from logitrack.privacy.consent.services.campaigns import CampaignInput, campaign_create
from logitrack.privacy.consent.services.consents import subject_consent_record
from logitrack.privacy.consent.tests.factories import make_admin, make_consignee
from logitrack.tenancy.tests.factories import principal_for

NEWSLETTER = CampaignInput(
    channel="email",
    subject_vi="Bản tin tháng Năm",
    subject_en="May newsletter",
    body_vi="Giảm 20% phí giao hàng nội thành.",
    body_en="20% off city deliveries.",
)


def choose(admin: Any, subject: Any, action: str, purpose: str = "marketing_email") -> None:
    """``subject``'s choice for ``purpose``, recorded on paper by ``admin``."""
    subject_consent_record(
        actor=principal_for(admin),
        subject=subject,
        purpose=purpose,
        action=action,
        method=Method.PAPER,
        asked=Asked(),
    )


def campaign_queued_in_three_batches(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> int:
    """The id of a NEWSLETTER campaign of a new company to three consenting consignees
    (nguoi0..2@example.vn), one a batch (BATCH patched to 1), queued but its job not yet run."""
    admin = make_admin()
    for n in range(3):
        choose(admin, make_consignee(admin.tenant, email=f"nguoi{n}@example.vn"), Action.GRANT)
    monkeypatch.setattr(campaigns_service, "BATCH", 1)
    with django_capture_on_commit_callbacks(execute=False):
        created = campaign_create(actor=principal_for(admin), data=NEWSLETTER)
    return int(created.campaign.pk)
