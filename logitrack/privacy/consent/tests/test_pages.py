"""The consent pages: a person's own choices, the one-click unsubscribe, the tenant's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.signing import dumps

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.privacy.consent.models import (
    Method,
    SubjectConsentEvent,
    SubjectKind,
    TenantPurpose,
    UserConsentEvent,
)
from logitrack.privacy.consent.notices import Asked
from logitrack.privacy.consent.services.consents import user_consent_record
from logitrack.privacy.consent.tests.factories import make_admin, make_consignee, make_driver
from logitrack.privacy.consent.tokens import SALT, UnsubscribeTarget, unsubscribe_token
from logitrack.security.actors import Actor
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, make_user, sign_in

pytestmark = pytest.mark.django_db


def _states(user: Any) -> list[tuple[str, str]]:
    return list(
        UserConsentEvent.objects.filter(user=user).order_by("id").values_list("purpose", "action")
    )


def _granted(user: Any, purpose: str = "marketing_email") -> None:
    user_consent_record(
        actor=Actor.user(user),
        user=user,
        purpose=purpose,
        action="grant",
        method=Method.PAGE,
        asked=Asked(),
    )


def test_my_consents_has_no_checkbox_and_offers_each_purpose_one_button(
    client: HttpsClient,
) -> None:
    member = make_member(make_tenant(), Role.VIEWER)
    sign_in(client, member)

    page = client.get("/account/consents/")

    html = page.content.decode()
    # The page's own content; the cookie banner outside <main> shows "necessary" always on.
    main = html[html.index("<main") : html.index("</main>")]
    assert page.status_code == 200
    assert 'type="checkbox"' not in main
    assert "checked" not in main
    assert html.count('value="grant"') == 4
    assert 'value="withdraw"' not in html


def test_granting_and_withdrawing_on_the_page_are_one_click_each(client: HttpsClient) -> None:
    member = make_member(make_tenant(), Role.VIEWER)
    sign_in(client, member)

    granted = client.post(
        "/account/consents/",
        {"purpose": "marketing_email", "action": "grant"},
        HTTP_USER_AGENT="Mozilla/5.0 (X11)",
        REMOTE_ADDR="198.51.100.23",
    )
    page = client.get("/account/consents/").content.decode()
    withdrawn = client.post(
        "/account/consents/", {"purpose": "marketing_email", "action": "withdraw"}
    )

    assert granted.status_code == 302
    assert withdrawn.status_code == 302
    assert 'value="withdraw"' in page
    assert _states(member.user) == [("marketing_email", "grant"), ("marketing_email", "withdraw")]
    first = UserConsentEvent.objects.order_by("id").first()
    assert first is not None
    assert (first.method, first.ip_network, first.user_agent) == (
        "page",
        "198.51.100.0/24",
        "Mozilla/5.0 (X11)",
    )


def test_a_grant_for_another_person_is_impossible_from_the_page(client: HttpsClient) -> None:
    member = make_member(make_tenant(), Role.OWNER)
    someone = make_user()
    sign_in(client, member)

    client.post(
        "/account/consents/",
        {
            "purpose": "marketing_email",
            "action": "grant",
            "user": someone.pk,
            "user_id": someone.pk,
        },
    )

    assert _states(someone) == []
    assert _states(member.user) == [("marketing_email", "grant")]


def test_an_unknown_purpose_is_refused_on_the_page(client: HttpsClient) -> None:
    member = make_member(make_tenant(), Role.VIEWER)
    sign_in(client, member)

    answer = client.post("/account/consents/", {"purpose": "everything", "action": "grant"})

    assert answer.status_code == 422
    assert UserConsentEvent.objects.count() == 0


def _link(user: Any) -> str:
    token = unsubscribe_token(
        UnsubscribeTarget(kind=SubjectKind.USER, subject_id=user.pk, purpose="marketing_email")
    )
    return f"/u/{token}/"


def test_the_unsubscribe_page_asks_first_and_changes_nothing() -> None:
    user = make_user()
    _granted(user)

    page = HttpsClient().get(_link(user))

    assert page.status_code == 200
    assert "Hủy đăng ký" in page.content.decode()
    assert _states(user) == [("marketing_email", "grant")]


def test_the_one_click_post_withdraws_without_signing_in_or_csrf() -> None:
    user = make_user()
    _granted(user)
    mail_client = HttpsClient(enforce_csrf_checks=True)

    answer = mail_client.post(
        _link(user),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        HTTP_USER_AGENT="ExampleMail/1.0",
        REMOTE_ADDR="2001:db8:aa:bb::1",
    )
    again = mail_client.post(
        _link(user),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert answer.status_code == 200
    assert again.status_code == 200
    assert _states(user) == [("marketing_email", "grant"), ("marketing_email", "withdraw")]
    last = UserConsentEvent.objects.order_by("-id").first()
    assert last is not None
    assert (last.method, last.ip_network, last.user_agent) == (
        "email_link",
        "2001:db8:aa::/48",
        "ExampleMail/1.0",
    )


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token[: len(token) // 2],
        lambda token: dumps({"k": "user", "s": 1, "p": "marketing_email", "t": 0}, salt="other"),
        lambda token: "x" * 600,
    ],
    ids=["changed", "cut-short", "wrong-key", "too-long"],
)
def test_a_forged_unsubscribe_link_answers_400_and_changes_nothing(mangle: Any) -> None:
    user = make_user()
    _granted(user)
    token = _link(user).split("/")[2]

    answer = HttpsClient().post(
        f"/u/{mangle(token)}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert answer.status_code == 400
    assert "Liên kết hủy đăng ký này không hợp lệ" in answer.content.decode()
    assert _states(user) == [("marketing_email", "grant")]


def test_a_broken_unsubscribe_link_is_refused_in_the_browsers_language() -> None:
    english = HttpsClient(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    vietnamese = HttpsClient(HTTP_ACCEPT_LANGUAGE="vi-VN,vi;q=0.9")

    for method in ("get", "post"):
        answer = getattr(english, method)("/u/not-a-token/")
        assert answer.status_code == 400
        assert "This link is not valid" in answer.content.decode()
        assert 'lang="en"' in answer.content.decode()
        assert "Liên kết này không hợp lệ" in getattr(vietnamese, method)("/u/x/").content.decode()


def test_a_well_signed_link_for_someone_else_cannot_be_made_from_anothers() -> None:
    victim, attacker = make_user(), make_user()
    _granted(victim)
    token = _link(attacker).split("/")[2]
    # Swapping the subject id in the signed payload breaks the signature.
    forged = dumps({"k": "user", "s": victim.pk, "p": "marketing_email", "t": 0}, salt=SALT + "x")

    assert HttpsClient().post(f"/u/{forged}/").status_code == 400
    assert HttpsClient().post(f"/u/{token}x/").status_code == 400
    assert _states(victim) == [("marketing_email", "grant")]


def test_a_consignee_unsubscribes_from_a_tenants_messages(client: HttpsClient) -> None:
    admin = make_admin()
    consignee = make_consignee(admin.tenant)
    sign_in(client, admin)
    client.post(
        "/operations/consents/record/",
        {
            "subject_kind": "consignee",
            "email": consignee.email,
            "purpose": "marketing_email",
            "action": "grant",
            "method": "paper",
        },
    )
    token = unsubscribe_token(
        UnsubscribeTarget(
            kind=SubjectKind.CONSIGNEE,
            subject_id=consignee.pk,
            purpose="marketing_email",
            tenant_id=admin.tenant_id,
        )
    )

    answer = HttpsClient().post(f"/u/{token}/")

    with tenant_context(admin.tenant):
        actions = list(SubjectConsentEvent.objects.order_by("id").values_list("action", "method"))
    assert answer.status_code == 200
    assert actions == [("grant", "paper"), ("withdraw", "email_link")]


def test_the_tenant_page_preselects_neither_grant_nor_withdraw_and_names_the_company(
    client: HttpsClient,
) -> None:
    admin = make_admin()
    sign_in(client, admin)

    page = client.get("/operations/consents/").content.decode()

    choice = page.split('name="action"', 1)[1].split("</select>", 1)[0]
    assert '<option value="" selected>' in choice
    assert 'value="grant" selected' not in choice
    assert f"{admin.tenant.name} may send you newsletters" in page or (
        f"{admin.tenant.name} có thể gửi cho bạn bản tin" in page
    )


def test_the_tenant_page_records_a_telephone_consent_of_its_driver(client: HttpsClient) -> None:
    admin = make_admin()
    driver = make_driver(admin.tenant)
    sign_in(client, admin)

    answer = client.post(
        "/operations/consents/record/",
        {
            "subject_kind": "driver",
            "driver_id": driver.pk,
            "purpose": "marketing_sms",
            "action": "grant",
            "method": "phone",
        },
    )
    page = client.get("/operations/consents/")

    assert answer.status_code == 302
    assert driver.full_name in page.content.decode()
    with tenant_context(admin.tenant):
        assert SubjectConsentEvent.objects.get().driver_id == driver.pk


def test_the_tenant_page_refuses_another_tenants_driver_and_changes_nothing(
    client: HttpsClient,
) -> None:
    admin = make_admin()
    stranger = make_driver(make_tenant())
    sign_in(client, admin)

    answer = client.post(
        "/operations/consents/record/",
        {
            "subject_kind": "driver",
            "driver_id": stranger.pk,
            "purpose": "marketing_sms",
            "action": "grant",
            "method": "phone",
        },
    )

    assert answer.status_code == 422
    assert "không có tài xế với mã số này" in answer.content.decode()
    assert SubjectConsentEvent.dangerously_unscoped.count() == 0


def test_a_purpose_needs_both_languages(client: HttpsClient) -> None:
    admin = make_admin()
    sign_in(client, admin)

    refused = client.post(
        "/operations/consents/purposes/",
        {
            "code": "vip",
            "name_vi": "Khách VIP",
            "name_en": "",
            "description_vi": "Ưu đãi",
            "description_en": "",
        },
    )
    declared = client.post(
        "/operations/consents/purposes/",
        {
            "code": "vip",
            "name_vi": "Khách VIP",
            "name_en": "VIP",
            "description_vi": "Ưu đãi",
            "description_en": "Offers",
        },
    )

    assert refused.status_code == 422
    assert declared.status_code == 302
    assert TenantPurpose.dangerously_unscoped.count() == 1


def test_the_consent_pages_speak_vietnamese_and_english(client: HttpsClient) -> None:
    admin = make_admin()
    sign_in(client, admin)

    vietnamese = client.get("/account/consents/").content.decode()
    tenant_vi = client.get("/operations/consents/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/account/consents/").content.decode()
    tenant_en = client.get("/operations/consents/").content.decode()

    assert "Sự đồng ý của tôi" in vietnamese
    assert "Bản tin và khuyến mãi qua e-mail" in vietnamese
    assert "Sự đồng ý của người nhận hàng và tài xế" in tenant_vi
    assert "My consents" in english
    assert "Newsletters and promotions by e-mail" in english
    assert "Consents of consignees and drivers" in tenant_en
