"""Marketing campaigns: composed on the page or through the API, sent by a background job only
through the ledger-checked service, with progress and counts; idempotent creation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.privacy.consent.errors import CampaignKeyReused, InvalidCampaign, NotAllowed
from logitrack.privacy.consent.models import (
    Action,
    MarketingCampaign,
    SubjectMarketingSend,
)
from logitrack.privacy.consent.services import marketing
from logitrack.privacy.consent.services.campaigns import (
    CampaignInput,
    campaign_audience,
    campaign_create,
    campaign_send,
)
from logitrack.privacy.consent.tests.campaign_fixtures import (
    NEWSLETTER,
    campaign_queued_in_three_batches,
    choose,
)
from logitrack.privacy.consent.tests.factories import make_admin, make_consignee, make_driver
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for, sign_in

pytestmark = pytest.mark.django_db


def _people(admin: Any) -> tuple[Any, Any, Any]:
    """One consignee who agreed, one who agreed and then unsubscribed, one never asked."""
    agreed = make_consignee(admin.tenant, email="dong.y@example.vn")
    unsubscribed = make_consignee(admin.tenant, email="da.huy@example.vn")
    never = make_consignee(admin.tenant, email="chua.hoi@example.vn")
    choose(admin, agreed, Action.GRANT)
    choose(admin, unsubscribed, Action.GRANT)
    choose(admin, unsubscribed, Action.WITHDRAW)
    return agreed, unsubscribed, never


def test_a_campaign_reaches_only_people_with_a_current_consent_and_counts_the_rest(
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = make_admin()
    _people(admin)
    driver = make_driver(admin.tenant)  # no e-mail consent: skipped
    other_tenant = make_admin()
    stranger = make_consignee(other_tenant.tenant, email="nguoi.la@example.vn")
    choose(other_tenant, stranger, Action.GRANT)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = campaign_create(actor=principal_for(admin), data=NEWSLETTER)
    # The job ran on commit (the suite's ImmediateBackend), and its e-mails on their commit.
    assert len(callbacks) >= 1

    with tenant_context(admin.tenant):
        campaign = MarketingCampaign.objects.get(pk=created.campaign.pk)
    assert campaign.status == MarketingCampaign.Status.DONE
    assert (campaign.audience, campaign.total, campaign.processed) == (1, 4, 4)
    assert (campaign.sent, campaign.skipped) == (1, 3)
    assert [m.to for m in mail.outbox] == [["dong.y@example.vn"]]
    assert "May newsletter" in mail.outbox[0].subject
    assert driver.pk not in SubjectMarketingSend.dangerously_unscoped.values_list(
        "driver_id", flat=True
    )
    assert AuditEntry.objects.filter(action="marketing_campaign_created").count() == 1
    assert AuditEntry.objects.filter(action="marketing_campaign_finished").count() == 1


def test_the_audience_counts_current_consents_for_the_channel_only() -> None:
    admin = make_admin()
    _people(admin)
    texted = make_driver(admin.tenant, phone="+84912345678")
    choose(admin, texted, Action.GRANT, purpose="marketing_sms")

    assert campaign_audience(actor=principal_for(admin), channel="email") == 1
    assert campaign_audience(actor=principal_for(admin), channel="sms") == 1


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DISPATCHER, Role.ACCOUNTANT])
def test_an_account_level_without_consents_manage_cannot_create_a_campaign(role: Role) -> None:
    member = make_member(make_tenant(), role)

    with pytest.raises(NotAllowed):
        campaign_create(actor=principal_for(member), data=NEWSLETTER)

    assert MarketingCampaign.dangerously_unscoped.count() == 0


def test_a_campaign_without_its_english_text_is_refused_and_nothing_is_written() -> None:
    admin = make_admin()
    half = CampaignInput(**{**NEWSLETTER.__dict__, "body_en": "  "})

    with pytest.raises(InvalidCampaign):
        campaign_create(actor=principal_for(admin), data=half)

    assert MarketingCampaign.dangerously_unscoped.count() == 0


def test_a_retry_with_the_same_key_answers_the_first_campaign_and_sends_nothing_more() -> None:
    admin = make_admin()
    _people(admin)

    first = campaign_create(actor=principal_for(admin), data=NEWSLETTER, idempotency_key="k-1")
    again = campaign_create(actor=principal_for(admin), data=NEWSLETTER, idempotency_key="k-1")
    other = CampaignInput(**{**NEWSLETTER.__dict__, "subject_en": "June newsletter"})
    with pytest.raises(CampaignKeyReused):
        campaign_create(actor=principal_for(admin), data=other, idempotency_key="k-1")

    assert again.replayed is True
    assert again.campaign.pk == first.campaign.pk
    assert MarketingCampaign.dangerously_unscoped.count() == 1


def test_a_creator_who_lost_the_permission_sends_nothing() -> None:
    admin = make_admin()
    _people(admin)
    created = campaign_create(actor=principal_for(admin), data=NEWSLETTER)
    MarketingCampaign.dangerously_unscoped.filter(pk=created.campaign.pk).update(
        status=MarketingCampaign.Status.QUEUED, sent=0, skipped=0, processed=0
    )
    SubjectMarketingSend.dangerously_unscoped.all().delete()
    admin.role = Role.VIEWER
    admin.save(update_fields=["role"])

    result = campaign_send(created.campaign.pk)

    assert result is not None
    assert result.status == MarketingCampaign.Status.FAILED
    assert SubjectMarketingSend.dangerously_unscoped.count() == 0


def test_a_campaign_job_run_twice_sends_once(django_capture_on_commit_callbacks: Any) -> None:
    admin = make_admin()
    _people(admin)
    with django_capture_on_commit_callbacks(execute=True):
        created = campaign_create(actor=principal_for(admin), data=NEWSLETTER)

    assert campaign_send(created.campaign.pk) is None
    assert SubjectMarketingSend.dangerously_unscoped.count() == 1


# --- API ----------------------------------------------------------------------------------------


def _api_post(client: HttpsClient, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/campaigns", data=body, content_type="application/json", headers=headers
    )


def test_the_api_creates_lists_and_replays_a_campaign(
    client: HttpsClient, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_admin()
    _people(admin)
    sign_in(client, admin)
    body = dict(NEWSLETTER.__dict__)

    with django_capture_on_commit_callbacks(execute=True):
        first = _api_post(client, body, key="api-1")
    replay = _api_post(client, body, key="api-1")
    reused = _api_post(client, {**body, "subject_en": "Other"}, key="api-1")
    listed = client.get("/api/v1/campaigns")

    assert first.status_code == 201
    assert first["Idempotent-Replayed"] == "false"
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert [(c["id"], c["status"], c["sent"], c["skipped"]) for c in listed.json()] == [
        (first.json()["id"], "done", 1, 2)
    ]
    one = client.get(f"/api/v1/campaigns/{first.json()['id']}")
    assert one.status_code == 200
    assert one.json() == listed.json()[0]


def test_the_api_answers_another_tenants_campaign_as_not_found(
    client: HttpsClient, django_capture_on_commit_callbacks: Any
) -> None:
    theirs = make_admin()
    with django_capture_on_commit_callbacks(execute=False):
        created = campaign_create(actor=principal_for(theirs), data=NEWSLETTER)
    sign_in(client, make_admin())

    for campaign_id in (created.campaign.pk, 2**63 - 1, 0):
        answer = client.get(f"/api/v1/campaigns/{campaign_id}")
        assert answer.status_code in (404, 422), campaign_id
        if campaign_id == created.campaign.pk:
            assert answer.status_code == 404
            assert answer.json()["error"]["code"] == "campaign_not_found"


def test_the_api_refuses_a_campaign_missing_a_language(client: HttpsClient) -> None:
    admin = make_admin()
    sign_in(client, admin)

    answer = _api_post(client, {**NEWSLETTER.__dict__, "subject_en": ""})

    assert answer.status_code == 422
    assert MarketingCampaign.dangerously_unscoped.count() == 0


# --- pages --------------------------------------------------------------------------------------


def test_the_page_previews_with_the_audience_then_sends_and_shows_the_counts(
    client: HttpsClient, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_admin()
    _people(admin)
    sign_in(client, admin)
    form = {**NEWSLETTER.__dict__}

    preview = client.post("/operations/campaigns/new/", {**form, "action": "preview"})
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/operations/campaigns/new/", {**form, "action": "send"})
    campaign = MarketingCampaign.dangerously_unscoped.get()
    progress = client.get(sent["Location"])
    history = client.get("/operations/campaigns/")

    assert preview.status_code == 200
    assert 'data-preview-audience="1"' in preview.content.decode()
    assert "Giảm 20% phí giao hàng nội thành." in preview.content.decode()
    assert MarketingCampaign.dangerously_unscoped.count() == 1
    assert sent.status_code == 302
    assert sent["Location"] == f"/operations/campaigns/{campaign.pk}/"
    assert "data-sent>1<" in progress.content.decode()
    assert "data-skipped>2<" in progress.content.decode()
    assert f'data-campaign="{campaign.pk}"' in history.content.decode()


def test_an_account_level_without_consents_view_is_refused_the_page(client: HttpsClient) -> None:
    viewer = make_member(make_tenant(), Role.VIEWER)
    viewer.role = Role.VIEWER
    sign_in(client, viewer)

    page = client.get("/operations/campaigns/")

    assert page.status_code == 403


def test_a_campaign_of_an_expired_api_key_sends_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The job re-checks its sender as the bearer check would: a key that expired between the
    campaign's creation and its sending sends nothing, like a revoked one."""
    from datetime import timedelta

    from django.utils import timezone

    from logitrack.tenancy.models import ApiKey
    from logitrack.tenancy.principal import Principal
    from logitrack.tenancy.roles import API_KEY_PERMISSIONS, Permission
    from logitrack.tenancy.tests.factories import make_api_key

    admin = make_admin()
    agreed, _unsubscribed, _never = _people(admin)
    key = make_api_key(admin, {Permission.CONSENTS_MANAGE, Permission.CONSENTS_VIEW})
    principal = Principal.for_api_key(
        api_key_id=key.api_key.pk,
        tenant=admin.tenant,
        permissions=frozenset({Permission.CONSENTS_MANAGE, Permission.CONSENTS_VIEW})
        & API_KEY_PERMISSIONS,
    )
    with django_capture_on_commit_callbacks(execute=False):
        created = campaign_create(actor=principal, data=NEWSLETTER)
    now = timezone.now()
    ApiKey.dangerously_unscoped.filter(pk=key.api_key.pk).update(
        created_at=now - timedelta(days=31), expires_at=now - timedelta(days=1)
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        done = campaign_send(created.campaign.pk)

    assert done is not None
    assert done.status == MarketingCampaign.Status.FAILED
    assert mail.outbox == []
    with tenant_context(admin.tenant):
        assert not SubjectMarketingSend.objects.filter(consignee=agreed).exists()


def test_a_sender_switched_off_during_the_campaign_stops_the_next_batches(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """The sender is re-checked before each batch: the creator's account suspended (an under-16
    report) after the first batch went out sends nothing more, and the campaign fails."""
    from logitrack.accounts.models import User
    from logitrack.privacy.consent.services import campaigns as service

    admin = make_admin()
    people = [make_consignee(admin.tenant, email=f"khach{n}@example.vn") for n in range(3)]
    for person in people:
        choose(admin, person, Action.GRANT)
    with django_capture_on_commit_callbacks(execute=False):
        created = campaign_create(actor=principal_for(admin), data=NEWSLETTER)
    monkeypatch.setattr(service, "BATCH", 1)
    real_send = marketing.tenant_marketing_send
    calls = []

    def send_then_suspend(**kwargs: Any) -> Any:
        calls.append(kwargs)
        result = real_send(**kwargs)
        User.objects.filter(pk=admin.user.pk).update(is_active=False)
        return result

    monkeypatch.setattr(service, "tenant_marketing_send", send_then_suspend)

    done = campaign_send(created.campaign.pk)

    assert done is not None
    assert done.status == MarketingCampaign.Status.FAILED
    assert len(calls) == 1
    with tenant_context(admin.tenant):
        assert SubjectMarketingSend.objects.count() == 1


# --- A sending job that dies ------------------------------------------------------------------


class _WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the job catches it, as nothing runs after a kill."""


def test_a_campaign_whose_job_died_is_queued_again_and_reaches_each_person_once(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from logitrack.privacy.consent.services import campaigns as service

    campaign_id = campaign_queued_in_three_batches(monkeypatch, django_capture_on_commit_callbacks)
    real_send = marketing.tenant_marketing_send
    calls: list[Any] = []

    def killed_after_the_first_batch(**kwargs: Any) -> Any:
        calls.append(kwargs)
        if len(calls) == 2:
            raise _WorkerKilled
        return real_send(**kwargs)

    monkeypatch.setattr(service, "tenant_marketing_send", killed_after_the_first_batch)
    with pytest.raises(_WorkerKilled), django_capture_on_commit_callbacks(execute=True):
        campaign_send(campaign_id)
    monkeypatch.setattr(service, "tenant_marketing_send", real_send)
    stuck = MarketingCampaign.dangerously_unscoped.get(pk=campaign_id)
    assert stuck.status == MarketingCampaign.Status.SENDING
    assert stuck.lease_until is not None
    assert len(mail.outbox) == 1

    # While the lease runs, the job may only be slow: the sweep leaves it.
    assert service.campaigns_resume() == []
    later = stuck.lease_until + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert service.campaigns_resume(now=later) == [stuck.pk]

    done = MarketingCampaign.dangerously_unscoped.get(pk=campaign_id)
    assert done.status == MarketingCampaign.Status.DONE
    assert (done.total, done.processed, done.sent, done.skipped) == (3, 3, 3, 0)
    assert done.lease_until is None
    assert sorted(m.to[0] for m in mail.outbox) == [f"nguoi{n}@example.vn" for n in range(3)]
    assert SubjectMarketingSend.dangerously_unscoped.count() == 3
    assert AuditEntry.objects.filter(action="marketing_campaign_resumed").count() == 1
    assert service.campaigns_resume(now=timezone.now() + timedelta(days=1)) == []


def test_a_job_whose_campaign_was_taken_over_stops_before_its_next_batch(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from logitrack.privacy.consent.services import campaigns as service

    campaign_id = campaign_queued_in_three_batches(monkeypatch, django_capture_on_commit_callbacks)
    real_send = marketing.tenant_marketing_send
    calls: list[Any] = []

    def send_then_stall(**kwargs: Any) -> Any:
        calls.append(kwargs)
        result = real_send(**kwargs)
        # The job stalls past its lease; the sweep hands the campaign to a new job.
        with django_capture_on_commit_callbacks(execute=False):
            service.campaigns_resume(now=timezone.now() + 2 * service.LEASE)
        return result

    monkeypatch.setattr(service, "tenant_marketing_send", send_then_stall)

    assert campaign_send(campaign_id) is None
    assert len(calls) == 1
    assert MarketingCampaign.dangerously_unscoped.get(pk=campaign_id).status == (
        MarketingCampaign.Status.QUEUED
    )
    assert timedelta(minutes=5) < service.LEASE
