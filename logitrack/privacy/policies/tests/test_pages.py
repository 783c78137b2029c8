"""The public archive, version and diff pages; the privacy officer's pages; the sign-up and
invitation forms recording acceptance of the version in effect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.privacy.policies.models import PolicyAcceptance, PolicyVersion
from logitrack.privacy.policies.services import policy_draft_create, policy_draft_update
from logitrack.privacy.policies.tests.helpers import make_officer, publish_version
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Role
from logitrack.tenancy.services import membership_invite
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for, sign_in
from logitrack.tenancy.tests.test_signup import page_data

pytestmark = pytest.mark.django_db


LANGUAGE_COOKIE = "__Host-logitrack_lang"


@pytest.fixture
def client() -> HttpsClient:
    """A reader who chose English with the language switch (pages are Vietnamese otherwise)."""
    reader = HttpsClient()
    reader.cookies[LANGUAGE_COOKIE] = "en"
    return reader


def _officer_client(officer: User) -> HttpsClient:
    client = HttpsClient()
    client.cookies[LANGUAGE_COOKIE] = "en"
    client.force_login(officer)
    return client


def test_the_archive_lists_every_published_version_but_no_draft(
    client: HttpsClient, version_1: PolicyVersion, officer: User
) -> None:
    publish_version(officer, material=True)
    policy_draft_create(actor=officer)

    html = client.get("/privacy/policy/versions/").content.decode()

    assert 'data-version="1"' in html
    assert 'data-version="2"' in html
    assert 'data-version="3"' not in html
    assert 'href="/privacy/policy/diff/1/2/"' in html


def test_a_past_version_stays_at_its_stable_address(
    client: HttpsClient, version_1: PolicyVersion, officer: User
) -> None:
    publish_version(officer, material=True)

    old = client.get("/privacy/policy/v/1/").content.decode()
    current = client.get("/privacy/").content.decode()

    assert "within 7 working days" in old
    assert "data-not-current" in old
    assert 'data-policy-version="2"' in current
    assert "12. Cookies" in current
    assert "12. Cookies" not in old


def test_a_draft_is_not_found_publicly(
    client: HttpsClient, version_1: PolicyVersion, officer: User
) -> None:
    policy_draft_create(actor=officer)

    assert client.get("/privacy/policy/v/2/").status_code == 404
    assert client.get("/privacy/policy/diff/1/2/").status_code == 404
    assert client.get("/privacy/policy/v/99/").status_code == 404


def test_the_diff_shows_the_words_that_changed_in_the_chosen_language(
    client: HttpsClient, version_1: PolicyVersion, officer: User
) -> None:
    publish_version(
        officer,
        body_en=version_1.body_en.replace("within 7 working days", "within 5 working days"),
        body_vi=version_1.body_vi.replace("7 ngày làm việc", "5 ngày làm việc"),
    )

    english = client.get("/privacy/policy/diff/1/2/").content.decode()
    vietnamese = client.get("/privacy/policy/diff/1/2/?text=vi").content.decode()

    assert "<del>7</del><ins>5</ins>" in english
    assert "unchanged paragraphs" in english
    assert "<del>7</del><ins>5</ins>" in vietnamese
    assert "ngày làm việc" in vietnamese


def test_the_current_policy_is_vietnamese_for_a_vietnamese_reader(
    client: HttpsClient, version_1: PolicyVersion
) -> None:
    del client.cookies[LANGUAGE_COOKIE]

    html = client.get("/privacy/").content.decode()

    assert "Chính sách quyền riêng tư" in html
    assert "Phiên bản 1, có hiệu lực từ" in html
    assert "7 ngày làm việc" in html


def test_html_in_a_policy_text_is_shown_as_text(
    client: HttpsClient, version_1: PolicyVersion, officer: User
) -> None:
    publish_version(
        officer,
        body_en="## Hello\n\n<script>alert(1)</script> [x](javascript:alert(1))\n",
        body_vi="## Xin chào\n\n<img src=x onerror=alert(1)>\n",
    )

    english = client.get("/privacy/policy/v/2/?text=en").content.decode()
    vietnamese = client.get("/privacy/policy/v/2/?text=vi").content.decode()

    assert "<h2>Hello</h2>" in english
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in english
    assert 'href="javascript:' not in english
    assert "<img src=x" not in vietnamese
    assert "&lt;img src=x onerror=alert(1)&gt;" in vietnamese


def test_the_privacy_officer_drafts_and_publishes_through_the_pages(
    version_1: PolicyVersion, officer: User
) -> None:
    client = _officer_client(officer)

    created = client.post("/staff/privacy/policies/new/")
    assert created["Location"] == "/staff/privacy/policies/2/"
    form = client.get("/staff/privacy/policies/2/").content.decode()
    assert 'name="material"' in form
    assert 'name="material" checked' not in form
    saved = client.post(
        "/staff/privacy/policies/2/",
        {
            "summary": "Thêm mục cookie.",
            "material": "on",
            "body_vi": "## 1. Mới\n\nNội dung mới.",
            "body_en": "## 1. New\n\nNew text.",
        },
    )
    published = client.post("/staff/privacy/policies/2/publish/", {"effective_at": ""})

    assert saved.status_code == 302
    assert published["Location"] == "/staff/privacy/policies/"
    version = PolicyVersion.objects.get(number=2)
    assert (version.status, version.material, version.body_en) == (
        "published",
        True,
        "## 1. New\n\nNew text.",
    )
    assert AuditEntry.objects.filter(action="policy_draft_saved").count() == 2
    assert AuditEntry.objects.filter(action="policy_published").count() == 1


def test_publish_sends_the_text_as_typed_so_unsaved_edits_are_published_not_lost(
    version_1: PolicyVersion, officer: User
) -> None:
    client = _officer_client(officer)
    policy_draft_create(actor=officer)

    published = client.post(
        "/staff/privacy/policies/2/publish/",
        {
            "summary": "Thêm mục cookie.",
            "material": "on",
            "body_vi": "## 1. Mới\n\nNội dung chưa lưu.",
            "body_en": "## 1. New\n\nUnsaved text.",
            "effective_at": "",
        },
    )

    assert published["Location"] == "/staff/privacy/policies/"
    version = PolicyVersion.objects.get(number=2)
    assert (version.status, version.material, version.summary, version.body_en) == (
        "published",
        True,
        "Thêm mục cookie.",
        "## 1. New\n\nUnsaved text.",
    )


def test_a_refused_publish_shows_the_page_again_with_everything_as_typed(
    version_1: PolicyVersion, officer: User
) -> None:
    client = _officer_client(officer)
    before = policy_draft_create(actor=officer)
    audit_before = AuditEntry.objects.count()
    # Within the year a version may be published ahead, so only the missing English is refused.
    effective = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        "/staff/privacy/policies/2/publish/",
        {
            "summary": "Thêm mục cookie.",
            "body_vi": "Nội dung chưa lưu.",
            "body_en": "",
            "effective_at": effective,
        },
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "A privacy policy is published in Vietnamese and English" in html
    assert "Nội dung chưa lưu." in html
    assert "Thêm mục cookie." in html
    assert f'value="{effective}"' in html
    version = PolicyVersion.objects.get(number=2)
    assert (version.status, version.body_vi, version.summary) == (
        "draft",
        before.body_vi,
        before.summary,
    )
    assert AuditEntry.objects.count() == audit_before


def test_publishing_without_english_shows_a_clear_error_and_changes_nothing(
    version_1: PolicyVersion, officer: User
) -> None:
    client = _officer_client(officer)
    draft = policy_draft_create(actor=officer)
    policy_draft_update(
        actor=officer, version=draft, material=True, summary="x", body_vi="Mới.", body_en=""
    )

    response = client.post("/staff/privacy/policies/2/publish/", {"effective_at": ""}, follow=True)

    html = response.content.decode()
    assert "A privacy policy is published in Vietnamese and English" in html
    assert PolicyVersion.objects.get(number=2).status == "draft"
    assert not AuditEntry.objects.filter(action="policy_published").exists()


def test_the_publish_form_refuses_a_past_time_with_its_message(
    version_1: PolicyVersion, officer: User
) -> None:
    client = _officer_client(officer)
    draft = policy_draft_create(actor=officer)
    policy_draft_update(
        actor=officer, version=draft, material=True, summary="x", body_vi="a", body_en="b"
    )

    response = client.post(
        "/staff/privacy/policies/2/publish/", {"effective_at": "2020-01-01T08:00"}, follow=True
    )

    assert "cannot take effect in the past" in response.content.decode()
    assert PolicyVersion.objects.get(number=2).status == "draft"


def test_a_published_version_page_has_no_form(version_1: PolicyVersion, officer: User) -> None:
    client = _officer_client(officer)

    html = client.get("/staff/privacy/policies/1/").content.decode()
    posted = client.post(
        "/staff/privacy/policies/1/",
        {"summary": "x", "body_vi": "khác", "body_en": "other"},
        follow=True,
    )

    assert "data-draft-form" not in html
    assert "can no longer be changed" in posted.content.decode()
    assert PolicyVersion.objects.get(number=1).body_en != "other"


@pytest.mark.parametrize("role", ["", "security_officer"])
def test_no_one_but_the_privacy_officer_reaches_the_staff_pages(
    version_1: PolicyVersion, role: str
) -> None:
    client = HttpsClient()
    client.force_login(make_officer(role=role))

    assert client.get("/staff/privacy/policies/").status_code == 403
    assert client.post("/staff/privacy/policies/new/").status_code == 403
    assert PolicyVersion.objects.count() == 1


def test_the_privacy_officer_sees_the_pages_in_the_menu(
    version_1: PolicyVersion, officer: User
) -> None:
    html = _officer_client(officer).get("/").content.decode()
    member = HttpsClient()
    sign_in(member, make_member(make_tenant(), Role.OWNER))

    assert 'href="/staff/privacy/policies/"' in html
    assert 'href="/staff/privacy/policies/"' not in member.get("/").content.decode()


def test_signing_up_records_acceptance_of_the_version_in_effect(
    client: HttpsClient, version_1: PolicyVersion
) -> None:
    response = client.post(reverse("tenancy:signup"), page_data(), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 302
    acceptance = PolicyAcceptance.objects.get()
    assert (acceptance.version, acceptance.via) == (version_1, "signup")
    assert acceptance.ip_prefix == "203.0.113.0"
    assert AuditEntry.objects.filter(action="policy_accepted", object_id="1").count() == 1


def test_joining_by_invitation_records_acceptance_of_the_version_in_effect(
    client: HttpsClient, version_1: PolicyVersion
) -> None:
    owner = make_member(make_tenant(), Role.OWNER)
    with tenant_context(owner.tenant):
        token = membership_invite(
            principal=principal_for(owner), email="lan.nguyen@example.vn", role=Role.DISPATCHER
        ).token
    person: dict[str, Any] = {
        "full_name": "Nguyễn Thị Lan",
        "password": "lúa-chín-vàng-trên-đồng-xa",
        "date_of_birth": "1995-04-30",
        "privacy_consent": "on",
    }

    client.post(reverse("tenancy:invitation-accept", kwargs={"token": token}), person)

    acceptance = PolicyAcceptance.objects.get()
    assert (acceptance.user.email, acceptance.via) == ("lan.nguyen@example.vn", "invitation")


def test_a_version_compared_with_itself_goes_to_that_version(
    client: HttpsClient, version_1: PolicyVersion, officer: User
) -> None:
    publish_version(officer)

    same = client.get("/privacy/policy/diff/2/2/?text=vi")
    draft = policy_draft_create(actor=officer)

    assert same.status_code == 302
    assert same["Location"] == "/privacy/policy/v/2/?text=vi"
    assert client.get(f"/privacy/policy/diff/{draft.number}/{draft.number}/").status_code == 404
