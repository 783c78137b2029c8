"""Vietnam's two-tier administrative units (provinces and communes/wards, in force from 2025).

The data comes from the ``vietnam-provinces`` package, never typed by hand, so that an update of
the package is the only step needed when the units change.
"""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from logitrack.core.collation import clean_name, sorted_vietnamese


def _by_name(items: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return sorted_vietnamese(items, key=lambda item: item[1])


@lru_cache(maxsize=1)
def province_choices() -> list[tuple[int, str]]:
    """(code, name) of every province, in Vietnamese order, names with clean whitespace."""
    return _by_name([(int(p.code), clean_name(p.name)) for p in Province.iter_all()])


@lru_cache(maxsize=1)
def _wards_by_province() -> dict[int, list[tuple[int, str]]]:
    wards: dict[int, list[tuple[int, str]]] = {}
    for ward in Ward.iter_all():
        entry = (int(ward.code), clean_name(ward.name))
        wards.setdefault(int(ward.province_code), []).append(entry)
    return {province: _by_name(items) for province, items in wards.items()}


def ward_choices(province_code: int) -> list[tuple[int, str]]:
    return list(_wards_by_province().get(province_code, []))


def province_name(code: int) -> str:
    return clean_name(str(Province.from_code(ProvinceCode(code)).name))


def ward_name(code: int) -> str:
    return clean_name(str(Ward.from_code(WardCode(code)).name))


def validate_province_and_ward(province_code: int | None, ward_code: int | None) -> None:
    """Both must exist and the commune/ward must lie in the province."""
    if province_code is None or ward_code is None:
        raise ValidationError(_("Choose a province and a commune or ward."), code="address_unit")
    try:
        ward = Ward.from_code(WardCode(ward_code))
        Province.from_code(ProvinceCode(province_code))
    except (ValueError, KeyError) as exc:
        raise ValidationError(
            _("This province or commune does not exist."), code="address_unit"
        ) from exc
    if int(ward.province_code) != province_code:
        raise ValidationError(
            _("This commune or ward is not in the chosen province."), code="address_unit"
        )
