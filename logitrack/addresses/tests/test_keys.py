from __future__ import annotations

import pytest

from logitrack.addresses.keys import Level, NameKey, name_key


@pytest.mark.parametrize(
    ("written", "level", "kind", "folded"),
    [
        ("TP.HCM", Level.CITY, "thanhpho", "hcm"),
        ("TPHCM", None, "", "tphcm"),
        ("Tp Hồ Chí Minh", Level.CITY, "thanhpho", "hochiminh"),
        ("Thành phố Hồ Chí Minh", Level.CITY, "thanhpho", "hochiminh"),
        ("Tỉnh Đắk Lắk", Level.PROVINCE, "tinh", "daklak"),
        ("Q.1", Level.DISTRICT, "quan", "1"),
        ("Q1", Level.DISTRICT, "quan", "1"),
        ("Quận 01", Level.DISTRICT, "quan", "1"),
        ("H. Củ Chi", Level.DISTRICT, "huyen", "cuchi"),
        ("TX Sa Pa", Level.DISTRICT, "thixa", "sapa"),
        ("Thị xã Sa Pa", Level.DISTRICT, "thixa", "sapa"),
        ("P.1", Level.COMMUNE, "phuong", "1"),
        ("Phường 01", Level.COMMUNE, "phuong", "1"),
        ("F11", Level.COMMUNE, "phuong", "11"),
        ("P. Bến Thành", Level.COMMUNE, "phuong", "benthanh"),
        ("X. Bát Tràng", Level.COMMUNE, "xa", "battrang"),
        ("TT Phùng", Level.COMMUNE, "thitran", "phung"),
        ("Thị trấn Phùng", Level.COMMUNE, "thitran", "phung"),
        ("Đặc khu Phú Quốc", Level.COMMUNE, "dackhu", "phuquoc"),
        ("Bến Thành", None, "", "benthanh"),
    ],
)
def test_prefixes_abbreviations_and_numbers_key_alike(
    written: str, level: Level | None, kind: str, folded: str
) -> None:
    key = name_key(written)

    assert (key.level, key.kind, key.folded) == (level, kind, folded)


def test_old_and_new_tone_placement_give_one_toned_key() -> None:
    assert name_key("Thanh Hòa").toned == name_key("Thanh Hoà").toned == "thanh0hoa1"


def test_names_differing_only_by_tone_keep_apart_when_written_with_accents() -> None:
    assert name_key("Cẩm Giang").folded == name_key("Cẩm Giàng").folded
    assert name_key("Cẩm Giang").toned != name_key("Cẩm Giàng").toned


def test_a_name_written_without_accents_has_no_toned_key() -> None:
    assert name_key("cam giang") == NameKey(None, "", "camgiang", "")


def test_decomposed_input_keys_like_the_composed_form() -> None:
    assert name_key("Phu\u031bo\u031b\u0300ng Be\u0302\u0301n Tha\u0300nh") == name_key(
        "Phường Bến Thành"
    )


def test_a_bidi_control_gives_an_empty_key() -> None:
    assert name_key("Bến\u202eThành") == NameKey(None, "", "", "")
