"""What the documents app stores, for the data inventory (logitrack.privacy).

The row holds facts about a file; the file itself (a waybill with a consignee's name, address
and phone, a photo of a delivery, a recipient's signature) is the stored object its
``storage_key`` names, encrypted under the row's ``file_key``. Both are classified as a camera
image of the consignee, sensitive (ARCHITECTURE: camera images are sensitive data), and go with
the tenant's data: kept while the tenant uses the service, deleted 30 days after it ends.
"""

from __future__ import annotations

from logitrack.privacy.inventory import (
    Erasure,
    FieldClass,
    LegalBasis,
    Purpose,
    Retention,
    Subject,
    not_personal,
    register,
)

_TENANT_DATA = Retention.TENANT_LIFETIME_PLUS_30D


def _file(category: str = "user.sensor.camera_image") -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.CONSIGNEE,
        purpose=Purpose.PROVIDE_SERVICE,
        basis=LegalBasis.CONTRACT,
        retention=_TENANT_DATA,
        erasure=Erasure.DELETE,
        sensitive=True,
    )


register(
    "documents.Document",
    {
        "id": not_personal(retention=_TENANT_DATA),
        "tenant": not_personal(retention=_TENANT_DATA),
        "kind": not_personal(retention=_TENANT_DATA),
        "content_type": not_personal(retention=_TENANT_DATA),
        "size": not_personal(retention=_TENANT_DATA),
        "sha256": not_personal(retention=_TENANT_DATA),
        # Where the encrypted file is, and the key that opens it: the file's content itself.
        "storage_key": _file(),
        "thumbnail_key": _file(),
        # ready / pending / failed / none: whether a preview exists, nothing about the file.
        "thumbnail_state": not_personal(retention=_TENANT_DATA),
        "file_key": _file(),
        # Chosen by whoever uploaded it; often names the consignee or the order.
        "original_name": FieldClass(
            category="user.content.private",
            subject=Subject.CONSIGNEE,
            purpose=Purpose.PROVIDE_SERVICE,
            basis=LegalBasis.CONTRACT,
            retention=_TENANT_DATA,
            erasure=Erasure.DELETE,
        ),
        "shipment": not_personal(retention=_TENANT_DATA),
        "order": not_personal(retention=_TENANT_DATA),
        # Set to null when the uploading account is deleted.
        "uploaded_by": FieldClass(
            category="user.unique_id",
            subject=Subject.USER,
            purpose=Purpose.PROVIDE_SERVICE,
            basis=LegalBasis.CONTRACT,
            retention=_TENANT_DATA,
            erasure=Erasure.DELETE,
        ),
        "created_at": not_personal(retention=_TENANT_DATA),
    },
)


# Proof of delivery: who took the parcel (the recipient's name, encrypted) and, when the driver's
# phone allowed it, where the phone was (precise location, sensitive, encrypted). The photo and
# the signature are documents, classified above.
register(
    "documents.ProofOfDelivery",
    {
        "id": not_personal(retention=_TENANT_DATA),
        "tenant": not_personal(retention=_TENANT_DATA),
        "shipment": not_personal(retention=_TENANT_DATA),
        "event": not_personal(retention=_TENANT_DATA),
        "outcome": not_personal(retention=_TENANT_DATA),
        "recipient_name": FieldClass(
            category="user.name",
            subject=Subject.CONSIGNEE,
            purpose=Purpose.PROVIDE_SERVICE,
            basis=LegalBasis.CONTRACT,
            retention=_TENANT_DATA,
            erasure=Erasure.DELETE,
        ),
        "device_location": FieldClass(
            category="user.location.precise",
            subject=Subject.DRIVER,
            purpose=Purpose.PROVIDE_SERVICE,
            basis=LegalBasis.CONTRACT,
            retention=_TENANT_DATA,
            erasure=Erasure.DELETE,
            sensitive=True,
        ),
        "photo": _file(),
        "signature": _file(),
        "idempotency_key": not_personal(retention=_TENANT_DATA),
        # Set to null when the driver's account is deleted.
        "recorded_by": FieldClass(
            category="user.unique_id",
            subject=Subject.DRIVER,
            purpose=Purpose.PROVIDE_SERVICE,
            basis=LegalBasis.CONTRACT,
            retention=_TENANT_DATA,
            erasure=Erasure.DELETE,
        ),
        "created_at": not_personal(retention=_TENANT_DATA),
    },
)
