"""Checks shared by the logistics services: caller, tenant, text, codes, keys."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from logitrack.core.tenant import bound_tenant_id
from logitrack.core.text import TextRefused, human_text
from logitrack.logistics import limits
from logitrack.logistics.actors import Caller, caller_may
from logitrack.logistics.errors import EventInvalid, LogisticsError, NotAllowed
from logitrack.tenancy.geography import validate_province_and_ward
from logitrack.tenancy.roles import Permission

# Printable ASCII without spaces: keys are compared byte for byte.
_IDEMPOTENCY_KEY = re.compile(rf"[!-~]{{1,{limits.IDEMPOTENCY_KEY_MAX}}}")


def require(caller: Caller, *permissions: Permission) -> int:
    """The caller's tenant id when it holds one of ``permissions`` and that tenant is bound.

    Raises NotAllowed otherwise; a caller acting in another tenant than the bound one is refused,
    so a service can never write across tenants.
    """
    tenant_id = caller.tenant_id
    if tenant_id is None or not caller_may(caller, *permissions):
        raise NotAllowed()
    if bound_tenant_id() != tenant_id:
        raise NotAllowed()
    return tenant_id


def clean_text(
    value: str | None,
    *,
    field: str,
    max_length: int,
    error: type[LogisticsError] = EventInvalid,
    multiline: bool = False,
) -> str:
    """``value`` through the normalisation layer, bounded; ``error`` (for ``field``) otherwise."""
    if value is None:
        return ""
    try:
        text = human_text(str(value), multiline=multiline)
    except TextRefused as exc:
        raise error(exc.message, field=field) from exc
    if len(text) > max_length:
        raise error(field=field)
    return text


def clean_idempotency_key(value: str | None, *, field: str = "idempotency_key") -> str:
    """A key of 1-128 printable ASCII characters without spaces (the client's retry token)."""
    if value is None or _IDEMPOTENCY_KEY.fullmatch(value) is None:
        raise EventInvalid(field=field)
    return value


def clean_optional_idempotency_key(
    value: str | None, *, field: str = "idempotency_key"
) -> str | None:
    """None for no key; otherwise as ``clean_idempotency_key``."""
    if value is None or value == "":
        return None
    return clean_idempotency_key(value, field=field)


def clean_units(
    province_code: int | None,
    ward_code: int | None,
    *,
    field: str,
    error: type[LogisticsError],
) -> None:
    """A province alone, or a province and a commune/ward that lies in it."""
    if ward_code is None and province_code is None:
        return
    if ward_code is None:
        from logitrack.tenancy.geography import province_choices

        if province_code not in {code for code, _name in province_choices()}:
            raise error(field=field)
        return
    try:
        validate_province_and_ward(province_code, ward_code)
    except ValidationError as exc:
        raise error(exc.messages[0], field=field) from exc


def clean_coordinates(
    latitude: Decimal | float | None,
    longitude: Decimal | float | None,
    *,
    field: str,
    error: type[LogisticsError] = EventInvalid,
) -> tuple[Decimal | None, Decimal | None]:
    """Both or neither; WGS 84 degrees within range, rounded to 6 decimals (about 0.1 m)."""
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise error(field=field)
    try:
        lat = Decimal(str(latitude)).quantize(Decimal("0.000001"))
        lon = Decimal(str(longitude)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError) as exc:
        raise error(field=field) from exc
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise error(field=field)
    return lat, lon
