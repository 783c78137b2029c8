"""Template filters of the logistics pages: labels of stored values, waybills and money.

Shapes: ``status_label``/``failure_label``/``service_label`` take the stored choice value and give
its translated label (an unknown value is shown as it is); ``waybill_display`` groups a
canonical waybill for reading (``SGK-7M2Q9-XH4P``); ``vnd`` formats integer VND with the
₫ sign, grouped by dots in Vietnamese (``1.250.000 ₫``) and commas in English (``1,250,000 ₫``);
``phone_display`` shows a stored E.164 phone number the way people write it: a Vietnamese number
in the national format (``+84987654321`` -> ``0987 654 321``, ITU-T E.123 grouping as the
``phonenumbers`` metadata gives it), any other in the international format; text that is not a
phone number is shown as it is.
"""

from __future__ import annotations

import phonenumbers
from django import template
from django.utils.translation import get_language

from logitrack.logistics.numbers import format_waybill
from logitrack.logistics.status import FailureReason, ServiceLevel, ShipmentStatus

register = template.Library()


def _label(choices: type[ShipmentStatus | FailureReason | ServiceLevel], value: object) -> str:
    try:
        return str(choices(str(value)).label)
    except ValueError:
        return str(value)


@register.filter
def status_label(value: object) -> str:
    return _label(ShipmentStatus, value)


@register.filter
def failure_label(value: object) -> str:
    return _label(FailureReason, value)


@register.filter
def service_label(value: object) -> str:
    return _label(ServiceLevel, value)


@register.filter
def waybill_display(value: object) -> str:
    text = str(value)
    return format_waybill(text) if len(text) > 10 else text


@register.filter
def vnd(value: object) -> str:
    try:
        amount = int(str(value))
    except ValueError:
        return ""
    grouped = f"{amount:,}"
    if (get_language() or "vi").startswith("vi"):
        grouped = grouped.replace(",", ".")
    return f"{grouped} ₫"


@register.filter
def phone_display(value: object) -> str:
    text = str(value or "")
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException:
        return text
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 84
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(number, style))
