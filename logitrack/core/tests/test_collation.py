"""Human names sort in Vietnamese order, and place names have clean whitespace."""

from __future__ import annotations

import unicodedata

import pytest
from vietnam_provinces import Ward

from logitrack.core.collation import clean_name, sorted_vietnamese, vietnamese_sort_key
from logitrack.core.testing import HttpsClient
from logitrack.tenancy.geography import province_choices, ward_choices, ward_name
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, make_user, sign_in


def _names(items: list[str]) -> list[str]:
    return sorted_vietnamese(items, key=lambda name: name)


def test_tones_come_after_the_base_letters_and_spaces_before_letters() -> None:
    assert _names(["Cao Bằng", "Cà Mau"]) == ["Cà Mau", "Cao Bằng"]


def test_d_with_stroke_sorts_after_every_d() -> None:
    assert _names(["Đà Nẵng", "Duy Tân", "Dak Lak", "Điện Biên", "Em"]) == [
        "Dak Lak",
        "Duy Tân",
        "Đà Nẵng",
        "Điện Biên",
        "Em",
    ]


def test_vowels_with_marks_follow_their_base_vowel() -> None:
    assert _names(["Ơn", "Ô Môn", "Oanh", "Ưng", "Uyên", "Ân", "Ăn", "An"]) == [
        "An",
        "Ăn",
        "Ân",
        "Oanh",
        "Ô Môn",
        "Ơn",
        "Uyên",
        "Ưng",
    ]


def test_a_decomposed_name_sorts_like_its_composed_form() -> None:
    composed = "Đặng Thu Hà"
    decomposed = unicodedata.normalize("NFD", composed)

    assert vietnamese_sort_key(decomposed) == vietnamese_sort_key(composed)


def test_province_choices_are_in_vietnamese_order() -> None:
    names = [name for _code, name in province_choices()]

    assert names.index("Cà Mau") < names.index("Cao Bằng")
    assert names.index("Điện Biên") > names.index("Cao Bằng")
    assert names.index("Điện Biên") < names.index("Gia Lai")
    assert names == _names(names)


def test_every_ward_name_has_clean_whitespace_and_wards_are_in_vietnamese_order() -> None:
    doubled = [ward for ward in Ward.iter_all() if "  " in ward.name]
    assert doubled, "control: the package has names with doubled spaces"

    for code, _name in province_choices():
        names = [name for _code, name in ward_choices(code)]
        assert names == _names(names)
        assert all(name == clean_name(name) for name in names)
    assert all(ward_name(int(ward.code)) == clean_name(ward.name) for ward in doubled)


@pytest.mark.django_db
def test_the_member_list_is_in_vietnamese_order(client: HttpsClient) -> None:
    tenant = make_tenant()
    owner = make_member(tenant, Role.OWNER, user=make_user(full_name="Nguyễn Văn An"))
    for name in ("Đặng Thu Hà", "Dương Minh", "Ân Hoàng", "Cao Văn Bảy", "Cà Thị Mai"):
        make_member(tenant, Role.VIEWER, user=make_user(full_name=name))
    sign_in(client, owner)

    members = client.get("/api/v1/members").json()

    assert [member["full_name"] for member in members] == [
        "Ân Hoàng",
        "Cà Thị Mai",
        "Cao Văn Bảy",
        "Dương Minh",
        "Đặng Thu Hà",
        "Nguyễn Văn An",
    ]
