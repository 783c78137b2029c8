"""Uploading, storing, reading and deleting documents (logitrack.documents.services)."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from PIL import Image

from logitrack.core.errors import NotFound
from logitrack.core.tenant import tenant_context
from logitrack.documents import vault
from logitrack.documents.access import access_document_by_id
from logitrack.documents.errors import (
    DecompressionBomb,
    DocumentKindInvalid,
    DocumentUnavailable,
    FileEmpty,
    FileNameInvalid,
    FileTooLarge,
    FileTypeNotAllowed,
    ThumbnailNotAvailable,
)
from logitrack.documents.models import Document
from logitrack.documents.services import document_delete, document_read, document_upload
from logitrack.documents.tests import samples
from logitrack.security.models import AuditEntry
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for

pytestmark = pytest.mark.django_db(transaction=True)


def _count() -> int:
    return Document.dangerously_unscoped.count()


def _refused(actor: Principal, error: type[Exception], data: bytes, name: str = "f.bin") -> None:
    before_rows, before_files = _count(), samples.stored_files()
    with pytest.raises(error):
        document_upload(actor=actor, data=data, file_name=name, kind="other")
    assert (_count(), samples.stored_files()) == (before_rows, before_files)


def test_an_executable_named_jpg_is_refused_and_nothing_is_stored(actor: Principal) -> None:
    _refused(actor, FileTypeNotAllowed, samples.ELF_HEADER, "photo.jpg")


def test_a_windows_executable_named_pdf_is_refused(actor: Principal) -> None:
    _refused(actor, FileTypeNotAllowed, b"MZ\x90\x00" + b"\x00" * 300, "invoice.pdf")


def test_an_empty_file_is_refused(actor: Principal) -> None:
    _refused(actor, FileEmpty, b"", "empty.csv")


@override_settings(LOGITRACK_DOCUMENT_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused(actor: Principal) -> None:
    _refused(actor, FileTooLarge, b"a,b\n" * 251, "big.csv")


@override_settings(LOGITRACK_DOCUMENT_MAX_BYTES=1000)
def test_a_file_of_exactly_the_size_limit_is_accepted(actor: Principal) -> None:
    document = document_upload(actor=actor, data=b"a,b\n" * 250, file_name="ok.csv", kind="other")

    assert document.size == 1000


def test_a_decompression_bomb_png_is_refused_before_decoding(actor: Principal) -> None:
    _refused(actor, DecompressionBomb, samples.png_bomb(), "bomb.png")


def test_an_xlsx_zip_bomb_is_refused(actor: Principal) -> None:
    _refused(actor, DecompressionBomb, samples.xlsx_bomb(), "orders.xlsx")


def test_a_zip_that_is_not_a_workbook_is_refused(actor: Principal) -> None:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.exe", b"MZ")
    _refused(actor, FileTypeNotAllowed, out.getvalue(), "orders.xlsx")


def test_an_unknown_kind_is_refused(actor: Principal) -> None:
    before = _count()
    with pytest.raises(DocumentKindInvalid):
        document_upload(actor=actor, data=samples.pdf(), file_name="a.pdf", kind="passport")
    assert _count() == before


def test_a_file_name_with_a_nul_character_is_refused(actor: Principal) -> None:
    _refused(actor, FileNameInvalid, samples.pdf(), "hóa đơn\x00.pdf")


def test_a_file_name_with_a_bidi_override_is_refused(actor: Principal) -> None:
    _refused(actor, FileNameInvalid, samples.pdf(), "invoice\u202egpj.exe")


def test_a_vietnamese_file_name_is_kept_composed_and_without_its_path(actor: Principal) -> None:
    document = document_upload(
        actor=actor,
        data=samples.pdf(),
        file_name="C:\\Users\\an\\Hóa đơn tháng 11.pdf".replace("ó", "o\u0301"),
        kind="invoice",
    )

    assert document.original_name == "Hóa đơn tháng 11.pdf"
    assert document.content_type == "application/pdf"


def test_the_type_comes_from_the_bytes_not_the_name(actor: Principal) -> None:
    document = document_upload(actor=actor, data=samples.pdf(), file_name="scan.jpg", kind="other")

    assert document.content_type == "application/pdf"
    assert document.original_name == "scan.jpg"


def test_a_csv_and_an_xlsx_are_accepted(actor: Principal) -> None:
    csv = document_upload(
        actor=actor, data="Họ tên,SĐT\nAn,0901234567\n".encode(), file_name="a.csv", kind="other"
    )
    workbook = document_upload(actor=actor, data=samples.xlsx(), file_name="b.xlsx", kind="other")

    assert (csv.content_type, workbook.content_type) == (
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def test_gps_exif_and_text_chunks_are_gone_after_re_encoding(actor: Principal) -> None:
    original = samples.png_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(samples.GPS_IFD)  # given

    document = document_upload(actor=actor, data=original, file_name="pod.png", kind="pod_photo")
    stored = document_read(actor=actor, document=document)

    image = Image.open(io.BytesIO(stored))
    assert image.format == "PNG"
    assert image.size == (40, 30)
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert "Comment" not in image.info
    assert b"PhoneMaker" not in stored
    assert b"Le Loi" not in stored


def test_a_jpeg_is_turned_upright_before_its_exif_is_dropped(actor: Principal) -> None:
    document = document_upload(
        actor=actor, data=samples.jpeg_rotated(), file_name="w.jpg", kind="waybill_image"
    )

    image = Image.open(io.BytesIO(document_read(actor=actor, document=document)))
    assert (image.format, image.size) == ("JPEG", (20, 60))
    assert dict(image.getexif()) == {}


def test_an_image_gets_an_encrypted_webp_thumbnail(actor: Principal) -> None:
    document = document_upload(
        actor=actor, data=samples.png((1200, 600)), file_name="p.png", kind="pod_photo"
    )

    thumbnail = Image.open(
        io.BytesIO(document_read(actor=actor, document=document, thumbnail=True))
    )
    assert (thumbnail.format, thumbnail.size) == ("WEBP", (320, 160))
    assert vault.get(document.thumbnail_key).startswith(vault.MAGIC)


def test_a_pdf_without_pages_is_stored_and_has_no_thumbnail(actor: Principal) -> None:
    document = document_upload(actor=actor, data=samples.pdf(), file_name="a.pdf", kind="invoice")

    document.refresh_from_db()
    assert document.thumbnail_key == ""
    assert document.thumbnail_state == "failed"
    with pytest.raises(ThumbnailNotAvailable):
        document_read(actor=actor, document=document, thumbnail=True)
    assert document_read(actor=actor, document=document) == samples.pdf()


def test_stored_bytes_do_not_contain_the_plaintext(actor: Principal) -> None:
    secret = "Nguyễn Thị Bình,0901234567,12 Lê Lợi\n".encode()

    document = document_upload(actor=actor, data=secret * 20, file_name="c.csv", kind="other")

    stored = vault.get(document.storage_key)
    assert b"0901234567" not in stored
    assert "Lê Lợi".encode() not in stored
    assert document_read(actor=actor, document=document) == secret * 20


def test_the_storage_key_is_server_generated_and_tenant_prefixed(actor: Principal) -> None:
    document = document_upload(
        actor=actor, data=samples.pdf(), file_name="../../x.pdf", kind="other"
    )

    assert document.storage_key.startswith(f"documents/t{actor.tenant_id}/")
    assert "x.pdf" not in document.storage_key
    assert document.original_name == "x.pdf"


def test_a_stored_object_moved_to_another_key_does_not_open(actor: Principal) -> None:
    first = document_upload(actor=actor, data=samples.pdf(), file_name="a.pdf", kind="other")
    second = document_upload(actor=actor, data=b"x,y\n", file_name="b.csv", kind="other")
    vault.delete(second.storage_key)
    vault.put(second.storage_key, vault.get(first.storage_key))

    with pytest.raises(DocumentUnavailable):
        document_read(actor=actor, document=second)


def test_upload_and_delete_are_audited_and_delete_removes_the_files(actor: Principal) -> None:
    document = document_upload(
        actor=actor, data=samples.png(), file_name="s.png", kind="pod_signature"
    )
    keys = [document.storage_key, document.thumbnail_key]
    assert all(vault.storage().exists(key) for key in keys)

    document_delete(actor=actor, document=document)

    assert not Document.dangerously_unscoped.filter(pk=document.pk).exists()
    assert not any(vault.storage().exists(key) for key in keys)
    actions = list(
        AuditEntry.objects.filter(object_type="document", object_id=str(document.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["document_uploaded", "document_deleted"]


def test_a_rolled_back_delete_keeps_the_file(actor: Principal) -> None:
    from django.db import transaction

    document = document_upload(actor=actor, data=samples.pdf(), file_name="a.pdf", kind="other")

    def delete_then_fail() -> None:
        with transaction.atomic():
            document_delete(actor=actor, document=document)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        delete_then_fail()

    assert Document.dangerously_unscoped.filter(pk=document.pk).exists()
    assert vault.storage().exists(document.storage_key)


def test_another_tenants_document_id_is_not_found(actor: Principal) -> None:
    other = make_tenant()
    other_member = make_member(other, Role.OWNER)
    with tenant_context(other):
        foreign = document_upload(
            actor=principal_for(other_member), data=samples.pdf(), file_name="a.pdf", kind="other"
        )

    with pytest.raises(NotFound) as missing:
        access_document_by_id(actor, foreign.pk)
    with pytest.raises(NotFound) as nonexistent:
        access_document_by_id(actor, foreign.pk + 1000)
    assert missing.value.code == nonexistent.value.code == "document_not_found"


def test_a_driver_cannot_reach_documents_through_the_dispatcher_access(actor: Principal) -> None:
    document = document_upload(actor=actor, data=samples.pdf(), file_name="a.pdf", kind="other")
    assert actor.tenant is not None
    driver = principal_for(make_member(actor.tenant, Role.DRIVER))

    with pytest.raises(NotFound):
        access_document_by_id(driver, document.pk)
