"""What an audit entry may contain, checked before anything is written.

The chain is permanent, so personal data must never enter it: ``details`` carries identifiers,
codes and counts, never an e-mail address or a phone number, and is refused whole when a value
looks like one. Every check raises ``InvalidAuditEntry`` (a ``ValueError``) with a stable code.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any

import phonenumbers

from logitrack.security.actions import is_valid_action

DETAIL_KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
# Loose on purpose: a false alarm costs the caller a rename, a miss costs a permanent leak.
EMAIL_PATTERN = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
PHONE_REGION = "VN"
MAX_DETAILS_BYTES = 4096
MAX_DETAILS_DEPTH = 4
USER_AGENT_MAX = 256
OBJECT_TYPE_MAX = 64
OBJECT_ID_MAX = 128
REQUEST_ID_MAX = 64
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
# An ISO 8601 date or date-time as datetime.isoformat() writes it (RFC 3339 profile): its digit
# runs (seconds, microseconds, offset) can pass for a phone number, about 1 in 300 timestamps.
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?"
)


class InvalidAuditEntry(ValueError):
    """The caller passed something the audit chain must not store; nothing was written."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def clean_action(action: str) -> str:
    if not isinstance(action, str) or not is_valid_action(action):
        raise InvalidAuditEntry("action_invalid", "action must match ^[a-z][a-z0-9_]{2,63}$")
    return action


def clean_text(value: str, *, field: str, max_length: int) -> str:
    """A short single-line string: control characters are refused rather than silently dropped."""
    if not isinstance(value, str) or len(value) > max_length or _CONTROL_CHARS.search(value):
        raise InvalidAuditEntry(
            f"{field}_invalid", f"{field} must be a single line of at most {max_length} characters"
        )
    return value


def clean_tenant_id(tenant_id: int | None) -> int | None:
    if tenant_id is None:
        return None
    if isinstance(tenant_id, bool) or not isinstance(tenant_id, int) or tenant_id < 1:
        raise InvalidAuditEntry("tenant_id_invalid", "tenant_id must be a positive integer")
    return tenant_id


def clean_ip(value: str | None) -> str:
    """The address in its canonical text form, IPv4-mapped IPv6 as plain IPv4; "" when unknown.

    Stored as text rather than PostgreSQL ``inet`` so that the value read back is exactly the
    value hashed, on both databases.
    """
    if value is None or value == "":
        return ""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError as exc:
        raise InvalidAuditEntry("ip_invalid", "ip must be an IPv4 or IPv6 address") from exc
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def clean_user_agent(value: str) -> str:
    """Truncated to 256 characters; control characters become spaces (clients send anything)."""
    return _CONTROL_CHARS.sub(" ", value or "")[:USER_AGENT_MAX]


def clean_details(details: Mapping[str, object] | None) -> dict[str, object]:
    """A JSON-safe copy of ``details``, refused when it could carry personal data.

    Values may be strings, integers, booleans, None, lists and nested mappings. Floats are refused
    because their text form may change on the way through the database, which would break the
    hash. Keys must be plain identifiers.
    """
    if details is None:
        return {}
    if not isinstance(details, Mapping):
        raise InvalidAuditEntry("details_invalid", "details must be a mapping")
    cleaned = _clean_mapping(details, depth=1)
    size = len(json.dumps(cleaned, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    if size > MAX_DETAILS_BYTES:
        raise InvalidAuditEntry("details_too_large", f"details exceed {MAX_DETAILS_BYTES} bytes")
    return cleaned


def _clean_mapping(mapping: Mapping[Any, object], *, depth: int) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in mapping.items():
        if not isinstance(key, str) or DETAIL_KEY_PATTERN.fullmatch(key) is None:
            raise InvalidAuditEntry(
                "details_key_invalid", f"details key {key!r} is not a plain identifier"
            )
        result[key] = _clean_value(value, key=key, depth=depth)
    return result


def _clean_value(value: object, *, key: str, depth: int) -> object:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidAuditEntry("details_value_invalid", f"details[{key!r}] holds a NUL")
        if looks_like_personal_data(value):
            raise InvalidAuditEntry(
                "details_personal_data",
                f"details[{key!r}] looks like an e-mail address or phone number",
            )
        return value
    if depth >= MAX_DETAILS_DEPTH:
        raise InvalidAuditEntry("details_too_deep", "details nest too deeply")
    if isinstance(value, Mapping):
        return _clean_mapping(value, depth=depth + 1)
    if isinstance(value, list | tuple):
        return [_clean_value(item, key=key, depth=depth + 1) for item in value]
    raise InvalidAuditEntry(
        "details_value_invalid", f"details[{key!r}] has unsupported type {type(value).__name__}"
    )


def _without_timestamps(text: str) -> str:
    """``text`` with every ISO 8601 date or date-time that is a real one replaced by a space, so
    that the phone search sees no digits of a time (a bare "12:289784+00" is not a number)."""

    def blank(match: re.Match[str]) -> str:
        try:
            dt.datetime.fromisoformat(match.group(0))
        except ValueError:
            return match.group(0)
        return " "

    return _ISO_DATETIME.sub(blank, text)


def looks_like_personal_data(text: str) -> bool:
    """True when ``text`` contains something shaped like an e-mail address or a phone number
    (a valid Vietnamese number by libphonenumber, anywhere in the text). Valid ISO 8601 dates and
    date-times are not searched for phone numbers; their digits would otherwise match at random."""
    if EMAIL_PATTERN.search(text):
        return True
    matcher = phonenumbers.PhoneNumberMatcher(
        _without_timestamps(text), PHONE_REGION, leniency=phonenumbers.Leniency.VALID
    )
    return matcher.has_next()
