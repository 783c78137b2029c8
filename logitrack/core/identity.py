"""The one canonical form of an e-mail address: what Logitrack stores, compares and keys on.

Every place that stores, looks up, compares or counts by an e-mail address (uniqueness of
accounts, sign-in, the lockout key, password reset, verification, sign-up, invitations, rate
limits) calls :func:`canonical_email` and then compares the results with plain equality. No
database function (``LOWER``/``UPPER``) takes part, so SQLite and PostgreSQL agree byte for byte
(docs/adr/0011-one-canonical-email-address.md).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_EMAIL_LENGTH = 254  # RFC 5321 §4.5.3.1.3: a 256-octet path minus its angle brackets
MAX_LOCAL_PART_OCTETS = 64  # RFC 5321 §4.5.3.1.1

# Control (Cc), format (Cf: bidi marks, overrides and isolates, zero-width characters, BOM),
# surrogate, private-use and unassigned code points, and line/paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# RFC 5322 §3.2.3 dot-atom over atext, ASCII only (no quoted local parts, no RFC 6531 UTF-8).
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")

CODE_INVALID = "email_invalid"
CODE_FORBIDDEN_CHARACTER = "email_forbidden_character"
CODE_DOMAIN_INVALID = "email_domain_invalid"
CODE_TOO_LONG = "email_too_long"

_MESSAGES = {
    CODE_INVALID: _("Enter a valid email address."),
    CODE_FORBIDDEN_CHARACTER: _(
        "The email address contains an invisible or control character. Type it again."
    ),
    CODE_DOMAIN_INVALID: _("The part of the email address after @ is not a valid domain name."),
    CODE_TOO_LONG: _("This email address is too long."),
}


def _refuse(code: str) -> ValidationError:
    return ValidationError(_MESSAGES[code], code=code)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _canonical_local_part(local: str) -> str:
    # NFKC already ran over the whole address; casefold, then NFKC again, is Unicode's
    # NFKC_Casefold in effect (casefolding can leave a string that is not NFKC).
    folded = _nfkc(local.casefold())
    if not folded.isascii() or _LOCAL_PART.fullmatch(folded) is None:
        raise _refuse(CODE_INVALID)
    if len(folded) > MAX_LOCAL_PART_OCTETS:
        raise _refuse(CODE_TOO_LONG)
    return folded


def _canonical_domain(domain: str) -> tuple[str, str]:
    """(U-label form, A-label form) of ``domain`` per UTS #46 non-transitional, STD3 rules."""
    if not domain or domain.endswith((".", "\u3002", "\uff0e", "\uff61")):
        raise _refuse(CODE_DOMAIN_INVALID)
    try:
        ascii_form = idna.encode(domain, uts46=True, std3_rules=True, transitional=False)
        unicode_form = idna.decode(ascii_form)
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise _refuse(CODE_DOMAIN_INVALID) from exc
    a_label = ascii_form.decode("ascii")
    labels = a_label.split(".")
    # A mail domain is a dotted host name: "localhost" or an IP address is not one.
    if len(labels) < 2 or labels[-1].isdigit():
        raise _refuse(CODE_DOMAIN_INVALID)
    return unicode_form, a_label


def canonical_email(value: str) -> str:
    """The canonical form of the e-mail address ``value``; ``ValidationError`` when it is none.

    Shape: ``"local@domain"``, where ``local`` is ASCII, case-folded (``str.casefold``), an
    RFC 5322 §3.2.3 dot-atom of at most 64 octets (RFC 5321 §4.5.3.1.1), and ``domain`` is the
    domain in lower-case **U-labels** (Unicode) after UTS #46 processing (non-transitional, STD3
    rules, via the ``idna`` package), with at least two labels and an A-label (``xn--``) form of
    at most 253 octets (RFC 1035 §2.3.4, checked by ``idna``); the whole address, domain as
    A-labels, is at most 254 octets (RFC 5321 §4.5.3.1.3).
    The function is pure and idempotent: ``canonical_email(canonical_email(x)) ==
    canonical_email(x)``, and two spellings name the same account exactly when their canonical
    forms are equal strings.

    Steps: Unicode NFKC over the whole value (fullwidth letters, ``@`` and ``.``, U+FF01 to
    U+FF5E, become ASCII; U+017F LATIN SMALL LETTER LONG S becomes ``s``); every Unicode white
    space at either end (``str.strip``) is dropped; control, format (bidi marks and overrides,
    zero-width characters, BOM), surrogate, private-use and unassigned code points anywhere are
    refused; the value is split at its
    single ``@``; the local part is case-folded; UTS #46 maps the domain (case, width,
    ideographic full stops such as U+3002) and checks it (IDNA 2008, RFC 5891), so
    ``côngty.vn``, ``CÔNGTY.VN`` and ``xn--cngty-6ta.vn`` are one domain, stored ``côngty.vn``.

    Refused, with ``ValidationError.code``:
    - ``email_forbidden_character``: a control/format/private/unassigned code point;
    - ``email_invalid``: not exactly one ``@``, whitespace inside, an empty, quoted, non-ASCII
      (U+0131 LATIN SMALL LETTER DOTLESS I has no ASCII case fold) or otherwise non-dot-atom
      local part;
    - ``email_domain_invalid``: UTS #46/IDNA refuses the domain (a label over 63 or the whole
      over 253 octets included), or it is not a dotted host name (one label, a numeric top
      label, a trailing dot, an IP literal);
    - ``email_too_long``: a local part over 64 octets or an address over 254.
    """
    if not isinstance(value, str):
        raise _refuse(CODE_INVALID)
    # Every Unicode space at either end (str.strip: U+2028, U+2029, U+1680 included), as the text
    # layer's opaque_text drops them: a key and a form must agree on the address (docs/adr/0011).
    text = _nfkc(value).strip()
    if any(unicodedata.category(ch) in _FORBIDDEN_CATEGORIES for ch in text):
        raise _refuse(CODE_FORBIDDEN_CHARACTER)
    if not text or any(ch.isspace() for ch in text) or text.count("@") != 1:
        raise _refuse(CODE_INVALID)
    raw_local, raw_domain = text.split("@")
    local = _canonical_local_part(raw_local)
    unicode_domain, ascii_domain = _canonical_domain(raw_domain)
    if len(local) + 1 + len(ascii_domain) > MAX_EMAIL_LENGTH:
        raise _refuse(CODE_TOO_LONG)
    return f"{local}@{unicode_domain}"


def canonical_email_or_none(value: object) -> str | None:
    """``canonical_email(value)``, or None for anything that is not an e-mail address.

    For lookups, where "no such address" and "not an address" lead to the same answer.
    """
    if not isinstance(value, str):
        return None
    try:
        return canonical_email(value)
    except ValidationError:
        return None


def validate_canonical_email(value: str) -> None:
    """Model-field validator: ``value`` must already be in canonical form (nothing is changed)."""
    if canonical_email(value) != value:
        raise _refuse(CODE_INVALID)


def email_key(value: str) -> str:
    """The key that counters (lockout, rate limits) count an e-mail address under.

    The canonical address when ``value`` is one, so every spelling of one address shares one
    counter and a spelling that names another address never does; anything else is keyed
    ``invalid:<sha256 of the input>``, which cannot equal a canonical address (no colon in one).
    """
    address = canonical_email_or_none(value)
    if address is not None:
        return address
    return "invalid:" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
