"""Free-text and split-column Vietnamese addresses resolved to a 2025 commune and province.

Input shapes (ADR 0020):

- free text, units separated by commas (or ";", line breaks), the smallest first after
  the street: "12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM" (pre-2025, three levels) or
  "12 Lê Lợi, Phường Sài Gòn, TP. Hồ Chí Minh" (2025, two levels); without commas, the text is
  cut before each level prefix ("Phường", "Q.", "TP." ...);
- split columns as spreadsheets have them: ``province``, ``district`` (pre-2025 only) and
  ``commune`` given separately, ``text`` then holding the street (trailing units in it that
  repeat the columns are dropped).

Names are compared by their keys (keys.py): accents, case, spacing, punctuation and level
prefixes ("TP.", "Tỉnh", "Q.", "Huyện", "P.", "Xã", "TT", ...) do not matter; tones and the kind
of unit ("Phường" or "Xã") decide only between units that would otherwise collide. A pre-2025
name is converted through the merger mapping (legacy.py) when every reading of it leads to one
2025 commune. Otherwise the result is an AddressUnresolved with the candidates: the resolver
never picks one of several.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeVar

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
from logitrack.addresses.keys import Level, NameKey, fold, name_key
from logitrack.addresses.legacy import OldCommune, OldDistrict, OldProvince, legacy_index
from logitrack.core.text import TextRefused, human_text

# Not " - ": 2025 names contain it ("Phường Văn Miếu - Quốc Tử Giám", "Bà Rịa - Vũng Tàu").
_SEPARATORS = re.compile(r"\s*[,;\n]\s*")
# Level prefixes that start a unit inside a part written without commas ("12 Lê Lợi P. Bến
# Thành Q.1 TP.HCM"); matched on the folded text, which keeps the positions of the original.
_UNIT_START = re.compile(
    r"(?<!\S)(?:phuong|xa|thi tran|dac khu|quan|huyen|thi xa|thanh pho|tinh"
    r"|(?:p|x|tt|q|h|tx|tp)\.|(?:q|p|f)\.?(?=\d)|tp(?=[a-z]))",
)
_COUNTRY = frozenset({"vietnam", "vn", "vietnamese"})
_POSTCODE = re.compile(r"^\d{5,6}$")


@dataclass(frozen=True, slots=True)
class ResolvedAddress:
    """A 2025 address: street text, vietnam-provinces ward and province codes.

    ``legacy_text`` is the pre-2025 units text as written ("P. Bến Thành, Q.1, TP.HCM") when the
    address was converted from the old form, ``None`` when it was already in the 2025 form.
    Labels print both (drivers and sellers still use the old names).
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
        """The pre-2025 form: street and the old units as written; None if not converted."""
        if self.legacy_text is None:
            return None
        return ", ".join(part for part in (self.street, self.legacy_text) if part)


