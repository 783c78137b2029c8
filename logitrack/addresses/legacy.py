"""Pre-2025 units (63 provinces, districts, communes) and the 2025 communes they became.

The mapping is the data of the ``vietnam-address-converter`` package (its ``DEFAULT_DATA``:
10,358 rows "old province | old district | old commune -> new province | new commune", taken
from the merger resolutions of the National Assembly Standing Committee, 2025, e.g. NQ
1685/NQ-UBTVQH15 for Hồ Chí Minh City). Only its data is used, not its matching code (ADR 0020).
An old commune that was split between several new communes has one row per new commune, so it
maps to several codes here and the resolver asks instead of choosing.

The package has its own unit codes; new communes are matched to the ``vietnam-provinces`` codes
by (province, commune) name, which matches all 3,320 new communes of the mapping (tested).

Shapes: every index is keyed by folded names (keys.py) and built once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from logitrack.addresses import units
from logitrack.addresses.keys import name_key
from logitrack.core.collation import clean_name


@dataclass(frozen=True, slots=True)
class OldProvince:
    """A pre-2025 province and the 2025 province it became part of (whole, in every case)."""

    key: str
    name: str
    new_province_code: int


@dataclass(frozen=True, slots=True)
class OldDistrict:
    """A pre-2025 district (quận, huyện, thị xã, thành phố thuộc tỉnh) with its name keys."""

    ident: str
    province_key: str
    name: str
    kind: str
    folded: str
    toned: str


@dataclass(frozen=True, slots=True)
class OldCommune:
    """A pre-2025 commune/ward/township and the 2025 commune code(s) its area went to."""

    district: OldDistrict
    name: str
    kind: str
    folded: str
    toned: str
    new_codes: frozenset[int]


@dataclass(frozen=True, slots=True)
class LegacyIndex:
    provinces: dict[str, OldProvince]
    districts: dict[tuple[str, str], tuple[OldDistrict, ...]]
    districts_anywhere: dict[str, tuple[OldDistrict, ...]]
    communes_in_district: dict[tuple[str, str], tuple[OldCommune, ...]]
    communes_in_province: dict[tuple[str, str], tuple[OldCommune, ...]]


def _new_code(province_name: str, commune_name: str) -> tuple[int, int]:
    province = units.provinces_by_key()[name_key(province_name).folded]
    key = name_key(commune_name)
    found = units.communes_by_province_key()[(province.code, key.folded)]
    if len(found) > 1:
        found = tuple(unit for unit in found if unit.toned == key.toned)
    (unit,) = found
    return province.code, unit.code


def _rows() -> list[dict[str, dict[str, str]]]:
    from vietnam_address_converter.data import DEFAULT_DATA

    rows: list[dict[str, dict[str, str]]] = DEFAULT_DATA["mapping"]["rows"]
    return rows


@lru_cache(maxsize=1)
def legacy_index() -> LegacyIndex:
    """All pre-2025 indexes; raises LookupError/ValueError if the data names an unknown unit."""
    provinces: dict[str, OldProvince] = {}
    districts: dict[str, OldDistrict] = {}
    communes: dict[tuple[str, str], dict[str, object]] = {}
    for row in _rows():
        old, new = row["old"], row["new"]
        new_province_code, new_code = _new_code(new["province_name"], new["ward_name"])
        province_key = name_key(old["province_name"]).folded
        provinces.setdefault(
            province_key,
            OldProvince(province_key, clean_name(old["province_name"]), new_province_code),
        )
        district_id = f"{province_key}/{old['district_code']}"
        if district_id not in districts:
            key = name_key(old["district_name"])
            districts[district_id] = OldDistrict(
                district_id,
                province_key,
                clean_name(old["district_name"]),
                key.kind,
                key.folded,
                key.toned,
            )
        entry = communes.setdefault(
            (district_id, old["ward_code"]), {"name": old["ward_name"], "codes": set()}
        )
        codes = entry["codes"]
        assert isinstance(codes, set)
        codes.add(new_code)
    by_district: dict[tuple[str, str], list[OldDistrict]] = {}
    anywhere: dict[str, list[OldDistrict]] = {}
    for district in districts.values():
        by_district.setdefault((district.province_key, district.folded), []).append(district)
        anywhere.setdefault(district.folded, []).append(district)
    in_district: dict[tuple[str, str], list[OldCommune]] = {}
    in_province: dict[tuple[str, str], list[OldCommune]] = {}
    for (district_id, _code), entry in communes.items():
        name = clean_name(str(entry["name"]))
        key = name_key(name)
        district = districts[district_id]
        codes = entry["codes"]
        assert isinstance(codes, set)
        commune = OldCommune(district, name, key.kind, key.folded, key.toned, frozenset(codes))
        in_district.setdefault((district_id, key.folded), []).append(commune)
        in_province.setdefault((district.province_key, key.folded), []).append(commune)
    return LegacyIndex(
        provinces=provinces,
        districts={key: tuple(value) for key, value in by_district.items()},
        districts_anywhere={key: tuple(value) for key, value in anywhere.items()},
        communes_in_district={key: tuple(value) for key, value in in_district.items()},
        communes_in_province={key: tuple(value) for key, value in in_province.items()},
    )
