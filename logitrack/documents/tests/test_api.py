"""The documents API: downloads are attachments with safe headers; deletes remove the file."""

from __future__ import annotations

import pytest

from logitrack.core.testing import HttpsClient
from logitrack.documents import vault
from logitrack.documents.models import Document
from logitrack.documents.responses import ascii_file_name, content_disposition
from logitrack.documents.services import document_upload
from logitrack.documents.tests import samples
from logitrack.tenancy.models import Membership
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.tests.factories import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in(dispatcher: Membership) -> HttpsClient:
    client = HttpsClient()
    sign_in(client, dispatcher)
    return client


def test_a_download_is_an_attachment_with_nosniff_and_a_sandboxing_csp(
    actor: Principal, signed_in: HttpsClient
) -> None:
    document = document_upload(
        actor=actor, data=b"a,b\n1,2\n", file_name='Đơn "hàng"; tháng 11.csv', kind="other"
    )

    response = signed_in.get(f"/api/v1/documents/{document.pk}/download")

    assert response.status_code == 200
    assert response.content == b"a,b\n1,2\n"
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == (
        'attachment; filename="Don _hang__ thang 11.csv"; '
        "filename*=UTF-8''%C4%90%C6%A1n%20%22h%C3%A0ng%22%3B%20th%C3%A1ng%2011.csv"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        response["Content-Security-Policy"] == "default-src 'none'; sandbox; frame-ancestors 'none'"
    )
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("name", "data", "offered"),
    [
        ("invoice.bat", b"@echo off\r\nstart calc\r\n", "invoice.bat.csv"),
        ("invoice.hta", b"<html><script>alert(1)</script></html>\n", "invoice.hta.csv"),
        ("invoice.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>\n', "invoice.svg.csv"),
        ("scan.jpg", samples.pdf(), "scan.jpg.pdf"),
        ("Hóa đơn.PDF", samples.pdf(), "Hóa đơn.PDF"),
        ("bảng kê.txt", b"a,b\n1,2\n", "bảng kê.txt"),
    ],
)
def test_a_download_is_offered_under_an_extension_of_the_detected_type(
    actor: Principal, signed_in: HttpsClient, name: str, data: bytes, offered: str
) -> None:
    # Text passes as CSV whatever it says; saved under its own name, a .bat or .hta would run
    # as a program on the computer of the colleague who opens it.
    document = document_upload(actor=actor, data=data, file_name=name, kind="invoice")

    response = signed_in.get(f"/api/v1/documents/{document.pk}/download")

    assert response.status_code == 200
    assert response["Content-Disposition"] == content_disposition(offered)
    assert document.original_name == name


def test_a_thumbnail_is_served_inline_as_webp(actor: Principal, signed_in: HttpsClient) -> None:
    document = document_upload(
        actor=actor, data=samples.png((50, 50)), file_name="p.png", kind="pod_photo"
    )

    response = signed_in.get(f"/api/v1/documents/{document.pk}/thumbnail")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Disposition"].startswith("inline;")
    assert response.content[8:12] == b"WEBP"


def test_a_document_whose_file_was_lost_answers_410(
    actor: Principal, signed_in: HttpsClient
) -> None:
    document = document_upload(actor=actor, data=samples.pdf(), file_name="a.pdf", kind="invoice")
    vault.delete(document.storage_key)

    response = signed_in.get(f"/api/v1/documents/{document.pk}/download")

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "document_unavailable"


def test_the_list_shows_the_tenants_documents_newest_first(
    actor: Principal, signed_in: HttpsClient
) -> None:
    first = document_upload(actor=actor, data=samples.pdf(), file_name="a.pdf", kind="invoice")
    second = document_upload(actor=actor, data=samples.png(), file_name="b.png", kind="pod_photo")

    body = signed_in.get("/api/v1/documents").json()

    assert [item["id"] for item in body] == [second.pk, first.pk]
    assert body[0]["thumbnail_url"] == f"/api/v1/documents/{second.pk}/thumbnail"
    assert body[1]["thumbnail_url"] is None
    assert body[1]["file_name"] == "a.pdf"


def test_delete_removes_the_row_and_the_stored_file(
    actor: Principal, signed_in: HttpsClient
) -> None:
    document = document_upload(actor=actor, data=samples.pdf(), file_name="a.pdf", kind="invoice")

    response = signed_in.delete(
        f"/api/v1/documents/{document.pk}", headers={"X-CSRFToken": _csrf(signed_in)}
    )

    assert response.status_code == 204
    assert not Document.dangerously_unscoped.filter(pk=document.pk).exists()
    assert not vault.storage().exists(document.storage_key)


def _csrf(client: HttpsClient) -> str:
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return token


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hóa đơn.pdf", "Hoa don.pdf"),
        ("a/b\\c.pdf", "a_b_c.pdf"),
        ("日本.csv", "__.csv"),
        ("", "document"),
    ],
)
def test_the_ascii_file_name_keeps_letters_and_replaces_the_rest(name: str, expected: str) -> None:
    assert ascii_file_name(name) == expected


def test_a_line_break_cannot_reach_the_disposition_header() -> None:
    header = content_disposition("a\r\nSet-Cookie: x=1.pdf")

    assert "\r" not in header
    assert "\n" not in header
