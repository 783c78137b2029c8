"""Password rules: 12 to 128 characters, not on a common or breached list; no composition rules.

Django's own validators check its list of 20,000 common passwords and the similarity to the
person's e-mail and name. This module adds the length limits (with Vietnamese messages) and a
second list, shipped in ``data/``, of passwords common in Vietnamese usage that Django's lacks.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import (
    MinimumLengthValidator as DjangoMinimumLengthValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATA_DIR = Path(__file__).resolve().parent / "data"
LISTED_PASSWORDS_FILE = DATA_DIR / "common-passwords-vi.txt"
MAX_PASSWORD_LENGTH = 128


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    """Django's minimum length, with messages of our own (Django ships no Vietnamese for them)."""

    def __init__(self, min_length: int = 12) -> None:
        super().__init__(min_length)

    # The limits are settings far above one, so the messages need no singular form.
    def get_error_message(self) -> str:
        return _(
            "This password is too short. It must contain at least %(min_length)d characters."
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("Your password must contain at least %(min_length)d characters.") % {
            "min_length": self.min_length
        }


class MaximumLengthValidator:
    """Refuse passwords longer than ``max_length`` characters (hashing cost, request size)."""

    def __init__(self, max_length: int = MAX_PASSWORD_LENGTH) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                _("This password is too long. It must contain at most %(max_length)d characters."),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("Your password must contain at most %(max_length)d characters.") % {
            "max_length": self.max_length
        }


def normalise(password: str) -> str:
    """Lower case, without accents or spaces: "Mật khẩu 123" and "matkhau123" are one password."""
    decomposed = unicodedata.normalize("NFKD", password.casefold().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", "", stripped)


@functools.cache
def _listed(path: Path) -> frozenset[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(normalise(line) for line in lines if line.strip() and not line.startswith("#"))


class ListedPasswordValidator:
    """Refuse passwords on Logitrack's shipped list (``data/common-passwords-vi.txt``)."""

    def __init__(self, path: str | Path = LISTED_PASSWORDS_FILE) -> None:
        self.path = Path(path)

    def validate(self, password: str, user: Any = None) -> None:
        if normalise(password) in _listed(self.path):
            raise ValidationError(_("This password is too common."), code="password_too_common")

    def get_help_text(self) -> str:
        return _("Your password cannot be a commonly used password.")
