"""Free-text and split-column Vietnamese addresses resolved to a 2025 commune and province.

Input shapes (ADR 0020):

- free text, units separated by commas (or ";", " - ", line breaks), smallest last but one:
  "12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM" (pre-2025, three levels) or
  "12 Lê Lợi, Phường Sài Gòn, TP. Hồ Chí Minh" (2025, two levels);
- split columns as spreadsheets have them: ``province``, ``district`` (pre-2025 only) and
  ``commune`` given separately, ``text`` then holding the street (and possibly more units).

Names are compared by their keys (keys.py): accents, case, spacing, punctuation and level
prefixes ("TP.", "Tỉnh", "Q.", "Huyện", "P.", "Xã", "TT", ...) do not matter, tones only where
two units of one scope would otherwise collide. The result is one 2025 commune, or an
AddressUnresolved with the candidates: the resolver never picks one of several.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from logitrack.addresses import units
from logitrack.addresses.errors import (
    AMBIGUOUS,
    COMMUNE_NOT_IN_PROVINCE,
    COMMUNE_UNKNOWN,
    EMPTY,
    PROVINCE_UNKNOWN,
    AddressUnresolved,
    Candidate,
)
from logitrack.addresses.keys import Level, NameKey, name_key
from logitrack.core.text import TextRefused, human_text

_SEPARATORS = re.compile(r"\s*(?:[,;\n]|\s-\s)\s*")


@dataclass(frozen=True, slots=True)
class ResolvedAddress:
    """A 2025 address: street text, vietnam-provinces ward and province codes.

    ``legacy_text`` is the pre-2025 units text as written ("P. Bến Thành, Q.1, TP.HCM") when the
    address was converted from the three-level form, ``None`` when it was already in the 2025
    form. Labels print both (drivers and sellers still use the old names).
    """

    street: str
    ward_code: int
    province_code: int
    legacy_text: str | None = None

    @property
    def ward_name(self) -> str:
        return units.communes()[self.ward_code].name

    @property
    def province_name(self) -> str:
        return units.provinces()[self.province_code].name

    def new_form(self) -> str:
        """The 2025 form: street, commune and province with their official names."""
        parts = [self.street, self.ward_name, self.province_name]
        return ", ".join(part for part in parts if part)

    def legacy_form(self) -> str | None:
        """ "<street>, <old units as written>" when converted from the old form, else None."""
        if self.legacy_text is None:
            return None
        return ", ".join(part for part in (self.street, self.legacy_text) if part)


def _split(text: str) -> list[str]:
    return [part for part in _SEPARATORS.split(text) if part]


def _candidate(unit: units.Unit) -> Candidate:
    province = units.provinces()[unit.province_code]
    return Candidate(unit.code, unit.province_code, f"{unit.name}, {province.name}")


def _province(key: NameKey) -> units.Unit | None:
    if key.level not in (None, Level.PROVINCE, Level.CITY) or not key.folded:
        return None
    return units.provinces_by_key().get(key.folded)


def _pick(found: tuple[units.Unit, ...], key: NameKey) -> units.Unit:
    """The one unit of ``found`` (same folded key) that ``key`` means; tones break a tie."""
    if len(found) > 1:
        toned = tuple(unit for unit in found if unit.toned == key.toned)
        if len(toned) == 1:
            return toned[0]
        raise AddressUnresolved(AMBIGUOUS, [_candidate(unit) for unit in found])
    return found[0]


def _commune(key: NameKey, province: units.Unit | None) -> units.Unit:
    if province is not None:
        found = units.communes_by_province_key().get((province.code, key.folded))
        if found:
            return _pick(found, key)
        elsewhere = units.communes_by_key().get(key.folded)
        if elsewhere:
            raise AddressUnresolved(COMMUNE_NOT_IN_PROVINCE, [_candidate(u) for u in elsewhere])
        raise AddressUnresolved(COMMUNE_UNKNOWN)
    found = units.communes_by_key().get(key.folded, ())
    if not found:
        raise AddressUnresolved(COMMUNE_UNKNOWN)
    return _pick(found, key)


def address_resolve(
    text: str,
    *,
    province: str | None = None,
    district: str | None = None,
    commune: str | None = None,
) -> ResolvedAddress:
    """The 2025 commune and province that ``text`` (and the split columns) name.

    Shape: ``address_resolve("12 Lê Lợi, Phường Sài Gòn, TP.HCM")`` ->
    ``ResolvedAddress(street="12 Lê Lợi", ward_code=26740, province_code=79, legacy_text=None)``.
    ``province``/``district``/``commune``, when given, take the place of the corresponding
    units in ``text``. Raises AddressUnresolved (codes in errors.py) when no unit or several
    units match; never returns a guess.
    """
    try:
        parts = _split(human_text(text)) if text else []
        columns = {
            "province": human_text(province) if province else "",
            "district": human_text(district) if district else "",
            "commune": human_text(commune) if commune else "",
        }
    except TextRefused as exc:
        raise AddressUnresolved(EMPTY) from exc
    province_unit: units.Unit | None = None
    if columns["province"]:
        province_unit = _province(name_key(columns["province"]))
        if province_unit is None:
            raise AddressUnresolved(PROVINCE_UNKNOWN)
    elif parts:
        province_unit = _province(name_key(parts[-1]))
        if province_unit is not None:
            parts.pop()
    commune_text = columns["commune"]
    if not commune_text:
        while parts and name_key(parts[-1]).level in (Level.DISTRICT,):
            parts.pop()
        if not parts:
            raise AddressUnresolved(EMPTY)
        commune_text = parts.pop()
    unit = _commune(name_key(commune_text), province_unit)
    return ResolvedAddress(", ".join(parts), unit.code, unit.province_code, None)
