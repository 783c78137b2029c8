"""Writes to people's accounts. Each service is atomic and writes its audit entry."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from logitrack.accounts.errors import EmailTaken, UnderMinimumAge
from logitrack.accounts.models import User
from logitrack.security.actors import Actor
from logitrack.security.services import audit_record

MINIMUM_AGE_YEARS = 16


def age_on(birth: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth.month, birth.day)
    return today.year - birth.year - int(before_birthday)


def ensure_minimum_age(date_of_birth: date, *, today: date | None = None) -> None:
    """Raise UnderMinimumAge for anyone under 16 (policy §9); callers store nothing then."""
    today = today or timezone.localdate()
    if date_of_birth > today or age_on(date_of_birth, today) < MINIMUM_AGE_YEARS:
        raise UnderMinimumAge()


def user_create(
    *,
    actor: Actor,
    email: str,
    password: str | None,
    full_name: str,
    date_of_birth: date | None = None,
    language: str = "vi",
    **fields: Any,
) -> User:
    """Create a person's account.

    Invariants: the age check runs before anything is written, so nothing of a person under 16
    is stored; the e-mail is unique case-insensitively; the password (when given) is hashed.
    """
    if date_of_birth is not None:
        ensure_minimum_age(date_of_birth)
    normalised = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        if User.objects.filter(email__iexact=normalised).exists():
            raise EmailTaken()
        if date_of_birth is not None:
            fields["date_of_birth"] = date_of_birth
        user = User.objects.create_user(
            email=normalised, password=password, full_name=full_name, language=language, **fields
        )
        audit_record(action="user_created", actor=actor, object_type="user", object_id=str(user.pk))
    return user
