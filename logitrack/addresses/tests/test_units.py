"""Every unit of both data sets, written as people write it, resolves to itself or is refused
with itself among the candidates: a wrong commune is never returned."""

from __future__ import annotations

import pytest

from logitrack.addresses import AddressUnresolved, address_resolve, units
from logitrack.addresses.keys import fold
from logitrack.addresses.legacy import OldCommune, legacy_index


def _answer(text: str) -> tuple[str, frozenset[int]]:
    try:
        found = address_resolve(text)
    except AddressUnresolved as exc:
        return "refused", frozenset(candidate.ward_code for candidate in exc.candidates)
    kind = "legacy" if found.legacy_text is not None else "new"
    return kind, frozenset({found.ward_code})


@pytest.mark.parametrize("write", [str, fold], ids=["accented", "without accents"])
def test_every_2025_commune_in_the_2025_form_resolves_to_itself_or_is_offered(
    write: object,
) -> None:
    assert callable(write)
    wrong = []
    for commune in units.communes().values():
        province = units.provinces()[commune.province_code]
        kind, codes = _answer(write(f"1 Lê Lợi, {commune.name}, {province.name}"))
        if commune.code not in codes or (kind != "refused" and codes != {commune.code}):
            wrong.append(commune.name)

    assert wrong == []


def test_the_2025_form_with_accents_resolves_all_but_the_names_an_old_commune_shared() -> None:
    refused = 0
    for commune in units.communes().values():
        province = units.provinces()[commune.province_code]
        kind, _codes = _answer(f"{commune.name}, {province.name}")
        refused += kind == "refused"

    assert (len(units.communes()), refused) == (3321, 125)


def _old_communes() -> list[OldCommune]:
    return [c for found in legacy_index().communes_in_district.values() for c in found]


def test_every_pre_2025_commune_in_the_three_level_form_converts_or_offers_all_its_parts() -> None:
    provinces = {old.key: old for old in legacy_index().provinces.values()}
    wrong = []
    for old in _old_communes():
        province = provinces[old.district.province_key]
        kind, codes = _answer(f"{old.name}, {old.district.name}, {province.name}")
        right = codes == old.new_codes if kind != "refused" else old.new_codes <= codes
        if kind == "new" or not right:
            wrong.append(f"{old.name}, {old.district.name}")

    assert wrong == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Huyện Côn Đảo, Bà Rịa - Vũng Tàu", 26732),
        ("12 Nguyễn Huệ, H. Côn Đảo, BR-VT", 26732),
        ("Thôn Đông, Huyện Lý Sơn, Quảng Ngãi", 21548),
    ],
)
def test_an_island_district_without_communes_converts_to_its_special_zone(
    text: str, code: int
) -> None:
    found = address_resolve(text)

    assert (found.ward_code, found.legacy_text is not None) == (code, True)


def test_the_merger_mapping_names_only_communes_vietnam_provinces_knows() -> None:
    index = legacy_index()
    targets = {code for old in _old_communes() for code in old.new_codes}
    targets |= set(index.whole_districts.values())

    assert len(index.provinces) == 63
    assert (len(_old_communes()), len(index.whole_districts)) == (10038, 5)
    assert targets <= set(units.communes())
    assert len(targets) == 3320
    assert {old.new_province_code for old in index.provinces.values()} == set(units.provinces())
