"""The password policy (12 to 128 characters, no common passwords, no composition rules) and the
hasher every shipped settings profile uses."""

from __future__ import annotations

import ast
import importlib
import unicodedata
from pathlib import Path

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core.exceptions import ValidationError

from logitrack.accounts.errors import PasswordRejected
from logitrack.accounts.hashers import LogitrackArgon2PasswordHasher, NfkcArgon2PasswordHasher
from logitrack.accounts.models import User
from logitrack.accounts.password_validation import ListedPasswordValidator, normalise
from logitrack.accounts.services import password_check

REPO = Path(__file__).resolve().parents[3]


def _person() -> User:
    return User(email="lan.nguyen@example.vn", full_name="Nguyễn Thị Lan")


def test_a_password_of_11_characters_is_refused() -> None:
    with pytest.raises(PasswordRejected) as refused:
        password_check("x7kq2m9vt4w", user=_person())

    assert refused.value.messages == ["Mật khẩu này quá ngắn. Mật khẩu phải có ít nhất 12 ký tự."]


def test_a_password_of_12_characters_is_accepted() -> None:
    password_check("x7kq2m9vt4wz", user=_person())


def test_a_password_of_128_characters_is_accepted() -> None:
    password_check("river lantern " * 9 + "x7", user=_person())


def test_a_password_of_129_characters_is_refused() -> None:
    with pytest.raises(PasswordRejected) as refused:
        password_check("river lantern " * 9 + "x7q", user=_person())

    assert refused.value.messages == [
        "Mật khẩu này quá dài. Mật khẩu chỉ được có tối đa 128 ký tự."
    ]


def test_lowercase_letters_only_are_enough_there_are_no_composition_rules() -> None:
    password_check("mountainriverbamboo", user=_person())


def test_a_common_password_from_djangos_list_is_refused() -> None:
    with pytest.raises(PasswordRejected) as refused:
        password_check("qwerty123456", user=_person())

    assert "Mật khẩu này quá phổ biến." in refused.value.messages


@pytest.mark.parametrize(
    "password",
    ["matkhau123456", "Mật khẩu 123456", "anhyeuem2026", "Logitrack@2026", "123456789abc"],
)
def test_a_password_common_in_vietnam_is_refused(password: str) -> None:
    with pytest.raises(PasswordRejected) as refused:
        password_check(password, user=_person())

    assert "Mật khẩu này quá phổ biến." in refused.value.messages


def test_a_password_like_the_email_is_refused() -> None:
    with pytest.raises(PasswordRejected) as refused:
        password_check("lan.nguyen@example", user=_person())

    assert "Mật khẩu quá giống với email." in refused.value.messages


def test_the_shipped_list_is_normalised_like_the_input() -> None:
    assert normalise("Mật Khẩu 123") == "matkhau123"
    assert normalise("Đà Nẵng") == "danang"
    with pytest.raises(ValidationError) as refused:
        ListedPasswordValidator().validate("Đà Nẵng @2026")
    assert refused.value.code == "password_too_common"


def test_the_chosen_hasher_is_argon2id_at_64_mib_3_passes_1_lane_over_nfkc() -> None:
    encoded = NfkcArgon2PasswordHasher().encode("a long passphrase", "saltsaltsaltsalt")

    assert encoded.startswith("nfkc_argon2$argon2id$v=19$m=65536,t=3,p=1$")
    assert NfkcArgon2PasswordHasher().verify("a long passphrase", encoded)


def test_the_chosen_argon2_hashes_the_nfkc_form_of_the_password() -> None:
    nfc = unicodedata.normalize("NFC", "Mật khẩu sông Hồng")
    nfd = unicodedata.normalize("NFD", nfc)
    from_nfd = NfkcArgon2PasswordHasher().encode(nfd, "saltsaltsaltsalt")
    from_nfc = NfkcArgon2PasswordHasher().encode(nfc, "saltsaltsaltsalt")

    assert from_nfd == from_nfc
    assert NfkcArgon2PasswordHasher().verify(nfd, from_nfc)
    assert not NfkcArgon2PasswordHasher().verify("Mat khau song Hong", from_nfc)


def test_the_base_settings_hash_with_the_chosen_argon2() -> None:
    base = importlib.import_module("config.settings.base")

    assert base.PASSWORD_HASHERS == [
        "logitrack.accounts.hashers.NfkcArgon2PasswordHasher",
        "logitrack.accounts.hashers.LogitrackArgon2PasswordHasher",
    ]


@pytest.mark.parametrize("profile", ["local.py", "prod.py"])
def test_the_shipped_profiles_keep_the_base_hasher(profile: str) -> None:
    # Read, not imported: prod refuses to import without its secrets. Each profile starts from
    # base and must not assign PASSWORD_HASHERS itself (only test.py may, for speed).
    tree = ast.parse((REPO / "config" / "settings" / profile).read_text(encoding="utf-8"))
    star_imports = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names)
    ]
    assigned = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }

    assert star_imports == ["config.settings.base"]
    assert "PASSWORD_HASHERS" not in assigned


def test_a_django_default_argon2_hash_still_verifies_and_is_upgraded() -> None:
    from django.contrib.auth.hashers import Argon2PasswordHasher

    old = Argon2PasswordHasher().encode("a long passphrase", "saltsaltsaltsalt")

    assert LogitrackArgon2PasswordHasher().verify("a long passphrase", old)
    assert LogitrackArgon2PasswordHasher().must_update(old)


def test_the_test_suite_alone_uses_a_fast_hasher() -> None:
    assert identify_hasher(make_password("x")).algorithm == "nfkc_md5"
