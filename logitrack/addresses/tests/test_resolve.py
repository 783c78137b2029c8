from __future__ import annotations

import pytest

from logitrack.addresses import AddressUnresolved, Candidate, ResolvedAddress, address_resolve


def test_new_form_free_text_resolves_to_vietnam_provinces_codes() -> None:
    resolved = address_resolve("12 Lê Lợi, Phường Sài Gòn, TP.HCM")

    assert resolved == ResolvedAddress("12 Lê Lợi", 26740, 79, None)
    assert resolved.new_form() == "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh"
    assert resolved.legacy_form() is None


def test_names_differing_only_by_tone_are_ambiguous_without_accents() -> None:
    with pytest.raises(AddressUnresolved) as caught:
        address_resolve("xa cam giang, hai phong")

    assert caught.value.code == "address_ambiguous"
    assert caught.value.candidates == [
        Candidate(10888, 31, "Xã Cẩm Giang, Thành phố Hải Phòng"),
        Candidate(10903, 31, "Xã Cẩm Giàng, Thành phố Hải Phòng"),
    ]


def test_names_differing_only_by_tone_resolve_with_accents() -> None:
    assert address_resolve("Xã Cẩm Giàng, Hải Phòng").ward_code == 10903


def test_commune_of_another_province_is_refused_with_where_it_is() -> None:
    with pytest.raises(AddressUnresolved) as caught:
        address_resolve("Phường Hoàn Kiếm, Đà Nẵng")

    assert caught.value.code == "address_commune_not_in_province"
    assert caught.value.candidates == [Candidate(70, 1, "Phường Hoàn Kiếm, Thành phố Hà Nội")]
