"""RFID: dock doors (a reader's antenna at a dock, with a direction) and tag observations.

A ``TagObservation`` is one de-duplicated sighting of one EPC at one read point (reader +
antenna): the reads of a tag that keeps answering within the tenant's de-duplication window
(``TenantDeviceSettings.rfid_dedup_window_ms``, default 2,000 ms) extend the same observation
(``last_seen``, ``read_count``, ``peak_rssi``) instead of creating new ones, so a pallet left in
the field of an antenna is one event, not hundreds. Observations are exported to partners as
GS1 EPCIS 2.0 ObjectEvents (``eventID`` from ``event_id``).

EPCs are stored as read (``epc_hex``, upper-case hex of the EPC bank, 96-496 bits) and, when the
tag is GS1-encoded (SGTIN-96, SGTIN-198, SSCC-96 and the other schemes of the GS1 EPC Tag Data
Standard that the decoder knows), as the pure-identity URN (``epc_uri``, e.g.
``urn:epc:id:sscc:0614141.1234567890``); ``scheme`` is the URN's scheme or ``raw``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.models import TenantScopedModel


class DockDirection(models.TextChoices):
    # Goods passing an "in" door are unloaded at the place; an "out" door loads them.
    IN = "in", _("In (unloading)")
    OUT = "out", _("Out (loading)")


class DockDoor(TenantScopedModel):
    """A dock door: one antenna of an RFID reader (or all its antennas when ``antenna`` is
    null) at a warehouse or hub, and the direction goods move through it.

    ``place``: the warehouse or hub's name as it appears on shipment timelines. ``location_id``:
    an optional GS1 location (``urn:epc:id:sgln:...``) used as EPCIS ``bizLocation``; when blank
    the export uses a Logitrack URL for the door. Unique per (device, antenna).
    """

    name = models.CharField(_("name"), max_length=100)
    place = models.CharField(_("warehouse or hub"), max_length=100)
    device = models.ForeignKey(
        "tracking.Device",
        on_delete=models.PROTECT,
        related_name="dock_doors",
        verbose_name=_("RFID reader"),
    )
    antenna = models.PositiveSmallIntegerField(_("antenna"), null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=3, choices=DockDirection.choices)
    location_id = models.CharField(_("GS1 location (SGLN)"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("dock door")
        verbose_name_plural = _("dock doors")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "antenna"], name="tracking_dock_door_one_per_antenna"
            ),
            models.UniqueConstraint(
                fields=["device"],
                condition=models.Q(antenna__isnull=True),
                name="tracking_dock_door_one_whole_reader",
            ),
            models.UniqueConstraint(fields=["tenant", "name"], name="tracking_dock_door_name"),
            models.CheckConstraint(
                condition=models.Q(antenna__isnull=True) | models.Q(antenna__gte=1),
                name="tracking_dock_door_antenna_from_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.place})"


class EpcScheme(models.TextChoices):
    SGTIN = "sgtin", _("Trade item (SGTIN)")
    SSCC = "sscc", _("Logistic unit (SSCC)")
    OTHER_GS1 = "gs1", _("Other GS1 identifier")
    RAW = "raw", _("Not GS1-encoded (raw EPC)")


class TagObservation(TenantScopedModel):
    """One de-duplicated sighting of ``epc_hex`` at (``device``, ``antenna``).

    Times: ``first_seen``/``last_seen`` are the reader's read times (its clock; the Zebra
    ``timestamp``), ``received_at`` the server's. ``peak_rssi`` in dBm (the strongest read),
    ``read_count`` the reads merged into this observation. ``dock_door``: the door mapped to the
    read point when the read arrived; ``shipment``: the shipment whose SSCC (or one of whose
    tagged cases) the EPC identifies, when one does; ``driver``: the driver the reader was
    assigned to (a reader in a vehicle), which makes the row a person's data.
    """

    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    device = models.ForeignKey(
        "tracking.Device",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the read-point index below leads with it
        verbose_name=_("RFID reader"),
    )
    antenna = models.PositiveSmallIntegerField(_("antenna"))
    dock_door = models.ForeignKey(
        DockDoor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dock door"),
    )
    driver = models.ForeignKey(
        "tracking.Driver",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("driver"),
    )
    epc_hex = models.CharField(_("EPC (hex)"), max_length=128)
    epc_uri = models.CharField(_("EPC URI"), max_length=200, blank=True)
    scheme = models.CharField(_("EPC scheme"), max_length=8, choices=EpcScheme.choices)
    first_seen = models.DateTimeField(_("first read"))
    last_seen = models.DateTimeField(_("last read"))
    read_count = models.PositiveIntegerField(_("reads"), default=1)
    peak_rssi = models.SmallIntegerField(_("peak RSSI (dBm)"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    shipment = models.ForeignKey(
        "logistics.Shipment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shipment"),
    )

    class Meta:
        verbose_name = _("tag observation")
        verbose_name_plural = _("tag observations")
        indexes = [
            # De-duplication: the open observation of an EPC at a read point.
            models.Index(
                fields=["device", "antenna", "epc_hex", "last_seen"],
                name="tracking_tagobs_read_point",
            ),
            # The EPCIS export: a tenant's events in time order, and by EPC.
            models.Index(fields=["tenant", "first_seen", "id"], name="tracking_tagobs_time"),
            models.Index(fields=["tenant", "epc_uri"], name="tracking_tagobs_epc_uri"),
            models.Index(fields=["tenant", "shipment"], name="tracking_tagobs_shipment"),
            # A door's last read (the dock doors page).
            models.Index(fields=["dock_door", "last_seen"], name="tracking_tagobs_door_seen"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_seen__gte=models.F("first_seen")),
                name="tracking_tagobs_seen_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(read_count__gte=1), name="tracking_tagobs_reads_positive"
            ),
        ]


class ReadBatch(TenantScopedModel):
    """A batch of tag reads already applied: the SHA-256 of its reads as parsed
    (``logitrack.tracking.rfid.ingest.batch_digest``: each read's time, EPC, antenna, RSSI and
    count, sorted; not the body's bytes, so whitespace or a re-serialised JSON changes nothing).

    The same reads sent again by the same reader are a resend (an MQTT QoS 1 redelivery, an HTTP
    POST repeated after a lost answer: a reader's next batch has later read times). A resend is
    answered as a duplicate and applied nowhere, so ``read_count`` does not count its reads
    twice. Receipts are kept for ``logitrack.tracking.rfid.observations.RECEIPT_TTL`` (24
    hours); a resend later than that is applied again.
    """

    device = models.ForeignKey(
        "tracking.Device",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("RFID reader"),
        db_index=False,  # the unique constraint below leads with it
    )
    digest = models.CharField(_("SHA-256 of the reads"), max_length=64)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("tag read batch")
        verbose_name_plural = _("tag read batches")
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="tracking_readbatch_once"),
        ]
        indexes = [
            models.Index(fields=["device", "received_at"], name="tracking_readbatch_age"),
        ]


class ShipmentTag(TenantScopedModel):
    """An EPC attached to a shipment other than its SSCC: the SGTIN of a case on the pallet.

    Reads of the case move the shipment as reads of its SSCC do. ``epc_uri`` is the
    pure-identity URN (unique per tenant: one case belongs to one shipment).
    """

    shipment = models.ForeignKey(
        "logistics.Shipment",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("shipment"),
    )
    epc_uri = models.CharField(_("EPC URI"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shipment tag")
        verbose_name_plural = _("shipment tags")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "epc_uri"], name="tracking_shipment_tag_unique"
            )
        ]


__all__ = ["DockDirection", "DockDoor", "EpcScheme", "ShipmentTag", "TagObservation"]
