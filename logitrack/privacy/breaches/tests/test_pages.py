"""The privacy officer's pages, the public partners page and the authority report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pypdfium2
import pytest
from django.core import mail
from django.utils import timezone, translation

from logitrack.core.testing import HttpsClient
from logitrack.privacy.breaches.models import (
    Breach,
    BreachNotice,
    Disclosure,
    DisclosureSubject,
    Partner,
)
from logitrack.privacy.breaches.register import DECLARED_PARTNERS
from logitrack.privacy.breaches.services.breaches import breach_assess, breach_mark_reported
from logitrack.privacy.breaches.services.partners import partners_seed
from logitrack.privacy.breaches.tests.helpers import make_breach, make_officer, order_at, window
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db

STAFF_PAGES = (
    "/staff/privacy/partners/",
    "/staff/privacy/disclosures/",
    "/staff/privacy/breaches/",
)


def _text(pdf: bytes) -> str:
    """The PDF's text with every run of whitespace (line breaks included) as one space."""
    document = pypdfium2.PdfDocument(pdf)
    pages = (document[i].get_textpage().get_text_range() for i in range(len(document)))
    return " ".join(" ".join(pages).split())


def test_the_public_partners_page_lists_the_seeded_partners_in_both_languages(
    client: HttpsClient,
) -> None:
    assert partners_seed() == len(DECLARED_PARTNERS)
    assert partners_seed() == 0  # idempotent

    client.cookies["__Host-logitrack_lang"] = "en"
    english = client.get("/privacy/partners/").content.decode()
    client.cookies["__Host-logitrack_lang"] = "vi"
    vietnamese = client.get("/privacy/partners/").content.decode()

    assert "Who receives personal data" in english
    assert "Delivers transactional e-mail" in english
    assert "Ai nhận dữ liệu cá nhân" in vietnamese
    assert "Gửi thư giao dịch" in vietnamese
    assert 'data-partner="object-storage"' not in english  # not in use by default


def test_the_public_partners_page_names_the_data_categories_in_the_reader_s_language(
    client: HttpsClient,
) -> None:
    partners_seed()

    client.cookies["__Host-logitrack_lang"] = "en"
    english = client.get("/privacy/partners/").content.decode()
    client.cookies["__Host-logitrack_lang"] = "vi"
    vietnamese = client.get("/privacy/partners/").content.decode()

    assert "Phone number" in english
    assert "Số điện thoại" in vietnamese
    assert "user.contact.phone_number" not in english + vietnamese


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_answer_the_privacy_officer_only(client: HttpsClient, path: str) -> None:
    owner = make_member(make_tenant(), Role.OWNER)

    anonymous = client.get(path)
    sign_in(client, owner)
    member = client.get(path)
    client.force_login(make_officer())
    officer = client.get(path)

    assert anonymous.status_code == 302
    assert member.status_code == 403
    assert officer.status_code == 200


def test_a_security_officer_cannot_reach_a_breach(client: HttpsClient) -> None:
    from logitrack.security.tests.helpers import create_user

    breach = make_breach(make_officer())
    client.force_login(create_user("sec@logitrack.vn", platform_role="security_officer"))

    assert client.get(f"/staff/privacy/breaches/{breach.pk}/").status_code == 403
    assert client.get(f"/staff/privacy/breaches/{breach.pk}/report.pdf").status_code == 403


