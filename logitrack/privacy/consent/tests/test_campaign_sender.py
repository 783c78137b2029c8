"""A company's newsletter names the company: it comes from Logitrack's address, and a consignee
who never heard of Logitrack must be able to tell who writes to them and whom they unsubscribe
from."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from logitrack.core.testing import HttpsClient
from logitrack.privacy.consent.models import Action, MarketingCampaign, Method
from logitrack.privacy.consent.notices import Asked
from logitrack.privacy.consent.services.campaigns import CampaignInput, campaign_create
from logitrack.privacy.consent.services.consents import subject_consent_record
from logitrack.privacy.consent.tests.factories import make_admin, make_consignee
from logitrack.tenancy.tests.factories import principal_for, sign_in

pytestmark = pytest.mark.django_db


def test_a_campaign_email_names_the_company_in_both_languages(
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = make_admin()
    consignee = make_consignee(admin.tenant, email="nguoi.nhan@example.vn")
    subject_consent_record(
        actor=principal_for(admin),
        subject=consignee,
        purpose="marketing_email",
        action=Action.GRANT,
        method=Method.PAPER,
        asked=Asked(),
    )
    mail.outbox.clear()
    data = CampaignInput(
        channel="email",
        subject_vi="Bản tin",
        subject_en="Newsletter",
        body_vi="Xin chào.",
        body_en="Hello.",
    )

    with django_capture_on_commit_callbacks(execute=True):
        campaign_create(actor=principal_for(admin), data=data)

    [message] = mail.outbox
    name = admin.tenant.name
    text = str(message.body)
    assert isinstance(message, EmailMultiAlternatives)
    html = str(message.alternatives[0][0])
    assert f"bản tin và khuyến mãi từ {name}." in text
    assert f"newsletters and promotions from {name}." in text
    assert f"bản tin và khuyến mãi từ {name}." in html
    assert f"newsletters and promotions from {name}." in html


def test_the_api_names_the_missing_text(client: HttpsClient) -> None:
    admin = make_admin()
    sign_in(client, admin)
    body = {
        "channel": "email",
        "subject_vi": "Bản tin",
        "subject_en": "Newsletter",
        "body_vi": "  ",
        "body_en": "Hello.",
    }

    answer = client.post(
        "/api/v1/campaigns", data=json.dumps(body), content_type="application/json"
    )

    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "campaign_invalid"
    assert [f["field"] for f in error["fields"]] == ["body_vi"]
    assert error["message"] == "Trường này là bắt buộc."
    assert MarketingCampaign.dangerously_unscoped.count() == 0


def test_the_same_compose_form_sent_twice_sends_one_campaign(
    client: HttpsClient, django_capture_on_commit_callbacks: Any
) -> None:
    admin = make_admin()
    sign_in(client, admin)
    page = client.get("/operations/campaigns/").content.decode()
    key = page.split('name="send_key" value="')[1].split('"')[0]
    form = {
        "channel": "email",
        "subject_vi": "Bản tin",
        "subject_en": "Newsletter",
        "body_vi": "Xin chào.",
        "body_en": "Hello.",
        "action": "send",
        "send_key": key,
    }

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/operations/campaigns/new/", form)
        again = client.post("/operations/campaigns/new/", form)
        edited = client.post("/operations/campaigns/new/", {**form, "body_en": "Hello again."})

    assert len(key) >= 20
    assert first.status_code == again.status_code == edited.status_code == 302
    assert again["Location"] == first["Location"]
    assert edited["Location"] != first["Location"]
    assert MarketingCampaign.dangerously_unscoped.count() == 2
    shown = client.get(again["Location"]).content.decode()
    assert "Chiến dịch này đã được gửi; đây là tiến độ của nó." in shown
    assert client.get("/operations/campaigns/").content.decode().count("data-campaign=") == 2
