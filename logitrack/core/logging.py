"""Log records: one JSON object per line, and one filter that takes secrets and personal data out.

Every logger propagates to the root logger, whose handlers all carry ``RedactingFilter`` (see
``LOGGING`` in config/settings/base.py; a test walks every logger and fails on a handler without
it). The filter
rewrites the record in place, so every handler after it, and every formatter, sees the redacted
record: the message (with its arguments merged in), the fields passed with ``extra=``, the
formatted traceback and the stack. Tracebacks are the standard ones: file, line and source text,
never the values of local variables.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from logitrack.core.cards import mask_payment_cards
from logitrack.core.context import request_id_var

# Attributes every LogRecord has; anything else was passed through ``extra=`` and is logged.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
REDACTED = "[redacted]"

# Names of extra fields (and of key=value pairs in text) whose value is a secret or personal.
_SECRET_WORDS = "|".join(
    (
        *("token", "secret", "passw(?:or)?d", "pwd", "session(?:id|_?key)?", "csrf[\\w-]*"),
        *("api[_-]?key", "apikey", "signature", "sig", "otp", "cookie", "authorization"),
        *("e-?mail", "phone", "uidb64", "key_hash"),
    )
)
_SECRET_NAME = rf"[\w-]*(?:{_SECRET_WORDS})"
_SECRET_FIELD = re.compile(rf"^{_SECRET_NAME}$", re.IGNORECASE)

_Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]


def _long_token(match: re.Match[str]) -> str:
    # A long run of letters and digits mixed is a key, token or digest; a word or a number is not.
    run = match.group(0)
    digits = sum(ch.isdigit() for ch in run)
    letters = sum(ch.isalpha() for ch in run)
    return "[token]" if digits >= 3 and letters >= 3 else run


_RULES: tuple[_Rule, ...] = (
    # Headers (RFC 9110 §11.6.2 Authorization, RFC 6265 Cookie / Set-Cookie), however quoted.
    (
        re.compile(
            r"(?i)\b((?:proxy-)?authorization|set-cookie|cookie|http_authorization|http_cookie)"
            r"([\"']?\s*[:=]\s*)(?:\"[^\"]*\"|'[^']*'|[^\n,}]+)"
        ),
        rf"\1\2{REDACTED}",
    ),
    (re.compile(r"(?i)\b(bearer|basic|digest)\s+[A-Za-z0-9._~+/=-]{6,}"), rf"\1 {REDACTED}"),
    # key=value and "key": "value" pairs whose key names a secret or personal datum.
    (
        re.compile(
            rf"(?i)\b({_SECRET_NAME})(\s*=\s*|[\"']?\s*:\s*[\"']?)(?!\[)([^&\s'\",;)}}\]]+)",
        ),
        rf"\1\2{REDACTED}",
    ),
    # The value a validation error echoes back (pydantic's input_value=...).
    (re.compile(r"(input_value=)('[^']*'|\"[^\"]*\"|\S+)"), rf"\1{REDACTED}"),
    # Query strings (RFC 3986 §3.4): they carry tokens, e-mail addresses and phone numbers.
    (re.compile(r"\?[^\s'\"<>]+"), f"?{REDACTED}"),
    # Paths that carry a token (e-mail verification, password reset, invitations).
    (
        re.compile(r"(/(?:verify-email|reset|invitations)/)(?!sent/)[^\s?'\"<>]+"),
        rf"\1{REDACTED}",
    ),
    # Partners' API keys (tenancy.api_keys: lt_<8>_<43>).
    (re.compile(r"\blt_[a-z0-9]{8}_[A-Za-z0-9_-]{20,}"), "[api-key]"),
    # E-mail addresses (RFC 5322 addr-spec, loosely; also percent-encoded '@').
    (re.compile(r"[\w.!#$%&*+/=^`{|}~-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+"), "[email]"),
    # Phone numbers: international (+84..., 0084...) or Vietnamese national (0...) form.
    (
        re.compile(r"(?<![\w+])(?:(?:\+|%2B|00)\d{1,3}|0)(?:[ .-]?\d){8,11}(?![\d])"),
        "[phone]",
    ),
    (re.compile(r"(?<![\w-])[A-Za-z0-9_-]{24,}(?![\w-])"), _long_token),
)


def redact_text(text: str) -> str:
    """``text`` with card numbers (``[card]``, core.cards), tokens, query strings, e-mail
    addresses, phone numbers and credentials removed."""
    text = mask_payment_cards(text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def _scalar(value: bool | int | float | None) -> bool | int | float | str | None:
    # A card number logged as a number (a spreadsheet cell read as int or float) is masked.
    if isinstance(value, bool) or value is None:
        return value
    return value if mask_payment_cards(str(value)) == str(value) else "[card]"


def redact_value(value: Any, name: str = "") -> Any:
    """A JSON-safe, redacted copy of an ``extra`` field: secret-named fields lose their value."""
    if name and _SECRET_FIELD.match(name) and value not in (None, "", [], {}):
        return REDACTED
    if value is None or isinstance(value, bool | int | float):
        return _scalar(value)
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {str(k): redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    # Objects (an HttpRequest, an exception ...) are logged as their redacted text.
    return redact_text(str(value))


_traceback_formatter = logging.Formatter()


class RedactingFilter(logging.Filter):
    """Rewrite a record so that no secret or personal datum leaves the process in a log line.

    Never drops a record (always returns True). Idempotent: a record already redacted passes
    through unchanged, so the filter may sit on several handlers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_lt_redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact_text(message)
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                setattr(record, key, redact_value(value, key))
        if record.exc_info and not record.exc_text:
            record.exc_text = _traceback_formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        setattr(record, "_lt_redacted", True)  # noqa: B010
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id is not None:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        # exc_text is the traceback the redacting filter already cleaned.
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)
