"""Shippers, orders, their items, shipments (parcels) and the shipment timeline.

The consignee's name, phone, e-mail and delivery street are encrypted under the tenant's key
(ADR 0005); the phone has a blind index for exact search. Addresses use the 2025 units (province
and commune/ward codes of ``vietnam-provinces``); ``*_legacy_text`` keeps the old three-level
form a converted address was given in, because drivers and sellers still use it. Every bound is
also a database CHECK so that SQLite and PostgreSQL refuse what validation would refuse.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logitrack.core.crypto.fields import (
    BlindIndexField,
    EncryptedPhoneNumberField,
    EncryptedTextField,
)
from logitrack.core.models import TenantScopedModel, tenant_key
from logitrack.logistics import limits
from logitrack.logistics.status import (
    DeliveryOfferReason,
    EventKind,
    EventSource,
    FailureReason,
    ServiceLevel,
    ShipmentStatus,
)


def _in(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": [c.value for c in choices]})


def _coordinates(prefix: str, name: str) -> list[models.BaseConstraint]:
    lat, lon = f"{prefix}latitude", f"{prefix}longitude"
    return [
        models.CheckConstraint(
            condition=Q(**{f"{lat}__isnull": True, f"{lon}__isnull": True})
            | Q(
                **{
                    f"{lat}__isnull": False,
                    f"{lon}__isnull": False,
                    f"{lat}__gte": -90,
                    f"{lat}__lte": 90,
                    f"{lon}__gte": -180,
                    f"{lon}__lte": 180,
                }
            ),
            name=name,
        )
    ]


class LogisticsSettings(TenantScopedModel):
    """Per-tenant numbering: the waybill prefix and the GS1 data behind SSCC numbers.

    ``waybill_prefix`` is unique across tenants and never changes once given, so a waybill
    (prefix + random body + check character) is unique across tenants as well (ADR 0019).
    """

    waybill_prefix = models.CharField(_("waybill prefix"), max_length=4, unique=True)
    gs1_company_prefix = models.CharField(_("GS1 company prefix"), max_length=12, blank=True)
    sscc_extension_digit = models.PositiveSmallIntegerField(_("SSCC extension digit"), default=0)
    sscc_next_serial = models.BigIntegerField(_("next SSCC serial reference"), default=1)

    class Meta:
        verbose_name = _("logistics settings")
        verbose_name_plural = _("logistics settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="logistics_settings_one_per_tenant"),
            models.CheckConstraint(
                condition=Q(waybill_prefix__regex=r"^[A-HJKMNP-TV-Z]{2,4}$"),
                name="logistics_settings_prefix_alphabet",
            ),
            models.CheckConstraint(
                condition=Q(gs1_company_prefix="") | Q(gs1_company_prefix__regex=r"^[0-9]{6,12}$"),
                name="logistics_settings_gs1_prefix_digits",
            ),
            models.CheckConstraint(
                condition=Q(sscc_extension_digit__lte=9), name="logistics_settings_extension_digit"
            ),
            models.CheckConstraint(
                condition=Q(sscc_next_serial__gte=1), name="logistics_settings_serial_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"logistics settings #{self.pk}"


class Shipper(TenantScopedModel):
    """The tenant's customer who sends goods (a shop, a seller, a factory)."""

    name = models.CharField(_("name"), max_length=limits.NAME_MAX)
    phone = EncryptedPhoneNumberField(_("phone number"), key_owner="tenant", blank=True, default="")
    email = EncryptedTextField(_("email"), key_owner="tenant", blank=True, default="")
    street = models.CharField(_("street address"), max_length=limits.STREET_MAX)
    ward_code = models.PositiveIntegerField(_("commune or ward"))
    province_code = models.PositiveSmallIntegerField(_("province"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shipper")
        verbose_name_plural = _("shippers")
        indexes = [models.Index(fields=["tenant", "name"], name="logistics_shipper_name")]

    def __str__(self) -> str:
        return f"shipper #{self.pk}"


class Order(TenantScopedModel):
    """What a shipper asks to be carried to one consignee; produces one or more shipments."""

    tenant = tenant_key(db_index=False)  # its indexes all lead with the tenant
    shipper = models.ForeignKey(
        Shipper, on_delete=models.PROTECT, related_name="orders", verbose_name=_("shipper")
    )
    reference = models.CharField(
        _("customer reference"), max_length=limits.REFERENCE_MAX, blank=True, default=""
    )
    # Pickup: the shipper's or a warehouse's place, not a consignee's.
    pickup_street = models.CharField(_("pickup street address"), max_length=limits.STREET_MAX)
    pickup_ward_code = models.PositiveIntegerField(_("pickup commune or ward"))
    pickup_province_code = models.PositiveSmallIntegerField(_("pickup province"))
    # NULL: the address was given in the 2025 form; otherwise the old form it was converted from.
    pickup_legacy_text = models.CharField(  # noqa: DJ001
        _("pickup address in the old form"),
        max_length=limits.LEGACY_ADDRESS_MAX,
        null=True,
        blank=True,
    )
    pickup_latitude = models.DecimalField(
        _("pickup latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    pickup_longitude = models.DecimalField(
        _("pickup longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Delivery: the consignee's place; the street and the old form are encrypted.
    delivery_street = EncryptedTextField(_("delivery street address"), key_owner="tenant")
    delivery_ward_code = models.PositiveIntegerField(_("delivery commune or ward"))
    delivery_province_code = models.PositiveSmallIntegerField(_("delivery province"))
    delivery_legacy_text = EncryptedTextField(
        _("delivery address in the old form"), key_owner="tenant", null=True, blank=True
    )
    delivery_latitude = models.DecimalField(
        _("delivery latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    delivery_longitude = models.DecimalField(
        _("delivery longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    consignee_name = EncryptedTextField(_("consignee name"), key_owner="tenant")
    consignee_phone = EncryptedPhoneNumberField(_("consignee phone number"), key_owner="tenant")
    consignee_phone_index = BlindIndexField(
        _("consignee phone search index"), source="consignee_phone", db_index=False
    )
    consignee_email = EncryptedTextField(
        _("consignee email"), key_owner="tenant", blank=True, default=""
    )
    service_level = models.CharField(
        _("service level"), max_length=16, choices=ServiceLevel.choices
    )
    cod_amount_vnd = models.BigIntegerField(_("cash on delivery (VND)"), default=0)
    declared_value_vnd = models.BigIntegerField(_("declared value (VND)"), default=0)
    pickup_window_start = models.DateTimeField(_("pickup from"), null=True, blank=True)
    pickup_window_end = models.DateTimeField(_("pickup until"), null=True, blank=True)
    delivery_window_start = models.DateTimeField(_("deliver from"), null=True, blank=True)
    delivery_window_end = models.DateTimeField(_("deliver until"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=limits.NOTES_MAX, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_by_api_key = models.ForeignKey(
        "tenancy.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by API key"),
    )
    # NULL when the client sent none: NULLs never collide in the unique constraint.
    idempotency_key = models.CharField(  # noqa: DJ001
        _("idempotency key"), max_length=limits.IDEMPOTENCY_KEY_MAX, null=True, blank=True
    )
    # SHA-256 of the request that used the key: the same key with another body is refused.
    idempotency_fingerprint = models.CharField(
        _("idempotency fingerprint"), max_length=64, blank=True, default=""
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="logistics_order_recent"),
            models.Index(fields=["tenant", "reference"], name="logistics_order_reference"),
            # A consignee's orders by phone (the blind index), within the tenant.
            models.Index(fields=["tenant", "consignee_phone_index"], name="logistics_order_phone"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"], name="logistics_order_idempotency_key"
            ),
            models.CheckConstraint(
                condition=Q(cod_amount_vnd__gte=0, cod_amount_vnd__lte=limits.MONEY_MAX_VND),
                name="logistics_order_cod_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    declared_value_vnd__gte=0, declared_value_vnd__lte=limits.MONEY_MAX_VND
                ),
                name="logistics_order_declared_value_range",
            ),
            models.CheckConstraint(
                condition=_in("service_level", ServiceLevel), name="logistics_order_service_level"
            ),
            models.CheckConstraint(
                condition=Q(pickup_window_start__isnull=True)
                | Q(pickup_window_end__isnull=True)
                | Q(pickup_window_end__gt=models.F("pickup_window_start")),
                name="logistics_order_pickup_window_order",
            ),
            models.CheckConstraint(
                condition=Q(delivery_window_start__isnull=True)
                | Q(delivery_window_end__isnull=True)
                | Q(delivery_window_end__gt=models.F("delivery_window_start")),
                name="logistics_order_delivery_window_order",
            ),
            *_coordinates("pickup_", "logistics_order_pickup_coordinates"),
            *_coordinates("delivery_", "logistics_order_delivery_coordinates"),
        ]

    def __str__(self) -> str:
        return f"order #{self.pk}"


class OrderItem(TenantScopedModel):
    tenant = tenant_key(db_index=False)  # its indexes all lead with the tenant
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="items", verbose_name=_("order")
    )
    position = models.PositiveSmallIntegerField(_("line"))
    description = models.CharField(_("description"), max_length=limits.DESCRIPTION_MAX)
    quantity = models.PositiveIntegerField(_("quantity"))
    declared_value_vnd = models.BigIntegerField(_("declared value (VND)"), default=0)

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "order", "position"], name="logistics_orderitem_line_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=limits.QUANTITY_MAX),
                name="logistics_orderitem_quantity_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    declared_value_vnd__gte=0, declared_value_vnd__lte=limits.MONEY_MAX_VND
                ),
                name="logistics_orderitem_declared_value_range",
            ),
        ]

    def __str__(self) -> str:
        return f"order item #{self.pk}"


class Shipment(TenantScopedModel):
    """One parcel (or pallet) of an order, known outside by its waybill number.

    ``service_level`` and ``delivery_province_code`` repeat the order's, written by the same
    services in the same transaction, so the shipments list filters without a join.
    """

    tenant = tenant_key(db_index=False)  # its indexes all lead with the tenant
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order")
    )
    parcel_number = models.PositiveSmallIntegerField(_("parcel number"), default=1)
    waybill = models.CharField(_("waybill number"), max_length=16)
    # Pallets only; NULL for parcels, so that the unique constraint ignores them.
    sscc = models.CharField(_("SSCC"), max_length=18, null=True, blank=True)  # noqa: DJ001
    weight_g = models.PositiveIntegerField(_("weight (g)"))
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    service_level = models.CharField(
        _("service level"), max_length=16, choices=ServiceLevel.choices
    )
    delivery_province_code = models.PositiveSmallIntegerField(_("delivery province"))
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.CREATED
    )
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    current_place = models.CharField(
        _("current place"), max_length=limits.PLACE_MAX, blank=True, default=""
    )
    current_province_code = models.PositiveSmallIntegerField(
        _("current province"), null=True, blank=True
    )
    eta = models.DateTimeField(_("estimated delivery"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Who carries it now (ADR 0057): a vehicle, a driver (their phone), both or neither. The
    # devices assigned to them are the shipment's devices; their geofence events move it.
    carrier_vehicle = models.ForeignKey(
        "tracking.Vehicle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vehicle"),
    )
    # SET_NULL: erasing a driver's record clears it here (privacy inventory: delete).
    carrier_driver = models.ForeignKey(
        "tracking.Driver",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("driver"),
    )
    carrier_assigned_at = models.DateTimeField(_("carrier assigned at"), null=True, blank=True)
    # "Delivered?" offered to the driver when a device came near the destination; never a
    # delivery by itself (proof of delivery still decides). Shown while out for delivery.
    delivery_offered_at = models.DateTimeField(_("delivery offered at"), null=True, blank=True)
    delivery_offer_reason = models.CharField(
        _("delivery offered because"),
        max_length=16,
        choices=DeliveryOfferReason.choices,
        blank=True,
        default="",
    )

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="logistics_shipment_recent"),
            models.Index(
                fields=["tenant", "status", "-created_at", "-id"],
                name="logistics_shipment_status",
            ),
            models.Index(
                fields=["tenant", "delivery_province_code", "-created_at", "-id"],
                name="logistics_shipment_province",
            ),
            models.Index(fields=["tenant", "order"], name="logistics_shipment_order"),
            models.Index(
                fields=["tenant", "-status_changed_at", "-id"], name="logistics_shipment_changed"
            ),
            models.Index(
                fields=["tenant", "status", "-status_changed_at", "-id"],
                name="logistics_shipment_status_age",
            ),
            # Status and province together (the dispatcher's "what is out in Hà Nội"): a rare
            # status in one province is a few rows, found here rather than by walking either
            # filter's index past the other's misses (ADR 0044).
            models.Index(
                fields=["tenant", "status", "delivery_province_code", "-created_at", "-id"],
                name="logistics_shipment_st_prov",
            ),
            models.Index(
                fields=["tenant", "status", "delivery_province_code", "-status_changed_at", "-id"],
                name="logistics_shipment_st_prov_age",
            ),
            models.Index(
                fields=["tenant", "delivery_province_code", "-status_changed_at", "-id"],
                name="logistics_shipment_prov_age",
            ),
            # A creation-date range sorted by status change (ADR 0046): the range is read from
            # this index alone (every filter's column and the sort's are in it) and sorted.
            models.Index(
                fields=[
                    "tenant",
                    "created_at",
                    "status_changed_at",
                    "status",
                    "delivery_province_code",
                    "service_level",
                    "id",
                ],
                name="logistics_shipment_range",
            ),
            # The shipments of a vehicle (the list's filter, geofence moves) and of a driver.
            models.Index(
                fields=["tenant", "carrier_vehicle", "-created_at", "-id"],
                name="logistics_shipment_vehicle",
            ),
            models.Index(
                fields=["tenant", "carrier_driver", "-created_at", "-id"],
                name="logistics_shipment_driver",
            ),
        ]
        constraints = [
            # The prefix in the waybill is unique per tenant (LogisticsSettings), so this makes
            # a waybill unique across tenants too; waybill first serves the public lookup.
            models.UniqueConstraint(fields=["waybill", "tenant"], name="logistics_waybill_unique"),
            models.UniqueConstraint(fields=["tenant", "sscc"], name="logistics_sscc_unique"),
            models.UniqueConstraint(
                fields=["tenant", "order", "parcel_number"], name="logistics_parcel_unique"
            ),
            models.CheckConstraint(
                condition=Q(waybill__regex=r"^[A-HJKMNP-TV-Z]{2,4}[0-9A-HJKMNP-TV-Z]{10}$"),
                name="logistics_shipment_waybill_form",
            ),
            models.CheckConstraint(
                condition=Q(sscc__isnull=True) | Q(sscc__regex=r"^[0-9]{18}$"),
                name="logistics_shipment_sscc_form",
            ),
            models.CheckConstraint(
                condition=Q(weight_g__gt=0, weight_g__lte=limits.WEIGHT_MAX_G),
                name="logistics_shipment_weight_range",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{dim}__isnull": True})
                    | Q(**{f"{dim}__gt": 0, f"{dim}__lte": limits.DIMENSION_MAX_MM}),
                    name=f"logistics_shipment_{dim}_range",
                )
                for dim in ("length_mm", "width_mm", "height_mm")
            ],
            models.CheckConstraint(
                condition=Q(parcel_number__gte=1), name="logistics_shipment_parcel_positive"
            ),
            models.CheckConstraint(
                condition=_in("status", ShipmentStatus), name="logistics_shipment_status_valid"
            ),
            models.CheckConstraint(
                condition=_in("service_level", ServiceLevel),
                name="logistics_shipment_service_level",
            ),
            models.CheckConstraint(
                condition=Q(delivery_offer_reason="")
                | _in("delivery_offer_reason", DeliveryOfferReason),
                name="logistics_shipment_offer_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.waybill


class ShipmentEvent(TenantScopedModel):
    """One entry of a shipment's timeline, as reported; ``applied`` says if it moved the status.

    Rows are written only by ``shipment_record_event`` and never changed afterwards.
    """

    tenant = tenant_key(db_index=False)  # its indexes all lead with the tenant
    shipment = models.ForeignKey(
        Shipment, on_delete=models.PROTECT, related_name="events", verbose_name=_("shipment")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, blank=True, default=""
    )
    # The shipment's status just before this event was recorded, and after it.
    status_before = models.CharField(
        _("status before"), max_length=20, choices=ShipmentStatus.choices
    )
    applied = models.BooleanField(_("moved the status"), default=False)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    place = models.CharField(_("place"), max_length=limits.PLACE_MAX, blank=True, default="")
    ward_code = models.PositiveIntegerField(_("commune or ward"), null=True, blank=True)
    province_code = models.PositiveSmallIntegerField(_("province"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=16, choices=EventSource.choices)
    failure_reason = models.CharField(
        _("reason"), max_length=32, choices=FailureReason.choices, blank=True, default=""
    )
    reason_text = models.CharField(
        _("reason details"), max_length=limits.REASON_TEXT_MAX, blank=True, default=""
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=limits.IDEMPOTENCY_KEY_MAX)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    actor_api_key = models.ForeignKey(
        "tenancy.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by API key"),
    )

    class Meta:
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")
        indexes = [
            models.Index(
                fields=["tenant", "shipment", "occurred_at", "id"],
                name="logistics_event_timeline",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"], name="logistics_event_idempotency_key"
            ),
            models.CheckConstraint(
                condition=Q(kind=EventKind.STATUS) & _in("status", ShipmentStatus)
                | Q(kind=EventKind.SCAN, status="", applied=False),
                name="logistics_event_kind_status",
            ),
            models.CheckConstraint(
                condition=_in("status_before", ShipmentStatus),
                name="logistics_event_status_before_valid",
            ),
            models.CheckConstraint(
                condition=_in("source", EventSource), name="logistics_event_source_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ShipmentStatus.FAILED_ATTEMPT) | ~Q(failure_reason=""),
                name="logistics_event_failed_attempt_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(failure_reason="") | _in("failure_reason", FailureReason),
                name="logistics_event_failure_reason_valid",
            ),
            models.CheckConstraint(
                condition=~Q(idempotency_key=""), name="logistics_event_idempotency_key_set"
            ),
            *_coordinates("", "logistics_event_coordinates"),
        ]

    def __str__(self) -> str:
        return f"shipment event #{self.pk}"


class GeofenceEventApplied(TenantScopedModel):
    """A geofence event the logistics side has acted on (ADR 0057): the marker that makes
    applying events idempotent. ``moved``: shipment events written; ``offered``: "delivered?"
    offers made. Written once, by ``shipments_apply_geofence_events``, never changed."""

    geofence_event = models.OneToOneField(
        "tracking.GeofenceEvent",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("geofence event"),
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    moved = models.PositiveIntegerField(_("shipment events written"), default=0)
    offered = models.PositiveIntegerField(_("deliveries offered"), default=0)

    class Meta:
        verbose_name = _("geofence event applied")
        verbose_name_plural = _("geofence events applied")

    def __str__(self) -> str:
        return f"geofence event applied #{self.pk}"
