"""A campaign job that stalled past its lease and was replaced (campaigns_resume) writes nothing
when it wakes: not its counts, not an end. Before, its failure (its send meeting the one the new
job made to the same person) ended the campaign FAILED under the live job, leaving the rest of
the people unreached with nothing to queue it again; nobody is ever sent to twice."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from logitrack.core.testing import HttpsClient
from logitrack.privacy.consent.models import MarketingCampaign, SubjectMarketingSend
from logitrack.privacy.consent.services import campaigns as service
from logitrack.privacy.consent.services import marketing
from logitrack.privacy.consent.services.campaigns import campaign_create, campaign_send
from logitrack.privacy.consent.tests.campaign_fixtures import (
    NEWSLETTER,
    campaign_queued_in_three_batches,
)
from logitrack.privacy.consent.tests.factories import make_admin
from logitrack.security.models import AuditEntry
from logitrack.tenancy.tests.factories import principal_for, sign_in

pytestmark = pytest.mark.django_db


@contextmanager
def _no_queue() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(service, "_queue", lambda campaign_id: None)
        yield


@pytest.mark.parametrize("wakes", ["failing", "finishing"])
def test_a_replaced_job_that_wakes_up_neither_ends_nor_counts_the_campaign(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any, wakes: str
) -> None:
    pk = campaign_queued_in_three_batches(monkeypatch, django_capture_on_commit_callbacks)
    real_send = marketing.tenant_marketing_send
    calls: list[Any] = []

    def stalls_on_its_last_batch(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) != 3:
            return real_send(**kwargs)
        # The old job stalls past its lease in its last batch; the sweep queues the campaign
        # again and the new job sends it to the end.
        monkeypatch.setattr(service, "tenant_marketing_send", real_send)
        assert service.campaigns_resume(now=timezone.now() + 2 * service.LEASE) == [pk]
        assert campaign_send(pk) is not None  # the new job, queued by the sweep
        assert MarketingCampaign.dangerously_unscoped.get(pk=pk).status == "done"
        if wakes == "failing":
            # What the person's unique send row does to the old job's insert.
            raise IntegrityError("duplicate key value violates unique constraint")
        return real_send(**kwargs)

    monkeypatch.setattr(service, "tenant_marketing_send", stalls_on_its_last_batch)
    with django_capture_on_commit_callbacks(execute=True):
        assert campaign_send(pk) is None

    campaign = MarketingCampaign.dangerously_unscoped.get(pk=pk)
    assert campaign.status == MarketingCampaign.Status.DONE
    assert (campaign.total, campaign.processed, campaign.sent, campaign.skipped) == (3, 3, 3, 0)
    assert AuditEntry.objects.filter(action="marketing_campaign_finished").count() == 1
    assert SubjectMarketingSend.dangerously_unscoped.count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"nguoi{n}@example.vn" for n in range(3)]


def test_the_lease_outlasts_the_sweep_period() -> None:
    assert timedelta(minutes=10) <= service.LEASE


@pytest.mark.parametrize(
    "wanted", ["other", "0", "-1", "9223372036854775808", "99999999999999999999999", "1e3", "%00"]
)
def test_one_campaign_of_another_tenant_or_no_id_is_never_shown(
    client: HttpsClient, wanted: str
) -> None:
    theirs = make_admin()
    with _no_queue():
        other = campaign_create(actor=principal_for(theirs), data=NEWSLETTER).campaign
    mine = make_admin()
    sign_in(client, mine)
    path = f"/api/v1/campaigns/{other.pk if wanted == 'other' else wanted}"
    response = client.get(path)
    assert response.status_code in (404, 422)
    assert NEWSLETTER.subject_en not in response.content.decode()
