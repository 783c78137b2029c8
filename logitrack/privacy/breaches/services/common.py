"""Checks shared by the services of this app."""

from __future__ import annotations

from collections.abc import Iterable

from logitrack.accounts.models import User
from logitrack.privacy import taxonomy
from logitrack.privacy.breaches.errors import InvalidCategory
from logitrack.security.actors import Actor

PRIVACY_OFFICER = User.PlatformRole.PRIVACY_OFFICER


def clean_categories(categories: Iterable[str]) -> list[str]:
    """The categories in order without repeats; InvalidCategory when empty or one is unknown
    (the Fides default taxonomy plus Logitrack's extensions, ``logitrack.privacy.taxonomy``)."""
    cleaned = list(dict.fromkeys(c.strip() for c in categories if c.strip()))
    if not cleaned or any(not taxonomy.is_known_category(c) for c in cleaned):
        raise InvalidCategory()
    return cleaned


def staff_actor(user: User) -> Actor:
    """The audit actor of a privacy officer; PermissionError for anyone else (a bug: the pages
    declare ``platform_staff("privacy_officer")`` before calling a service)."""
    if not user.is_active or user.platform_role != PRIVACY_OFFICER:
        raise PermissionError("only an active privacy officer may change the registers")
    return Actor.user(user)