class _Named(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def toned(self) -> str: ...


N = TypeVar("N", bound=_Named)


def _narrow(found: Sequence[N], key: NameKey) -> Sequence[N]:
    """Of units sharing a folded name, those the written tones, then prefix, single out."""
    if len(found) > 1 and key.toned:
        toned = [unit for unit in found if unit.toned == key.toned]
        found = toned or found
    if len(found) > 1 and key.kind:
        kind = [unit for unit in found if unit.kind == key.kind]
        found = kind or found
    return found


def _narrow_both(
    new: Sequence[units.Unit], old: Sequence[OldCommune], key: NameKey
) -> tuple[Sequence[units.Unit], Sequence[OldCommune]]:
    """_narrow over a 2025 and a pre-2025 reading together ("Thuận Hóa" is not "Thuận Hòa")."""
    for attribute, wanted in (("toned", key.toned), ("kind", key.kind)):
        if not wanted:
            continue
        fits_new = [unit for unit in new if getattr(unit, attribute) == wanted]
        fits_old = [commune for commune in old if getattr(commune, attribute) == wanted]
        if (fits_new or fits_old) and len(fits_new) + len(fits_old) < len(new) + len(old):
            new, old = fits_new, fits_old
    return new, old


def _label(code: int, old: OldCommune | None = None) -> Candidate:
    unit = units.communes()[code]
    label = f"{unit.name}, {units.provinces()[unit.province_code].name}"
    if old is not None and old.folded != unit.folded:
        label += f" ({old.name}, {old.district.name})"
    return Candidate(unit.code, unit.province_code, label)


def _candidates(new: Iterable[units.Unit], old: Iterable[OldCommune]) -> list[Candidate]:
    seen: dict[int, Candidate] = {}
    for unit in new:
        seen.setdefault(unit.code, _label(unit.code))
    for commune in old:
        for code in sorted(commune.new_codes):
            seen.setdefault(code, _label(code, commune))
    return list(seen.values())


@dataclass(frozen=True, slots=True)
class _Province:
    """What a written province name means: a 2025 province, pre-2025 ones, or both."""

    new: units.Unit
    old: tuple[OldProvince, ...]


@lru_cache(maxsize=4096)
def _province(text: str) -> _Province | None:
    key = name_key(text)
    if key.level not in (None, Level.PROVINCE, Level.CITY) or not key.folded:
        return None
    folded = units.canonical_province_key(key.folded)
    old = legacy_index().provinces.get(folded)
    new = units.provinces_by_key().get(folded)
    if new is None and old is None:
        return None
    if new is None:
        assert old is not None
        new = units.provinces()[old.new_province_code]
    return _Province(new, (old,) if old is not None else ())


def _old_provinces(province: _Province | None) -> tuple[OldProvince, ...]:
    """The pre-2025 provinces a 2025 province was made of (all of them)."""
    if province is None:
        return ()
    return tuple(
        old
        for old in legacy_index().provinces.values()
        if old.new_province_code == province.new.code
    )


@dataclass(frozen=True, slots=True)
class _Reading:
    """One way of cutting the text: street parts, commune, district (pre-2025) and province."""

    street: tuple[str, ...]
    commune: str
    district: str | None
    province: _Province | None
    province_text: str | None


@dataclass(frozen=True, slots=True)
class _Match:
    code: int
    legacy: bool


def _new_communes(key: NameKey, province: _Province | None) -> Sequence[units.Unit]:
    if province is None:
        return _narrow(units.communes_by_key().get(key.folded, ()), key)
    found = units.communes_by_province_key().get((province.new.code, key.folded), ())
    return _narrow(found, key)


def _old_communes_in_provinces(
    key: NameKey, provinces: Iterable[OldProvince]
) -> Sequence[OldCommune]:
    index = legacy_index().communes_in_province
    found = [c for old in provinces for c in index.get((old.key, key.folded), ())]
    return _narrow(found, key)


def _codes(old: Iterable[OldCommune]) -> set[int]:
    return {code for commune in old for code in commune.new_codes}


def _match_without_district(key: NameKey, province: _Province | None) -> _Match:
    """A commune named without its district: 2025 name, or an old name in the written province."""
    new = _new_communes(key, province)
    old = _old_communes_in_provinces(key, province.old) if province is not None else ()
    new, old = _narrow_both(new, old, key)
    codes = {unit.code for unit in new} | _codes(old)
    if len(codes) == 1:
        (code,) = codes
        return _Match(code, legacy=not new)
    if codes:
        raise AddressUnresolved(AMBIGUOUS, _candidates(new, old))
    if province is not None:
        older = _old_communes_in_provinces(key, _old_provinces(province))
        if len(_codes(older)) == 1:
            (code,) = _codes(older)
            return _Match(code, legacy=True)
        if older:
            raise AddressUnresolved(AMBIGUOUS, _candidates((), older))
        elsewhere = units.communes_by_key().get(key.folded, ())
        if elsewhere:
            raise AddressUnresolved(COMMUNE_NOT_IN_PROVINCE, _candidates(elsewhere, ()))
    raise AddressUnresolved(COMMUNE_UNKNOWN)


def _districts(key: NameKey, province: _Province | None) -> Sequence[OldDistrict]:
    index = legacy_index()
    if province is None:
        found: Sequence[OldDistrict] = index.districts_anywhere.get(key.folded, ())
    else:
        found = [
            district
            for old in province.old or _old_provinces(province)
            for district in index.districts.get((old.key, key.folded), ())
        ]
        if not found and province.old:
            found = [
                district
                for old in _old_provinces(province)
                for district in index.districts.get((old.key, key.folded), ())
            ]
    return _narrow(found, key)


def _new_name_in_province(key: NameKey, province: _Province) -> _Match | None:
    """The 2025 commune ``key`` names in ``province`` when no reading of it disagrees."""
    try:
        found = _match_without_district(key, province)
    except AddressUnresolved:
        return None
    return None if found.legacy else found


def _match_with_district(key: NameKey, district: str, province: _Province | None) -> _Match:
    """A pre-2025 commune, district and (maybe) province; a 2025 commune name is taken too."""
    districts = _districts(name_key(district), province)
    if not districts:
        # A district that no longer existed (Quận 2, merged into Thủ Đức in 2021) or a typo:
        # the commune alone decides, within the province.
        found = _match_without_district(key, province)
        return _Match(found.code, legacy=True)
    index = legacy_index().communes_in_district
    old = _narrow([c for d in districts for c in index.get((d.ident, key.folded), ())], key)
    codes = _codes(old)
    if len(codes) == 1:
        (code,) = codes
        return _Match(code, legacy=True)
    if codes:
        raise AddressUnresolved(AMBIGUOUS, _candidates((), old))
    # Not in that district: a 2025 name written with the old district out of habit is fine when
    # every reading of the name in the province agrees on it; an old commune of another district
    # is not.
    if province is not None and (habit := _new_name_in_province(key, province)) is not None:
        return habit
    olds = {d.province_key for d in districts}
    elsewhere = _old_communes_in_provinces(
        key, [p for p in legacy_index().provinces.values() if p.key in olds]
    )
    raise AddressUnresolved(COMMUNE_UNKNOWN, _candidates((), elsewhere))


@dataclass(frozen=True, slots=True)
class _Refusal:
    code: str
    candidates: tuple[Candidate, ...]


@lru_cache(maxsize=65536)
def _units_outcome(
    commune: str, district: str | None, province_text: str | None
) -> _Match | _Refusal:
    """The match of one commune/district/province triple as written, refusals included.

    Cached: an import repeats the same few thousand unit texts with different streets.
    """
    key = name_key(commune)
    province = _province(province_text) if province_text is not None else None
    try:
        if not key.folded:
            raise AddressUnresolved(EMPTY)
        if district is None:
            return _match_without_district(key, province)
        return _match_with_district(key, district, province)
    except AddressUnresolved as exc:
        return _Refusal(exc.code, tuple(exc.candidates))


@lru_cache(maxsize=4096)
def _whole_district(district: str, province_text: str | None) -> int | None:
    """The special zone an island district without communes became, e.g. Huyện Côn Đảo."""
    province = _province(province_text) if province_text is not None else None
    whole = legacy_index().whole_districts
    codes = {whole.get(found.ident) for found in _districts(name_key(district), province)}
    if len(codes) == 1 and None not in codes:
        return codes.pop()
    return None


def _written(*parts: str | None) -> str:
    return ", ".join(part for part in parts if part)


def _resolve_reading(reading: _Reading) -> ResolvedAddress:
    if reading.district is not None:
        code = _whole_district(reading.district, reading.province_text)
        if code is not None:
            street = _written(*reading.street, reading.commune)
            old_units = _written(reading.district, reading.province_text)
            return ResolvedAddress(street, code, units.communes()[code].province_code, old_units)
    match = _units_outcome(reading.commune, reading.district, reading.province_text)
    if isinstance(match, _Refusal):
        raise AddressUnresolved(match.code, list(match.candidates))
    unit = units.communes()[match.code]
    legacy_text = None
    if match.legacy:
        legacy_text = _written(reading.commune, reading.district, reading.province_text)
    return ResolvedAddress(_written(*reading.street), unit.code, unit.province_code, legacy_text)


def _split(text: str) -> list[str]:
    parts = [part for part in _SEPARATORS.split(text) if part]
    while parts and (fold(parts[-1]).replace(" ", "") in _COUNTRY or _POSTCODE.match(parts[-1])):
        parts.pop()
    return parts


@lru_cache(maxsize=65536)
def _cut_units(part: str) -> tuple[str, ...]:
    """``part`` cut before each level prefix: "12 Lê Lợi P. Bến Thành" -> [street, commune]."""
    folded = fold(part)
    if len(folded) != len(part):
        return (part,)
    starts = [found.start() for found in _UNIT_START.finditer(folded)]
    if not starts or starts == [0]:
        return (part,)
    bounds = [0, *[start for start in starts if start > 0], len(part)]
    pieces = (part[a:b].strip() for a, b in itertools.pairwise(bounds))
    return tuple(piece for piece in pieces if piece)


def _is_district(text: str) -> bool:
    """A district prefix; "TP"/"Thành phố" below the province is a provincial city (district)."""
    return name_key(text).level in (Level.DISTRICT, Level.CITY)


def _readings(
    parts: list[str], province: _Province | None, province_text: str | None, district: str | None
) -> list[_Reading]:
    """Ways to cut ``parts`` (province already removed) into street, commune and district."""
    if not parts:
        raise AddressUnresolved(EMPTY)
    if district is None and len(parts) > 1 and _is_district(parts[-1]):
        district, parts = parts[-1], parts[:-1]
    first = _Reading(tuple(parts[:-1]), parts[-1], district, province, province_text)
    readings = [first]
    if district is None and _is_district(parts[-1]):
        # An island district written alone: "Huyện Côn Đảo, Bà Rịa - Vũng Tàu".
        readings.append(_Reading(tuple(parts[:-1]), "", parts[-1], province, province_text))
    last_key = name_key(parts[-1])
    unprefixed = last_key.level is None and bool(last_key.folded)
    if district is None and len(parts) > 1 and unprefixed and _districts(last_key, province):
        readings.append(_Reading(tuple(parts[:-2]), parts[-2], parts[-1], province, province_text))
    pieces = _cut_units(parts[-1])
    if len(pieces) > 1:
        rest = [*parts[:-1], *pieces]
        if _is_district(rest[-1]) and district is None:
            readings.append(_Reading(tuple(rest[:-2]), rest[-2], rest[-1], province, province_text))
        else:
            readings.append(_Reading(tuple(rest[:-1]), rest[-1], district, province, province_text))
    return readings


def _best(readings: list[_Reading]) -> ResolvedAddress:
    """The reading that resolves; several resolving to different communes is ambiguous."""
    results: list[ResolvedAddress] = []
    failures: list[AddressUnresolved] = []
    for reading in readings:
        try:
            results.append(_resolve_reading(reading))
        except AddressUnresolved as exc:
            failures.append(exc)
    if results:
        codes = {result.ward_code for result in results}
        if len(codes) == 1:
            # Readings that agree: keep the old form if one of them read it (for the label).
            return next((result for result in results if result.legacy_text), results[0])
        raise AddressUnresolved(AMBIGUOUS, [_label(code) for code in sorted(codes)])
    with_candidates = [failure for failure in failures if failure.candidates]
    raise (with_candidates or failures)[0]


def _clean(value: str | None) -> str:
    if not value:
        return ""
    try:
        return human_text(value)
    except TextRefused as exc:
        raise AddressUnresolved(EMPTY) from exc


def address_resolve(
    text: str,
    *,
    province: str | None = None,
    district: str | None = None,
    commune: str | None = None,
) -> ResolvedAddress:
    """The 2025 commune and province that ``text`` (and the split columns) name.

    Shape: ``address_resolve("12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM")`` ->
    ``ResolvedAddress(street="12 Lê Lợi", ward_code=26743, province_code=79,
    legacy_text="P. Bến Thành, Q.1, TP.HCM")``. ``province``/``district``/``commune``, when
    given, take the place of the corresponding units in ``text``. Raises AddressUnresolved
    (codes in errors.py) when no unit or several units match; never returns a guess.
    """
    parts = _split(_clean(text))
    columns = {"province": _clean(province), "district": _clean(district)}
    commune_text = _clean(commune)
    if parts and not commune_text and _province(parts[-1]) is None:
        # Units written without commas ("12 Lê Lợi P. Bến Thành Q.1 TP.HCM").
        parts[-1:] = _cut_units(parts[-1])
    province_unit: _Province | None = None
    province_text: str | None = None
    if columns["province"]:
        province_unit = _province(columns["province"])
        if province_unit is None:
            raise AddressUnresolved(PROVINCE_UNKNOWN)
        province_text = columns["province"]
        if parts and (tail := _province(parts[-1])) and tail.new == province_unit.new:
            parts.pop()
    elif parts:
        province_unit = _province(parts[-1])
        if province_unit is not None:
            province_text = parts.pop()
        elif name_key(parts[-1]).level is Level.PROVINCE:
            raise AddressUnresolved(PROVINCE_UNKNOWN)
    district_text = columns["district"] or None
    if district_text and parts and fold(parts[-1]) == fold(district_text):
        parts.pop()
    if commune_text:
        if parts and fold(parts[-1]) == fold(commune_text):
            parts.pop()
        reading = _Reading(tuple(parts), commune_text, district_text, province_unit, province_text)
        return _best([reading])
    return _best(_readings(parts, province_unit, province_text, district_text))
