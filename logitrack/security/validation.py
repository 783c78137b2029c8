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
from stdnum import ean

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
# Values whose digits are not a phone number and are set aside before the phone search, each only
# as a whole token: no letter, digit or number punctuation may touch it on either side, or the
# digits around it could be a phone number that setting the token aside would cut in two
# ("0912-03-0456" is a date followed by "56" to a bare pattern, and a phone number to a person).
_LEFT = r"(?<![\w.,+/:-])"
_RIGHT = r"(?![\w+/:-]|[.,]\d)"
# An ISO 8601 date or date-time as datetime.isoformat() writes it (RFC 3339 profile): its digit
# runs (seconds, microseconds, offset) can pass for a phone number, about 1 in 300 timestamps.
# Years 1970-2199 only: a "year" 0912 or 1900 begins a Vietnamese mobile or hotline number.
_ISO_DATETIME = re.compile(
    _LEFT + r"(?:19[7-9]\d|2[01]\d\d)-\d{2}-\d{2}"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?" + _RIGHT
)
# A decimal degree (latitude or longitude) or a pair of them: at most 180, four to eight decimals,
# no leading zero ("091.2345678" is a mobile number written with a dot). Nine or more decimals
# stay searched.
_DEGREE = r"-?(?:0|[1-9]\d{0,2})\.\d{4,8}"
_DEGREES = re.compile(_LEFT + _DEGREE + r"(?:\s?,\s?" + _DEGREE + ")?" + _RIGHT)
# A money amount written with its currency ("2.293.595.695 ₫", "780377660.28 VND"); no leading
# zero, so that "0912345678 đồng ý" is still a phone number.
_MONEY = re.compile(_LEFT + r"(?:0|[1-9]\d*)(?:[.,]\d+)*\s?(?:₫|đ|vnđ|vnd)(?!\w)", re.IGNORECASE)
# A GS1 serial shipping container code, bare or after its application identifier "(00)": 18
# digits whose last is the GS1 check digit.
_SSCC = re.compile(r"(?<![\w.,+/:-])(?:\(00\))?(\d{18})(?!\d)")
# A UUID as str(uuid) writes it, or a hex digest (MD5, SHA-1, SHA-256, SHA-512) with at least one
# letter: a run of its decimal digits can be a valid short number ("69806395-ad4f-...").
_HEX_ID = re.compile(
    r"(?<![\w.,+/:-])(?:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
    r"|(?=[0-9a-f]*[a-f])(?:[0-9a-f]{128}|[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32}))(?![\w+/:-])",
    re.IGNORECASE,
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


def _set_aside(text: str) -> str:
    """``text`` with every whole value that is known not to be a phone number (a real ISO 8601
    date or date-time, a decimal degree, a money amount with its currency, an SSCC with a valid
    check digit, a UUID or hex digest) replaced by a space, so that the phone search sees none
    of their digits."""

    def timestamp(match: re.Match[str]) -> str:
        try:
            dt.datetime.fromisoformat(match.group(0))
        except ValueError:
            return match.group(0)
        return " "

    def degrees(match: re.Match[str]) -> str:
        values = (float(part) for part in match.group(0).split(","))
        return " " if all(abs(value) <= 180 for value in values) else match.group(0)

    def sscc(match: re.Match[str]) -> str:
        digits = match.group(1)
        return " " if ean.calc_check_digit(digits[:-1]) == digits[-1] else match.group(0)

    text = _HEX_ID.sub(" ", text)
    text = _ISO_DATETIME.sub(timestamp, text)
    text = _DEGREES.sub(degrees, text)
    text = _MONEY.sub(" ", text)
    return _SSCC.sub(sscc, text)


def looks_like_personal_data(text: str) -> bool:
    """True when ``text`` contains something shaped like an e-mail address or a phone number
    (a valid Vietnamese number by libphonenumber, anywhere in the text). Whole values known not
    to be one (``_set_aside``: ISO 8601 times, decimal degrees, money with its currency, SSCCs,
    UUIDs, hex digests) are not searched; their digits would otherwise match at random."""
    if EMAIL_PATTERN.search(text):
        return True
    matcher = phonenumbers.PhoneNumberMatcher(
        _set_aside(text), PHONE_REGION, leniency=phonenumbers.Leniency.VALID
    )
    return matcher.has_next()
