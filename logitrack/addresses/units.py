"""Indexes of the 2025 units (34 provinces, 3,321 communes/wards) by name key.

Built once per process from ``vietnam-provinces`` (the codes forms and models validate with)
and kept (``lru_cache``); lookups are dictionary reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vietnam_provinces import Province, Ward

from logitrack.addresses.keys import Level, name_key
from logitrack.core.collation import clean_name

# Names people write for a province that folding its official name does not give: folded
# alias -> folded official name (2025 or pre-2025, see legacy.py), e.g. "TP.HCM" -> "hochiminh".
PROVINCE_ALIASES: dict[str, str] = {
    "hcm": "hochiminh",
    "tphcm": "hochiminh",
    "hcmc": "hochiminh",
    "hochiminhcity": "hochiminh",
    "saigon": "hochiminh",
    "sg": "hochiminh",
    "hn": "hanoi",
    "tphn": "hanoi",
    "hp": "haiphong",
    "daclac": "daklak",
    "daknong": "daknong",
    "brvt": "bariavungtau",
    "vungtau": "bariavungtau",
    "thuathienhue": "hue",
    "tthue": "hue",
}


def canonical_province_key(folded: str) -> str:
    """The folded official province name an alias stands for (the key itself when no alias)."""
    return PROVINCE_ALIASES.get(folded, folded)


@dataclass(frozen=True, slots=True)
class Unit:
    """One 2025 unit: its code, its province's code, its official name and its name keys."""

    code: int
    province_code: int
    name: str
    level: Level
    kind: str
    folded: str
    toned: str


def _unit(code: int, province_code: int, name: str, level: Level) -> Unit:
    key = name_key(name)
    return Unit(code, province_code, name, level, key.kind, key.folded, key.toned)


@lru_cache(maxsize=1)
def provinces() -> dict[int, Unit]:
    """Every 2025 province by code."""
    return {
        int(p.code): _unit(int(p.code), int(p.code), clean_name(p.name), Level.PROVINCE)
        for p in Province.iter_all()
    }


@lru_cache(maxsize=1)
def provinces_by_key() -> dict[str, Unit]:
    """Province by folded official name (look aliases up through canonical_province_key)."""
    index = {unit.folded: unit for unit in provinces().values()}
    if len(index) != len(provinces()):
        raise RuntimeError("two 2025 provinces fold to one key")
    return index


@lru_cache(maxsize=1)
def communes() -> dict[int, Unit]:
    """Every 2025 commune/ward/special zone by code."""
    return {
        int(w.code): _unit(int(w.code), int(w.province_code), clean_name(w.name), Level.COMMUNE)
        for w in Ward.iter_all()
    }


@lru_cache(maxsize=1)
def communes_by_key() -> dict[str, tuple[Unit, ...]]:
    """Communes by folded key, across all provinces (a name can recur in several provinces)."""
    index: dict[str, list[Unit]] = {}
    for unit in communes().values():
        index.setdefault(unit.folded, []).append(unit)
    return {key: tuple(units) for key, units in index.items()}


@lru_cache(maxsize=1)
def communes_by_province_key() -> dict[tuple[int, str], tuple[Unit, ...]]:
    """Communes by (province code, folded key); more than one only where names differ by tone."""
    index: dict[tuple[int, str], list[Unit]] = {}
    for unit in communes().values():
        index.setdefault((unit.province_code, unit.folded), []).append(unit)
    return {key: tuple(units) for key, units in index.items()}
