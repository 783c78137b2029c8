"""Documents: uploaded files (waybill images, proof-of-delivery photos and signatures, invoices)
stored encrypted under a server-generated key (``vault``), with the facts about them here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from logitrack.core.crypto.fields import EncryptedTextField
from logitrack.core.models import TenantScopedModel


class DocumentKind(models.TextChoices):
    WAYBILL_IMAGE = "waybill_image", _("Waybill image")
    POD_PHOTO = "pod_photo", _("Proof-of-delivery photo")
    POD_SIGNATURE = "pod_signature", _("Recipient's signature")
    INVOICE = "invoice", _("Invoice")
    CAMERA_SNAPSHOT = "camera_snapshot", _("Camera snapshot")
    OTHER = "other", _("Other")


class ThumbnailState(models.TextChoices):
    """Where a document's preview stands.

    ``ready``: ``thumbnail_key`` names it; ``pending``: a PDF whose first page the background job
    has not drawn yet; ``failed``: the job could not draw it (a damaged PDF, a decompression
    bomb, a renderer that ran out of its limits); ``none``: the type has no preview (CSV, XLSX).
    """

    READY = "ready", _("Preview ready")
    PENDING = "pending", _("Preview being prepared")
    FAILED = "failed", _("No preview: the file could not be drawn")
    NONE = "none", _("No preview for this type of file")


class Document(TenantScopedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    # Decided from the bytes (documents.filetypes), never from the client.
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    # SHA-256 of the stored plaintext (after re-encoding), hex: duplicates and integrity.
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_key = models.CharField(_("storage key"), max_length=200, unique=True, editable=False)
    thumbnail_key = models.CharField(_("thumbnail key"), max_length=200, blank=True, editable=False)
    thumbnail_state = models.CharField(
        _("preview"),
        max_length=10,
        choices=ThumbnailState.choices,
        default=ThumbnailState.NONE,
        editable=False,
    )
    # The document's own AES-256 key (base64), sealed under the tenant's data key.
    file_key = EncryptedTextField(_("file key"), key_owner="tenant", editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    # What the document belongs to: a shipment (waybill images, proof of delivery) or an order.
    shipment = models.ForeignKey(
        "logistics.Shipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shipment"),
    )
    order = models.ForeignKey(
        "logistics.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(fields=["tenant", "created_at"], name="documents_tenant_created"),
            models.Index(fields=["tenant", "shipment", "created_at"], name="documents_shipment"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "waybill_image",
                        "pod_photo",
                        "pod_signature",
                        "invoice",
                        "camera_snapshot",
                        "other",
                    ]
                ),
                name="documents_document_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(size__gt=0), name="documents_document_size_positive"
            ),
            # A preview is ready exactly when its stored object is named.
            models.CheckConstraint(
                condition=(
                    models.Q(thumbnail_state="ready") & ~models.Q(thumbnail_key="")
                    | models.Q(thumbnail_state__in=["pending", "failed", "none"], thumbnail_key="")
                ),
                name="documents_document_thumbnail_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"document #{self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class PodOutcome(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    FAILED_ATTEMPT = "failed_attempt", _("Delivery attempt failed")


class ProofOfDelivery(TenantScopedModel):
    """What a driver recorded at the door: delivered (with a photo and/or a signature and the
    recipient's name) or a failed attempt (its reason is on the event).

    ``idempotency_key`` is the form's: a repeated submit finds this row and records nothing more.
    The optional device location is the phone's, kept encrypted as ``"lat,lon,accuracy_m"``.
    """

    shipment = models.ForeignKey(
        "logistics.Shipment", on_delete=models.PROTECT, related_name="+", verbose_name=_("shipment")
    )
    event = models.ForeignKey(
        "logistics.ShipmentEvent",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shipment event"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=PodOutcome.choices)
    recipient_name = EncryptedTextField(
        _("recipient's name"), key_owner="tenant", blank=True, default=""
    )
    device_location = EncryptedTextField(
        _("device location"), key_owner="tenant", blank=True, default=""
    )
    photo = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("photo"),
    )
    signature = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signature"),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("proof of delivery")
        verbose_name_plural = _("proofs of delivery")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"], name="documents_pod_idempotency_key"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=["delivered", "failed_attempt"]),
                name="documents_pod_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"proof of delivery #{self.pk}"