def test_the_officer_registers_a_breach_from_the_page(client: HttpsClient) -> None:
    officer = make_officer()
    client.force_login(officer)
    client.cookies["__Host-logitrack_lang"] = "en"
    start, end = window()
    fmt = "%Y-%m-%dT%H:%M"
    local = timezone.localtime

    response = client.post(
        "/staff/privacy/breaches/",
        {
            "discovered_at": local(timezone.now() - timedelta(hours=1)).strftime(fmt),
            "occurred_from": local(start).strftime(fmt),
            "occurred_until": local(end).strftime(fmt),
            "nature": "Truy cập trái phép",
            "description": "Tài khoản điều phối bị chiếm quyền.",
            "categories": ["user.contact.phone_number"],
            "affected_models": ["logistics.order"],
            "approx_subjects": "20",
            "approx_records": "40",
        },
    )

    breach = Breach.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/privacy/breaches/{breach.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "left to report to the authority" in page
    assert AuditEntry.objects.filter(action="breach_registered").count() == 1


def test_a_range_ending_before_it_starts_is_refused_on_the_page(client: HttpsClient) -> None:
    client.force_login(make_officer())
    client.cookies["__Host-logitrack_lang"] = "en"
    start, end = window()
    fmt = "%Y-%m-%dT%H:%M"

    response = client.post(
        "/staff/privacy/breaches/",
        {
            "discovered_at": timezone.localtime(end).strftime(fmt),
            "occurred_from": timezone.localtime(end).strftime(fmt),
            "occurred_until": timezone.localtime(start).strftime(fmt),
            "nature": "x",
            "description": "y",
            "categories": ["user.name"],
            "approx_subjects": "0",
            "approx_records": "0",
        },
    )

    assert response.status_code == 422
    assert "The end of the range is before its start." in response.content.decode()
    assert not Breach.objects.exists()


def test_the_authority_report_is_a_vietnamese_pdf_following_the_form(client: HttpsClient) -> None:
    officer = make_officer()
    order_at(make_tenant(), window()[0] + timedelta(hours=2))
    breach = breach_assess(actor=officer, breach=make_breach(officer))
    client.force_login(officer)

    response = client.get(f"/staff/privacy/breaches/{breach.pk}/report.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    for expected in (
        "THÔNG BÁO",
        "VI PHẠM QUY ĐỊNH VỀ BẢO VỆ DỮ LIỆU CÁ NHÂN",
        "Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
        "Số điện thoại (user.contact.phone_number)",
        "Số chủ thể dữ liệu xác định từ hệ thống: 1",
        "Lộ bản sao lưu cơ sở dữ liệu",
        "Đã xoá bản sao lưu, đổi khoá.",
    ):
        assert expected in text, expected
    assert AuditEntry.objects.filter(action="breach_report_generated").count() == 1


def test_sending_notices_twice_from_the_page_answers_409_and_sends_nothing_more(
    client: HttpsClient, django_capture_on_commit_callbacks: Any
) -> None:
    officer = make_officer()
    tenant = make_tenant()
    order_at(tenant, window()[0] + timedelta(hours=2), consignee_email="an@example.vn")
    breach = breach_assess(actor=officer, breach=make_breach(officer))
    breach_mark_reported(
        actor=officer, breach=breach, reported_at=timezone.now(), reference="A05-7"
    )
    client.force_login(officer)
    client.cookies["__Host-logitrack_lang"] = "en"
    url = f"/staff/privacy/breaches/{breach.pk}/notify/"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    sent = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url)

    assert first.status_code == 302
    assert sent == 1
    assert second.status_code == 409
    assert "have already been sent; nothing was sent again" in second.content.decode()
    assert len(mail.outbox) == sent
    assert BreachNotice.objects.count() == 1


def test_the_breach_page_is_translated(client: HttpsClient) -> None:
    officer = make_officer(language="vi")
    breach = make_breach(officer)
    client.force_login(officer)
    client.cookies["__Host-logitrack_lang"] = "vi"

    page = client.get(f"/staff/privacy/breaches/{breach.pk}/").content.decode()

    assert "Tải báo cáo gửi cơ quan chức năng" in page
    with translation.override("vi"):
        assert str(Partner.Kind.EMAIL.label) == "Gửi thư điện tử"


def test_a_disclosure_recorded_on_the_page_needs_a_second_officer(client: HttpsClient) -> None:
    recorder, approver = make_officer(), make_officer()
    client.force_login(recorder)
    client.cookies["__Host-logitrack_lang"] = "en"
    client.post(
        "/staff/privacy/disclosures/",
        {
            "kind": "authority",
            "requesting_body": "Cục A05, Bộ Công an",
            "legal_basis": "Công văn 45/A05",
            "categories": ["user.name"],
            "description": "Họ tên người nhận của đơn hàng 9.",
            "disclosed_at": timezone.localtime(timezone.now() - timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "subjects": "consignee:9\nuser:3",
        },
    )
    disclosure = Disclosure.objects.get()
    decide = f"/staff/privacy/disclosures/{disclosure.pk}/decide/"

    refused = client.post(decide, {"decision": "approve"}, follow=True).content.decode()
    client.force_login(approver)
    client.post(decide, {"decision": "approve"})

    assert "approved by a different person than the one who recorded it" in refused
    assert Disclosure.objects.get().status == "approved"
    assert sorted(DisclosureSubject.objects.values_list("subject_kind", "subject_ref")) == [
        ("consignee", "9"),
        ("user", "3"),
    ]
