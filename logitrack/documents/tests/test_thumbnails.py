"""Previews of documents: images at upload, a PDF's first page in the background job; a damaged
PDF or a decompression bomb leaves a clear ``failed`` state, never a refused upload or a 500."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from PIL import Image

from logitrack.core.tenant import tenant_context
from logitrack.core.testing import HttpsClient
from logitrack.documents import pdfium_child, vault
from logitrack.documents.errors import DecompressionBomb, FileDamaged, ThumbnailNotAvailable
from logitrack.documents.models import Document
from logitrack.documents.pdfpreview import first_page_png, pdf_thumbnail
from logitrack.documents.services import document_read, document_upload
from logitrack.documents.tasks import document_thumbnail_render
from logitrack.documents.tests import samples
from logitrack.documents.thumbnails import document_thumbnail_make
from logitrack.logistics.models import Shipment
from logitrack.tenancy.models import Membership, Tenant
from logitrack.tenancy.principal import Principal
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _stored() -> set[str]:
    storage = vault.storage()
    found: set[str] = set()

    def walk(path: str) -> None:
        if not storage.exists(path):
            return
        dirs, files = storage.listdir(path)
        found.update(f"{path}/{name}" for name in files)
        for name in dirs:
            walk(f"{path}/{name}")

    walk("documents")
    return found


def _picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_first_page_of_a_pdf_is_drawn_locally_as_a_small_png() -> None:
    picture = _picture(first_page_png(samples.pdf_page()))

    # A4 is 595 x 842 pt: the longer side becomes 320 px, the shorter 226 or 227.
    assert picture.format == "PNG"
    assert picture.height == 320
    assert picture.width in (226, 227)
    # Left half red (reportlab's 0.9, 0.1, 0.1), right half white.
    assert picture.convert("RGB").getpixel((20, 160)) == (230, 26, 26)
    assert picture.convert("RGB").getpixel((200, 20)) == (255, 255, 255)


def test_a_truncated_pdf_is_damaged_and_an_image_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(FileDamaged):
        pdf_thumbnail(samples.pdf_truncated())
    with pytest.raises(DecompressionBomb):
        pdf_thumbnail(samples.pdf_image_bomb())
    # The same image within the cap is drawn: the refusal is the pixel count, not the PDF.
    assert _picture(pdf_thumbnail(samples.pdf_image_bomb(2_000, 1_000))).format == "WEBP"


def test_the_child_refuses_a_page_larger_than_the_pdf_standard_allows() -> None:
    huge = samples.pdf_image_bomb(10, 10).replace(b"[0 0 600 600]", b"[0 0 90000 90000]")

    status, png = pdfium_child.draw_first_page(huge, 50_000_000)

    assert (status, png) == (pdfium_child.EXIT_BOMB, b"")


def test_an_uploaded_pdf_gets_its_preview_from_the_background_job(
    actor: Principal, shipment: Shipment
) -> None:
    document = document_upload(
        actor=actor,
        data=samples.pdf_page(),
        file_name="hóa đơn.pdf",
        kind="invoice",
        shipment=shipment,
    )

    # Returned at once with the preview pending; the job ran when the upload committed.
    assert document.thumbnail_state == "pending"
    assert document.thumbnail_key == ""
    document.refresh_from_db()
    assert document.thumbnail_state == "ready"
    assert document.thumbnail_key.startswith(f"documents/t{actor.tenant_id}/")
    assert document.thumbnail_key.endswith(".thumb")
    thumbnail = document_read(actor=actor, document=document, thumbnail=True)
    picture = _picture(thumbnail)
    assert picture.format == "WEBP"
    assert picture.size[1] == 320
    # Stored encrypted like the file: the WebP's bytes are not in the stored object.
    stored = vault.get(document.thumbnail_key)
    assert stored.startswith(vault.MAGIC)
    assert thumbnail[:64] not in stored
    assert document_read(actor=actor, document=document) == samples.pdf_page()


@pytest.mark.parametrize(
    "data",
    [samples.pdf_truncated(), samples.pdf_image_bomb()],
    ids=["damaged", "decompression-bomb"],
)
def test_a_pdf_that_cannot_be_drawn_is_stored_with_a_failed_preview(
    actor: Principal, data: bytes
) -> None:
    before = _stored()

    document = document_upload(actor=actor, data=data, file_name="x.pdf", kind="invoice")

    document.refresh_from_db()
    assert document.thumbnail_state == "failed"
    assert document.thumbnail_key == ""
    assert _stored() - before == {document.storage_key}
    assert document_read(actor=actor, document=document) == data
    with pytest.raises(ThumbnailNotAvailable) as refused:
        document_read(actor=actor, document=document, thumbnail=True)
    assert refused.value.state == "failed"


def test_images_have_their_preview_at_upload_and_spreadsheets_none(actor: Principal) -> None:
    image = document_upload(
        actor=actor, data=samples.png((40, 40)), file_name="a.png", kind="other"
    )
    sheet = document_upload(actor=actor, data=b"a,b\n1,2\n", file_name="b.csv", kind="other")

    assert (image.thumbnail_state, bool(image.thumbnail_key)) == ("ready", True)
    assert (sheet.thumbnail_state, sheet.thumbnail_key) == ("none", "")


def test_the_job_draws_a_preview_once_however_often_it_runs(actor: Principal) -> None:
    document = document_upload(
        actor=actor, data=samples.pdf_page(), file_name="a.pdf", kind="other"
    )
    document.refresh_from_db()
    key, stored = document.thumbnail_key, _stored()

    again = document_thumbnail_render.call(int(document.pk), int(document.tenant_id))

    document.refresh_from_db()
    assert again == "ready"
    assert document.thumbnail_key == key
    assert _stored() == stored


def test_the_job_of_another_tenant_finds_nothing(actor: Principal, tenant: Tenant) -> None:
    document = document_upload(
        actor=actor, data=samples.pdf_page(), file_name="a.pdf", kind="other"
    )
    Document.objects.filter(pk=document.pk).update(thumbnail_state="pending", thumbnail_key="")
    other = make_tenant()
    stored = _stored()

    with tenant_context(other):
        answer = document_thumbnail_make(document_id=int(document.pk))

    assert answer == "missing"
    assert Document.objects.get(pk=document.pk).thumbnail_state == "pending"
    assert _stored() == stored


def _client(membership: Membership) -> HttpsClient:
    client = HttpsClient()
    sign_in(client, membership)
    return client


def test_the_thumbnail_route_serves_a_pdf_preview_privately_and_says_why_there_is_none(
    actor: Principal, dispatcher: Membership
) -> None:
    pdf = document_upload(actor=actor, data=samples.pdf_page(), file_name="a.pdf", kind="other")
    broken = document_upload(
        actor=actor, data=samples.pdf_truncated(), file_name="b.pdf", kind="other"
    )
    sheet = document_upload(actor=actor, data=b"a,b\n", file_name="c.csv", kind="other")
    client = _client(dispatcher)

    ok = client.get(f"/api/v1/documents/{pdf.pk}/thumbnail")
    failed = client.get(f"/api/v1/documents/{broken.pk}/thumbnail")
    none = client.get(f"/api/v1/documents/{sheet.pk}/thumbnail")
    listed = {d["id"]: d for d in client.get("/api/v1/documents").json()}

    assert ok.status_code == 200
    assert ok["Content-Type"] == "image/webp"
    assert ok["X-Content-Type-Options"] == "nosniff"
    assert ok["Cache-Control"] == "private, no-store"
    assert ok["Content-Disposition"].startswith("inline;")
    assert _picture(ok.content).format == "WEBP"
    assert failed.status_code == 404
    assert failed.json()["error"]["code"] == "thumbnail_not_available"
    assert failed.json()["error"]["thumbnail_state"] == "failed"
    assert none.json()["error"]["thumbnail_state"] == "none"
    assert [listed[d.pk]["thumbnail_state"] for d in (pdf, broken, sheet)] == [
        "ready",
        "failed",
        "none",
    ]
    assert listed[pdf.pk]["thumbnail_url"] == f"/api/v1/documents/{pdf.pk}/thumbnail"
    assert listed[broken.pk]["thumbnail_url"] is None


def test_the_shipment_page_shows_pdf_previews_and_the_state_of_a_failed_one(
    actor: Principal, dispatcher: Membership, shipment: Shipment
) -> None:
    pdf = document_upload(
        actor=actor, data=samples.pdf_page(), file_name="a.pdf", kind="invoice", shipment=shipment
    )
    broken = document_upload(
        actor=actor,
        data=samples.pdf_truncated(),
        file_name="b.pdf",
        kind="other",
        shipment=shipment,
    )
    client = _client(dispatcher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"

    page = client.get(f"/operations/shipments/{shipment.waybill}/").content.decode()

    assert f'src="/api/v1/documents/{pdf.pk}/thumbnail"' in page
    assert f'src="/api/v1/documents/{broken.pk}/thumbnail"' not in page
    assert 'data-thumbnail-state="failed">Không có bản xem trước: không đọc được tệp</span>' in page


def test_the_driver_sees_the_previews_of_the_waybill_and_proofs_but_not_of_invoices(
    actor: Principal, tenant: Tenant, shipment: Shipment
) -> None:
    waybill = document_upload(
        actor=actor,
        data=samples.png((60, 40)),
        file_name="w.png",
        kind="waybill_image",
        shipment=shipment,
    )
    invoice = document_upload(
        actor=actor, data=samples.pdf_page(), file_name="i.pdf", kind="invoice", shipment=shipment
    )
    driver = _client(make_member(tenant, Role.DRIVER))
    base = f"/driver/shipments/{shipment.waybill}"

    page = driver.get(f"{base}/").content.decode()
    shown = driver.get(f"{base}/documents/{waybill.pk}/thumbnail/")
    hidden = driver.get(f"{base}/documents/{invoice.pk}/thumbnail/")
    through_api = driver.get(f"/api/v1/documents/{waybill.pk}/thumbnail")

    assert f'src="{base}/documents/{waybill.pk}/thumbnail/"' in page
    assert f"/documents/{invoice.pk}/" not in page
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/webp"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert shown["Cache-Control"] == "private, no-store"
    assert hidden.status_code == 404
    assert through_api.status_code == 403


def test_the_drivers_preview_route_refuses_a_document_of_another_shipment(
    actor: Principal, tenant: Tenant, shipment: Shipment
) -> None:
    from logitrack.logistics.tests.factories import make_order_row, make_shipment_row, make_shipper

    other = make_shipment_row(make_order_row(make_shipper(tenant)))
    photo = document_upload(
        actor=actor, data=samples.png((20, 20)), file_name="p.png", kind="pod_photo", shipment=other
    )
    driver = _client(make_member(tenant, Role.DRIVER))

    through_this = driver.get(
        f"/driver/shipments/{shipment.waybill}/documents/{photo.pk}/thumbnail/"
    )
    through_its_own = driver.get(
        f"/driver/shipments/{other.waybill}/documents/{photo.pk}/thumbnail/"
    )

    assert through_this.status_code == 404
    assert through_its_own.status_code == 200
