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


def test_a_legacy_address_keeps_the_old_units_as_written_for_the_label() -> None:
    resolved = address_resolve("12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM")

    assert resolved == ResolvedAddress("12 Lê Lợi", 26743, 79, "P. Bến Thành, Q.1, TP.HCM")
    assert resolved.new_form() == "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"
    assert resolved.legacy_form() == "12 Lê Lợi, P. Bến Thành, Q.1, TP.HCM"


def test_a_ward_split_by_the_merger_is_never_guessed() -> None:
    with pytest.raises(AddressUnresolved) as caught:
        address_resolve("5 Đinh Tiên Hoàng, P. Đa Kao, Q.1, TP.HCM")

    assert caught.value.code == "address_ambiguous"
    assert sorted(c.ward_code for c in caught.value.candidates) == [26737, 26740]
    assert caught.value.candidates[0].label.endswith("(Phường Đa Kao, Quận 1)")


def test_a_name_found_in_several_provinces_without_a_province_is_ambiguous() -> None:
    with pytest.raises(AddressUnresolved) as caught:
        address_resolve("Xã Tân Phú")

    assert caught.value.code == "address_ambiguous"
    assert sorted(c.province_code for c in caught.value.candidates) == [40, 75, 80, 82, 86]


def test_split_columns_resolve_with_the_street_kept_apart() -> None:
    resolved = address_resolve(
        "Thôn 3", province="Bình Dương", district="Bắc Tân Uyên", commune="Tân Thành"
    )

    assert (resolved.street, resolved.province_code) == ("Thôn 3", 79)
    assert resolved.ward_name == "Xã Bắc Tân Uyên"
    assert resolved.legacy_text == "Tân Thành, Bắc Tân Uyên, Bình Dương"


def test_an_unknown_province_column_is_refused_without_candidates() -> None:
    with pytest.raises(AddressUnresolved) as caught:
        address_resolve("1 Lê Lợi", province="Atlantis", commune="Phường Sài Gòn")

    assert (caught.value.code, caught.value.candidates) == ("address_province_unknown", [])


@pytest.mark.parametrize("text", ["", "   ", "\u200b", "TP.HCM", "Việt Nam"])
def test_an_address_without_a_commune_is_refused_as_empty(text: str) -> None:
    with pytest.raises(AddressUnresolved) as caught:
        address_resolve(text)

    assert caught.value.code == "address_empty"


def test_a_bidi_control_is_refused_not_resolved() -> None:
    with pytest.raises(AddressUnresolved) as caught:
        address_resolve("Phường Sài Gòn\u202e, TP.HCM")

    assert caught.value.code == "address_empty"


def test_country_and_postcode_after_the_province_are_ignored() -> None:
    resolved = address_resolve("Phường Hạnh Thông, TP.HCM, 700000, Việt Nam")

    assert (resolved.ward_name, resolved.street) == ("Phường Hạnh Thông", "")


def test_units_written_without_commas_are_cut_at_their_prefixes() -> None:
    resolved = address_resolve("12 Lê Lợi P. Bến Thành Q.1 TP.HCM")

    assert (resolved.street, resolved.ward_code) == ("12 Lê Lợi", 26743)
    assert resolved.legacy_text == "P. Bến Thành, Q.1, TP.HCM"


def test_a_street_named_like_a_commune_prefix_stays_the_street() -> None:
    resolved = address_resolve("12 Xã Đàn, Phường Kim Liên, Hà Nội")

    assert (resolved.street, resolved.ward_name) == ("12 Xã Đàn", "Phường Kim Liên")


def test_the_messages_are_translated() -> None:
    from django.utils import translation

    error = AddressUnresolved("address_commune_unknown")
    with translation.override("vi"):
        assert error.message == "Không nhận ra xã/phường của địa chỉ này."
    with translation.override("en"):
        assert error.message == "The commune or ward of this address was not recognised."


def test_a_2025_commune_written_with_its_old_district_out_of_habit_resolves() -> None:
    resolved = address_resolve("Phường Sài Gòn, Quận 1, TP.HCM")

    assert (resolved.ward_code, resolved.legacy_text) == (26740, None)


def test_an_old_commune_written_with_the_wrong_district_is_refused_with_where_it_went() -> None:
    with pytest.raises(AddressUnresolved) as caught:
        address_resolve("Phường Bến Nghé, Quận 3, TP.HCM")

    assert caught.value.code == "address_commune_unknown"
    assert [c.ward_code for c in caught.value.candidates] == [26740]
