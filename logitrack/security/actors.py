"""Who did an audited thing, named by a pseudonym rather than by who they are.

The audit chain cannot be edited, so it must never hold a name or an e-mail address: those would
outlive an erasure request forever. Each actor is recorded as its kind and an HMAC-SHA256 of
``"kind:identifier"`` under a key derived from SECRET_KEY. The same actor always gets the same
pseudonym (so an officer can follow one actor's trail, and a data subject's entries can be found
by recomputing theirs), while the pseudonym alone reveals nothing without the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

# Changing the salt changes every future pseudonym, breaking the link between old and new entries
# of the same actor (old entries still verify: the chain hashes the stored pseudonym).
PSEUDONYM_SALT = "logitrack.security.actors.pseudonym"
SYSTEM_NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


class ActorKind(models.TextChoices):
    USER = "user", _("User")
    API_KEY = "api_key", _("API key")
    DEVICE = "device", _("Device")
    SYSTEM = "system", _("System")
    ANONYMOUS = "anonymous", _("Anonymous")


class _HasPk(Protocol):
    @property
    def pk(self) -> object: ...


def pseudonym_for(kind: ActorKind, identifier: str) -> str:
    """The pseudonym of the actor ``kind:identifier``: 64 hex digits, stable for one SECRET_KEY."""
    return salted_hmac(PSEUDONYM_SALT, f"{kind.value}:{identifier}", algorithm="sha256").hexdigest()


def _saved_pk(kind: ActorKind, pk: object) -> str:
    # bool is an int subclass; True as a primary key is a bug in the caller, not user 1.
    if pk is None or isinstance(pk, bool) or str(pk) == "":
        raise ValueError(f"an audit actor of kind {kind.value!r} needs a saved primary key")
    return str(pk)


@dataclass(frozen=True)
class Actor:
    """An actor as the audit chain records it: a kind and a pseudonym, nothing else."""

    kind: ActorKind
    pseudonym: str

    @classmethod
    def user(cls, user: _HasPk) -> Actor:
        return cls._of(ActorKind.USER, _saved_pk(ActorKind.USER, user.pk))

    @classmethod
    def api_key(cls, key_pk: object) -> Actor:
        return cls._of(ActorKind.API_KEY, _saved_pk(ActorKind.API_KEY, key_pk))

    @classmethod
    def device(cls, device_pk: object) -> Actor:
        return cls._of(ActorKind.DEVICE, _saved_pk(ActorKind.DEVICE, device_pk))

    @classmethod
    def system(cls, name: str) -> Actor:
        """A job or command acting on its own, e.g. ``Actor.system("retention")``."""
        if SYSTEM_NAME_PATTERN.fullmatch(name) is None:
            raise ValueError("a system actor's name is a short lowercase identifier")
        return cls._of(ActorKind.SYSTEM, name)

    @classmethod
    def anonymous(cls) -> Actor:
        """Nobody identified (a failed sign-in for an unknown account, a public page)."""
        return cls(kind=ActorKind.ANONYMOUS, pseudonym="")

    @classmethod
    def _of(cls, kind: ActorKind, identifier: str) -> Actor:
        return cls(kind=kind, pseudonym=pseudonym_for(kind, identifier))
