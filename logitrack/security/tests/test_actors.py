"""Actors are recorded as a kind and a keyed pseudonym, never as who they are."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.conf import settings

from logitrack.security.actors import PSEUDONYM_SALT, Actor, ActorKind


def _expected(value: str) -> str:
    # salted_hmac's documented construction: HMAC keyed with SHA-256(salt + secret).
    key = hashlib.sha256((PSEUDONYM_SALT + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def test_api_key_pseudonym_is_hmac_of_kind_and_pk_under_a_key_from_secret_key() -> None:
    actor = Actor.api_key(42)

    assert actor.kind == ActorKind.API_KEY
    assert actor.pseudonym == _expected("api_key:42")


def test_same_pk_of_different_kinds_gets_different_pseudonyms() -> None:
    assert Actor.api_key(7).pseudonym != Actor.device(7).pseudonym


def test_same_actor_always_gets_the_same_pseudonym() -> None:
    assert Actor.device(7) == Actor.device("7")


def test_system_actor_is_pseudonymised_by_name() -> None:
    actor = Actor.system("retention")

    assert (actor.kind, actor.pseudonym) == (ActorKind.SYSTEM, _expected("system:retention"))


def test_anonymous_actor_has_no_pseudonym() -> None:
    assert Actor.anonymous() == Actor(kind=ActorKind.ANONYMOUS, pseudonym="")


@pytest.mark.parametrize("pk", [None, "", True])
def test_actor_without_a_saved_pk_is_refused(pk: object) -> None:
    with pytest.raises(ValueError, match="saved primary key"):
        Actor.api_key(pk)


def test_system_actor_name_must_be_an_identifier() -> None:
    with pytest.raises(ValueError, match="identifier"):
        Actor.system("Nguyễn Văn A")
