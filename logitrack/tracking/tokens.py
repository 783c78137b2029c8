"""Device tokens: ``dt_<8 lowercase letters or digits>_<43 URL-safe characters>``.

The first part is the token's public id (``Device.token_prefix``); only the SHA-256 of the whole
token is stored, as for API keys (logitrack/tenancy/api_keys.py): the secret is 32 random bytes,
so a fast hash suffices and a lookup is one indexed query.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass

TOKEN_MARK = "dt_"  # noqa: S105  (a public marker, not a secret)
_ALPHABET = string.ascii_lowercase + string.digits
_TOKEN = re.compile(r"^(dt_[a-z0-9]{8})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class NewDeviceToken:
    prefix: str
    token: str
    secret_hash: str


def device_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def device_token_new() -> NewDeviceToken:
    prefix = TOKEN_MARK + "".join(secrets.choice(_ALPHABET) for _ in range(8))
    token = f"{prefix}_{secrets.token_urlsafe(32)}"
    return NewDeviceToken(prefix=prefix, token=token, secret_hash=device_token_hash(token))


def device_token_prefix(token: str) -> str | None:
    """The public id of a well-formed token, or None."""
    match = _TOKEN.fullmatch(token)
    return match.group(1) if match is not None else None


def device_token_matches(token: str, secret_hash: str) -> bool:
    """True when ``token`` is well formed and hashes to ``secret_hash`` (constant time)."""
    if device_token_prefix(token) is None:
        return False
    return hmac.compare_digest(device_token_hash(token), secret_hash)
