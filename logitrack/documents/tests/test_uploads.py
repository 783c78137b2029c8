"""The size limit counted while an upload streams in (logitrack.documents.uploads)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.test import RequestFactory, override_settings

from logitrack.documents.errors import FileTooLarge
from logitrack.documents.uploads import read_upload, upload_was_too_large


@override_settings(LOGITRACK_DOCUMENT_MAX_BYTES=100_000)
def test_a_file_over_the_limit_is_skipped_while_streaming_and_the_request_marked() -> None:
    request = RequestFactory().post(
        "/x", {"file": SimpleUploadedFile("big.csv", b"a" * 300_000), "kind": "other"}
    )

    files = request.FILES

    assert "file" not in files
    assert upload_was_too_large(request)
    assert request.POST["kind"] == "other"


@override_settings(LOGITRACK_DOCUMENT_MAX_BYTES=100_000)
def test_a_file_within_the_limit_arrives_whole() -> None:
    request = RequestFactory().post("/x", {"file": SimpleUploadedFile("ok.csv", b"a" * 99_000)})

    upload = request.FILES["file"]

    assert isinstance(upload, UploadedFile)
    assert read_upload(upload) == b"a" * 99_000
    assert not upload_was_too_large(request)


@override_settings(LOGITRACK_DOCUMENT_MAX_BYTES=10)
def test_read_upload_refuses_a_file_over_the_limit() -> None:
    with pytest.raises(FileTooLarge):
        read_upload(SimpleUploadedFile("a.csv", b"a" * 11))


def test_an_upload_route_may_send_a_body_larger_than_other_routes(client: object) -> None:
    from django.conf import settings

    from logitrack.core.testing import HttpsClient

    assert isinstance(client, HttpsClient)
    size = settings.LOGITRACK_MAX_BODY_BYTES + 1
    other = client.post(
        "/account/login/", data=b"x", content_type="text/plain", CONTENT_LENGTH=str(size)
    )
    upload = client.post(
        "/api/v1/shipments/ABC/documents", data=b"x", content_type="text/plain",
        CONTENT_LENGTH=str(size),
    )  # fmt: skip

    assert other.status_code == 413
    assert upload.status_code != 413
