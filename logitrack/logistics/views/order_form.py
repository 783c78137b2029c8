"""The order form (create and edit): shipper, pickup and delivery with province and commune
pickers, consignee, items, parcels, COD, service and time windows.

The form checks what it can early, for messages beside each field; ``OrderInput``/``OrderPatch``
and the services check everything again. Without JavaScript, the "Show the communes" button
re-displays the form with the chosen province's communes; with it, htmx swaps the list in.
Windows are typed in Asia/Ho_Chi_Minh (the active time zone) and stored as aware UTC.

An address typed as free text or in the pre-2025 three-level form ("12 Lê Lợi, P. Bến Thành,
Q.1, TP.HCM") with no province and commune chosen is resolved by ``addresses.address_resolve``:
the codes are filled in, the street kept and the old form stored as ``legacy_text`` (printed on
the label). When it cannot be resolved the form shows why, with the candidate communes as radio
buttons (``<kind>_candidate``, value ``"<province code>:<ward code>"``); nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as PydanticValidationError

from logitrack.addresses import AddressUnresolved, Candidate, address_resolve
from logitrack.core.crypto.canonical import e164
from logitrack.core.forms import CodeField, EmailTextField, HumanTextField
from logitrack.core.ids import IdField
from logitrack.core.pydantic_errors import error_message
from logitrack.logistics import limits
from logitrack.logistics.inputs import (
    AddressInput,
    ConsigneeInput,
    ItemInput,
    OrderInput,
    OrderPatch,
    ParcelInput,
    ShipperInput,
)
from logitrack.logistics.models import Order, Shipper
from logitrack.logistics.status import ServiceLevel
from logitrack.logistics.templatetags.logistics_format import phone_display
from logitrack.tenancy.geography import province_choices, validate_province_and_ward, ward_choices

ITEM_ROWS = 5
PARCELS_MAX_ON_PAGE = 20
ADDRESS_KINDS = ("pickup", "delivery")
_WINDOW = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

# Where a field named by an input model or a service error is shown on this form.
FIELD_OF = {
    "shipper_id": "shipper",
    "reference": "reference",
    "pickup.street": "pickup_street",
    "pickup.ward_code": "pickup_ward",
    "pickup.province_code": "pickup_province",
    "delivery.street": "delivery_street",
    "delivery.ward_code": "delivery_ward",
    "delivery.province_code": "delivery_province",
    "consignee.name": "consignee_name",
    "consignee.phone": "consignee_phone",
    "consignee.email": "consignee_email",
    "service_level": "service_level",
    "cod_amount_vnd": "cod_amount_vnd",
    "pickup_window_start": "pickup_window_start",
    "pickup_window_end": "pickup_window_end",
    "delivery_window_start": "delivery_window_start",
    "delivery_window_end": "delivery_window_end",
    "notes": "notes",
    "parcels": "parcel_count",
    "address.ward_code": "pickup_ward",
    "name": "shipper_name",
}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _candidate_choices(data: Any, kind: str) -> list[tuple[str, str]]:
    """The communes a typed ``<kind>_street`` could mean, as radio choices; empty when the
    province or commune was chosen or the text resolves to one commune."""
    street = str(data.get(f"{kind}_street") or "").strip()
    if not street or data.get(f"{kind}_province") or data.get(f"{kind}_ward"):
        return []
    try:
        address_resolve(street)
    except AddressUnresolved as exc:
        return [_candidate_choice(c) for c in exc.candidates]
    return []


def _candidate_choice(candidate: Candidate) -> tuple[str, str]:
    return f"{candidate.province_code}:{candidate.ward_code}", candidate.label


def _candidate_codes(value: Any) -> tuple[int, int] | None:
    """``"<province>:<ward>"`` (a choice already checked against the candidates) as codes."""
    if not value:
        return None
    province, _sep, ward = str(value).partition(":")
    return int(province), int(ward)


class OrderForm(forms.Form):
    shipper = forms.TypedChoiceField(
        label=_("Shipper"), coerce=int, required=False, empty_value=None
    )
    shipper_name = HumanTextField(
        label=_("New shipper's name"),
        required=False,
        max_length=limits.NAME_MAX,
        help_text=_("Only when the shipper is new: the pickup address becomes theirs."),
    )
    reference = HumanTextField(
        label=_("Customer reference"), required=False, max_length=limits.REFERENCE_MAX
    )
    pickup_street = HumanTextField(
        label=_("Pickup street address"), required=False, max_length=limits.STREET_MAX
    )
    pickup_province = forms.TypedChoiceField(
        label=_("Pickup province or city"), coerce=int, required=False, empty_value=None
    )
    # Any id is accepted here so that clean() can say "not in this province" (the select
    # lists only the chosen province's communes).
    pickup_ward = IdField(label=_("Pickup commune or ward"), required=False, widget=forms.Select)
    consignee_name = HumanTextField(label=_("Consignee's name"), max_length=limits.NAME_MAX)
    consignee_phone = CodeField(
        label=_("Consignee's phone number"),
        max_length=limits.PHONE_INPUT_MAX,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    consignee_email = EmailTextField(label=_("Consignee's email"), required=False)
    delivery_street = HumanTextField(
        label=_("Delivery street address"),
        max_length=limits.STREET_MAX,
        help_text=_("House number, street, hamlet or building."),
    )
    delivery_province = forms.TypedChoiceField(
        label=_("Delivery province or city"), coerce=int, required=False, empty_value=None
    )
    delivery_ward = IdField(
        label=_("Delivery commune or ward"), required=False, widget=forms.Select
    )
    service_level = forms.ChoiceField(
        label=_("Service"), choices=ServiceLevel.choices, initial=ServiceLevel.STANDARD
    )
    cod_amount_vnd = forms.IntegerField(
        label=_("Cash on delivery (VND)"),
        min_value=0,
        max_value=limits.MONEY_MAX_VND,
        initial=0,
        help_text=_("The amount the driver collects from the consignee; 0 for none."),
    )
    weight_g = forms.IntegerField(
        label=_("Weight of each parcel (g)"), min_value=1, max_value=limits.WEIGHT_MAX_G
    )
    parcel_count = forms.IntegerField(
        label=_("Number of parcels"), min_value=1, max_value=PARCELS_MAX_ON_PAGE, initial=1
    )
    pickup_window_start = forms.DateTimeField(
        label=_("Pick up from"), required=False, widget=_WINDOW
    )
    pickup_window_end = forms.DateTimeField(
        label=_("Pick up until"), required=False, widget=_WINDOW
    )
    delivery_window_start = forms.DateTimeField(
        label=_("Deliver from"), required=False, widget=_WINDOW
    )
    delivery_window_end = forms.DateTimeField(
        label=_("Deliver until"), required=False, widget=_WINDOW
    )
    notes = HumanTextField(
        label=_("Notes"), required=False, multiline=True, max_length=limits.NOTES_MAX
    )

    def __init__(
        self,
        data: Any = None,
        *,
        shippers: Sequence[Shipper] = (),
        editing: Order | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.editing = editing
        self.legacy_text: dict[str, str | None] = {}
        source = data if data is not None else (initial or {})
        shipper_field = self.fields["shipper"]
        assert isinstance(shipper_field, forms.TypedChoiceField)
        shipper_field.choices = [
            ("", _("A new shipper")),
            *[(s.pk, s.name) for s in shippers],
        ]
        if shippers and not self.is_bound and not initial:
            self.initial["shipper"] = shippers[0].pk
        provinces = [("", _("Choose a province or city")), *province_choices()]
        for kind in ADDRESS_KINDS:
            province_field = self.fields[f"{kind}_province"]
            ward_widget = self.fields[f"{kind}_ward"].widget
            assert isinstance(province_field, forms.TypedChoiceField)
            assert isinstance(ward_widget, forms.Select)
            province_field.choices = provinces
            province = _int(source.get(f"{kind}_province"))
            wards = ward_choices(province) if province is not None else []
            placeholder = _("Choose a commune or ward") if wards else _("Choose a province first")
            ward_widget.choices = [("", placeholder), *wards]
            ward_widget.attrs["id"] = f"id_{kind}_ward"
            province_field.widget.attrs.update(
                {
                    "hx-get": reverse("logistics:communes"),
                    "hx-trigger": "change",
                    "hx-target": f"#id_{kind}_ward",
                    "hx-swap": "innerHTML",
                }
            )
        for kind in ADDRESS_KINDS:
            self.fields[f"{kind}_candidate"] = forms.ChoiceField(
                label=_("Which commune or ward did you mean?"),
                required=False,
                widget=forms.RadioSelect,
                choices=_candidate_choices(source, kind) if self.is_bound else [],
            )
        for n in range(1, ITEM_ROWS + 1):
            self.fields[f"item_{n}_description"] = HumanTextField(
                label=_("Item description"), required=False, max_length=limits.DESCRIPTION_MAX
            )
            self.fields[f"item_{n}_quantity"] = forms.IntegerField(
                label=_("Quantity"), required=False, min_value=1, max_value=limits.QUANTITY_MAX
            )
            self.fields[f"item_{n}_value"] = forms.IntegerField(
                label=_("Declared value (VND)"),
                required=False,
                min_value=0,
                max_value=limits.MONEY_MAX_VND,
            )
        if editing is not None:
            for name in ("shipper", "shipper_name", "weight_g", "parcel_count"):
                self.fields[name].required = False
                self.fields[name].disabled = True
            for n in range(1, ITEM_ROWS + 1):
                for part in ("description", "quantity", "value"):
                    self.fields[f"item_{n}_{part}"].disabled = True

    @property
    def item_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"item_{n}_{part}"] for part in ("description", "quantity", "value")]
            for n in range(1, ITEM_ROWS + 1)
        ]

    def _resolve_free_text(self, kind: str, cleaned: dict[str, Any]) -> None:
        """Fill ``<kind>_province``/``<kind>_ward`` from a street typed with its units, when
        neither was chosen; an unresolved address is an error with candidates to choose from."""
        street = cleaned.get(f"{kind}_street")
        if not street or f"{kind}_street" in self.errors:
            return
        if cleaned.get(f"{kind}_province") is not None or cleaned.get(f"{kind}_ward") is not None:
            return
        chosen = _candidate_codes(cleaned.get(f"{kind}_candidate"))
        if chosen is not None:
            cleaned[f"{kind}_province"], cleaned[f"{kind}_ward"] = chosen
            return
        try:
            found = address_resolve(street)
            validate_province_and_ward(found.province_code, found.ward_code)
        except AddressUnresolved as exc:
            self.add_error(f"{kind}_street", exc.message)
            return
        except ValidationError as exc:
            self.add_error(f"{kind}_street", exc)
            return
        cleaned[f"{kind}_street"] = found.street or street
        cleaned[f"{kind}_province"] = found.province_code
        cleaned[f"{kind}_ward"] = found.ward_code
        self.legacy_text[kind] = found.legacy_text

    def _clean_addresses(self, cleaned: dict[str, Any]) -> None:
        for kind in ADDRESS_KINDS:
            self._resolve_free_text(kind, cleaned)
        if cleaned.get("delivery_street") and "delivery_street" not in self.errors:
            for name in ("delivery_province", "delivery_ward"):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, _("This field is required."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._clean_addresses(cleaned)
        for kind in ADDRESS_KINDS:
            province, ward = cleaned.get(f"{kind}_province"), cleaned.get(f"{kind}_ward")
            if province is not None and ward is not None:
                try:
                    validate_province_and_ward(province, ward)
                except forms.ValidationError as exc:
                    self.add_error(f"{kind}_ward", exc)
        pickup_given = any(cleaned.get(f"pickup_{part}") for part in ("street", "province", "ward"))
        if self.editing is None and cleaned.get("shipper") is None:
            if not cleaned.get("shipper_name"):
                self.add_error("shipper_name", _("Give the new shipper's name, or choose one."))
            if not pickup_given:
                self.add_error("pickup_street", _("A new shipper needs a pickup address."))
        if pickup_given:
            for part in ("street", "province", "ward"):
                if not cleaned.get(f"pickup_{part}") and f"pickup_{part}" not in self.errors:
                    self.add_error(f"pickup_{part}", _("Complete the pickup address."))
        for n in range(1, ITEM_ROWS + 1):
            description = cleaned.get(f"item_{n}_description")
            others = cleaned.get(f"item_{n}_quantity") or cleaned.get(f"item_{n}_value")
            if others and not description:
                self.add_error(f"item_{n}_description", _("Describe the item."))
        return cleaned

    # --- to the typed inputs -------------------------------------------------------------------

    def _address(self, kind: str) -> AddressInput | None:
        data = self.cleaned_data
        if not data.get(f"{kind}_street"):
            return None
        return AddressInput(
            street=data[f"{kind}_street"],
            ward_code=data[f"{kind}_ward"],
            province_code=data[f"{kind}_province"],
            legacy_text=self.legacy_text.get(kind),
        )

    def _consignee(self) -> ConsigneeInput:
        data = self.cleaned_data
        return ConsigneeInput(
            name=data["consignee_name"],
            phone=data["consignee_phone"],
            email=data.get("consignee_email") or None,
        )

    def _windows(self) -> dict[str, Any]:
        names = (
            "pickup_window_start",
            "pickup_window_end",
            "delivery_window_start",
            "delivery_window_end",
        )
        return {name: self.cleaned_data.get(name) for name in names}

    def new_shipper(self) -> ShipperInput | None:
        """The shipper to create first, when none was chosen."""
        if self.cleaned_data.get("shipper") is not None:
            return None
        address = self._address("pickup")
        assert address is not None  # clean() requires it
        return ShipperInput(name=self.cleaned_data["shipper_name"], address=address)

    def order_input(self, shipper_id: int) -> OrderInput:
        data = self.cleaned_data
        items = [
            ItemInput(
                description=data[f"item_{n}_description"],
                quantity=data.get(f"item_{n}_quantity") or 1,
                declared_value_vnd=data.get(f"item_{n}_value") or 0,
            )
            for n in range(1, ITEM_ROWS + 1)
            if data.get(f"item_{n}_description")
        ]
        pickup = None if data.get("shipper") is None else self._address("pickup")
        return OrderInput(
            shipper_id=shipper_id,
            reference=data.get("reference") or "",
            pickup=pickup,
            delivery=self._address("delivery"),  # type: ignore[arg-type]
            consignee=self._consignee(),
            service_level=ServiceLevel(data["service_level"]),
            cod_amount_vnd=data["cod_amount_vnd"],
            notes=data.get("notes") or "",
            items=items,
            parcels=[ParcelInput(weight_g=data["weight_g"]) for _ in range(data["parcel_count"])],
            **self._windows(),
        )

    def order_patch(self, order: Order) -> OrderPatch:
        """Only what differs from ``order``: an unchanged address or consignee is not sent,
        so a dispatcher may fix the reference of an order whose parcel has left."""
        data = self.cleaned_data
        before = initial_of(order)

        def comparable(name: str, value: Any) -> Any:
            if name == "consignee_phone" and value:
                try:
                    return e164(str(value))
                except ValidationError:
                    return value
            return value or None

        def changed(*names: str) -> bool:
            return any(
                comparable(name, data.get(name)) != comparable(name, before.get(name))
                for name in names
            )

        values: dict[str, Any] = {}
        if changed("reference"):
            values["reference"] = data.get("reference") or ""
        if changed("notes"):
            values["notes"] = data.get("notes") or ""
        for kind in ADDRESS_KINDS:
            if changed(f"{kind}_street", f"{kind}_province", f"{kind}_ward"):
                values[kind] = self._address(kind)
        if changed("consignee_name", "consignee_phone", "consignee_email"):
            values["consignee"] = self._consignee()
        if changed("service_level"):
            values["service_level"] = ServiceLevel(data["service_level"])
        if changed("cod_amount_vnd"):
            values["cod_amount_vnd"] = data["cod_amount_vnd"]
        for name, value in self._windows().items():
            if changed(name):
                values[name] = value
        return OrderPatch(**values)

    def add_input_errors(self, exc: PydanticValidationError) -> None:
        """Show an input model's refusals beside the fields they concern."""
        for item in exc.errors():
            where = ".".join(str(part) for part in item.get("loc", ()))
            self.add_error(
                FIELD_OF.get(where) if FIELD_OF.get(where) in self.fields else None,
                error_message(item),
            )

    def add_service_error(self, field: str, message: str) -> None:
        name = FIELD_OF.get(field, field)
        self.add_error(name if name in self.fields else None, message)


def initial_of(order: Order) -> dict[str, Any]:
    """The edit form's values from a stored order (encrypted fields decrypted here)."""
    return {
        "reference": order.reference,
        "pickup_street": order.pickup_street,
        "pickup_province": order.pickup_province_code,
        "pickup_ward": order.pickup_ward_code,
        "consignee_name": order.consignee_name,
        "consignee_phone": phone_display(order.consignee_phone),
        "consignee_email": order.consignee_email,
        "delivery_street": order.delivery_street,
        "delivery_province": order.delivery_province_code,
        "delivery_ward": order.delivery_ward_code,
        "service_level": order.service_level,
        "cod_amount_vnd": order.cod_amount_vnd,
        "pickup_window_start": order.pickup_window_start,
        "pickup_window_end": order.pickup_window_end,
        "delivery_window_start": order.delivery_window_start,
        "delivery_window_end": order.delivery_window_end,
        "notes": order.notes,
    }
