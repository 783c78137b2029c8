"""The subscription form: per kind, on or off, by e-mail or not, and an optional device (and,
for geofence kinds, geofence) chosen among the tenant's own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from logitrack.notifications.models import GEOFENCE_KINDS, NotificationKind, Subscription
from logitrack.notifications.services.subscriptions import SubscriptionChoice
from logitrack.tracking.models import Device, Geofence


class SubscriptionsForm(forms.Form):
    def __init__(
        self,
        data: Any = None,
        *,
        devices: QuerySet[Device],
        geofences: QuerySet[Geofence],
        current: dict[str, Subscription],
    ) -> None:
        super().__init__(data)
        self.rows: list[dict[str, Any]] = []
        for kind in NotificationKind:
            held = current.get(kind.value)
            prefix = kind.value
            self.fields[f"{prefix}-on"] = forms.BooleanField(
                label=kind.label, required=False, initial=held is not None
            )
            self.fields[f"{prefix}-email"] = forms.BooleanField(
                label=_("Also by e-mail"), required=False, initial=bool(held and held.email)
            )
            self.fields[f"{prefix}-device"] = forms.ModelChoiceField(
                label=_("Device"),
                queryset=devices,
                required=False,
                empty_label=_("All devices"),
                initial=held.device_id if held else None,
            )
            names = [f"{prefix}-on", f"{prefix}-email", f"{prefix}-device"]
            if kind in GEOFENCE_KINDS:
                self.fields[f"{prefix}-geofence"] = forms.ModelChoiceField(
                    label=_("Geofence"),
                    queryset=geofences,
                    required=False,
                    empty_label=_("All geofences"),
                    initial=held.geofence_id if held else None,
                )
                names.append(f"{prefix}-geofence")
            self.rows.append({"kind": kind, "fields": [self[name] for name in names]})

    def choices(self) -> list[SubscriptionChoice]:
        data = self.cleaned_data
        chosen: list[SubscriptionChoice] = []
        for kind in NotificationKind:
            if not data.get(f"{kind.value}-on"):
                continue
            device = data.get(f"{kind.value}-device")
            geofence = data.get(f"{kind.value}-geofence")
            chosen.append(
                SubscriptionChoice(
                    kind=kind.value,
                    email=bool(data.get(f"{kind.value}-email")),
                    device_id=device.pk if device is not None else None,
                    geofence_id=geofence.pk if geofence is not None else None,
                )
            )
        return chosen
