"""Passwords are hashed and checked as their NFKC form; older as-typed hashes are upgraded."""

from __future__ import annotations

import unicodedata

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import identify_hasher

from logitrack.accounts.errors import PasswordRejected
from logitrack.accounts.hashers import AsTypedMD5PasswordHasher, NfkcMD5PasswordHasher
from logitrack.accounts.models import User
from logitrack.accounts.services import password_check, user_create
from logitrack.accounts.tests.helpers import sign_in
from logitrack.core.testing import HttpsClient
from logitrack.security.actors import Actor

pytestmark = pytest.mark.django_db

EMAIL = "thu.ha@example.vn"
PASSPHRASE = "Mật khẩu của Thu Hà bên sông Hương"
NFC = unicodedata.normalize("NFC", PASSPHRASE)
NFD = unicodedata.normalize("NFD", PASSPHRASE)


def _signed_up(password: str) -> User:
    return user_create(
        actor=Actor.anonymous(), email=EMAIL, password=password, full_name="Lê Thu Hà"
    )


def _with_old_hash(password: str) -> User:
    """An account whose hash an older release made from the password exactly as typed."""
    user = _signed_up(NFC)
    old = AsTypedMD5PasswordHasher().encode(password, "oldsalt0123456789")
    User.objects.filter(pk=user.pk).update(password=old)
    return User.objects.get(pk=user.pk)


def test_the_two_spellings_differ_as_strings() -> None:
    assert NFC != NFD
    assert len(NFD) > len(NFC)


def test_a_decomposed_passphrase_signs_in_after_a_precomposed_sign_up(client: HttpsClient) -> None:
    person = _signed_up(NFC)

    response = sign_in(client, email=EMAIL, password=NFD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(person.pk)


def test_a_precomposed_passphrase_signs_in_after_a_decomposed_sign_up(
    client: HttpsClient,
) -> None:
    person = _signed_up(NFD)

    response = sign_in(client, email=EMAIL, password=NFC)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(person.pk)


def test_a_new_hash_is_made_from_the_nfkc_form() -> None:
    person = _signed_up(NFD)

    assert identify_hasher(person.password).algorithm == "nfkc_md5"
    assert person.password == NfkcMD5PasswordHasher().encode(NFC, person.password.split("$")[1])


@pytest.mark.parametrize(("stored", "typed"), [(NFD, NFD), (NFC, NFC), (NFC, NFD)])
def test_an_old_as_typed_hash_verifies_and_is_upgraded_at_sign_in(
    client: HttpsClient, stored: str, typed: str
) -> None:
    person = _with_old_hash(stored)
    old = person.password

    response = sign_in(client, email=EMAIL, password=typed)

    new = User.objects.get(pk=person.pk).password
    assert response.status_code == 302
    assert new != old
    assert identify_hasher(new).algorithm == "nfkc_md5"
    assert NfkcMD5PasswordHasher().verify(NFC, new)
    assert new == NfkcMD5PasswordHasher().encode(NFC, new.split("$")[1])


def test_an_upgraded_hash_then_accepts_either_spelling(client: HttpsClient) -> None:
    _with_old_hash(NFD)
    sign_in(client, email=EMAIL, password=NFD)

    other = HttpsClient()
    response = sign_in(other, email=EMAIL, password=NFC)

    assert response.status_code == 302


@pytest.mark.parametrize("old", [False, True], ids=["nfkc-hash", "old-hash"])
def test_a_wrong_password_is_still_refused_and_the_hash_is_unchanged(
    client: HttpsClient, old: bool
) -> None:
    person = _with_old_hash(NFC) if old else _signed_up(NFC)
    before = User.objects.get(pk=person.pk).password

    typo = unicodedata.normalize("NFD", PASSPHRASE.replace("Hương", "Hướng"))

    wrong = sign_in(client, email=EMAIL, password=typo)

    assert wrong.status_code == 200
    assert SESSION_KEY not in client.session
    assert User.objects.get(pk=person.pk).password == before


def test_an_old_hash_of_a_decomposed_password_does_not_accept_a_precomposed_one(
    client: HttpsClient,
) -> None:
    # The as-typed hasher tries the typed form and its NFKC form, never the NFD form: a hash of
    # an NFD password needs that NFD password once, then works with both spellings.
    person = _with_old_hash(NFD)
    before = person.password

    response = sign_in(client, email=EMAIL, password=NFC)

    assert response.status_code == 200
    assert User.objects.get(pk=person.pk).password == before


def test_the_length_rules_count_the_normalised_characters() -> None:
    person = User(email=EMAIL, full_name="Lê Thu Hà")
    eleven = "ấầẩẫậốồổỗộẹ"  # 11 characters precomposed, 32 decomposed
    decomposed = unicodedata.normalize("NFD", eleven)
    assert len(decomposed) == 32

    with pytest.raises(PasswordRejected) as refused:
        password_check(decomposed, user=person)
    assert refused.value.messages == ["Mật khẩu này quá ngắn. Mật khẩu phải có ít nhất 12 ký tự."]

    long_nfc = ("đồng lúa " * 15)[:128]
    long_nfd = unicodedata.normalize("NFD", long_nfc)
    assert len(long_nfd) > 128
    password_check(long_nfd, user=person)
