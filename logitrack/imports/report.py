"""The per-row report of an import: what is wrong, where, in the user's language.

Shape of one entry (stored as JSON in ``ImportJob.report``, returned by the API):
``{"row": 8, "column": "Số điện thoại", "code": "phone_invalid", "params": {}}``; ``row`` is the
row number the user sees in their spreadsheet, ``column`` the header as written in their file
(``""`` for the whole row). Messages are not stored: :func:`issue_message` translates the code
when the report is shown, so one report reads in Vietnamese and in English. No entry carries a
cell's content (nor any digit of a payment card number).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from logitrack.core.pydantic_errors import BUILT_IN_TYPES, error_message


class Issue(TypedDict):
    row: int
    column: str
    code: str
    params: dict[str, Any]


MESSAGES: dict[str, Promise] = {
    "required": _("This value is required."),
    "text_control_character": _("Remove the control character from this cell."),
    "text_bidi_control": _("Remove the invisible text-direction character from this cell."),
    "text_invalid_character": _("This cell contains an invalid character."),
    "text_too_long": _("This text is longer than %(max_length)s characters."),
    "phone_invalid": _("This is not a valid phone number, e.g. 0912 345 678 or +84 912 345 678."),
    "email_invalid": _("This is not a valid e-mail address."),
    "number_invalid": _("This is not a number, e.g. 1.250.000."),
    "money_negative": _("An amount cannot be negative."),
    "money_fraction": _("VND amounts are whole numbers of dong."),
    "money_above_cap": _("The amount is above the allowed maximum of %(maximum)s VND."),
    "weight_not_positive": _("The weight must be more than zero."),
    "weight_too_heavy": _("The weight is above the maximum of %(maximum)s grams."),
    "quantity_invalid": _("The quantity must be a whole number of at least 1."),
    "service_unknown": _(
        "Unknown service: use Tiêu chuẩn (standard), Nhanh (express) or Hỏa tốc (same day)."
    ),
    "card_number": _(
        "This cell holds a payment card number: the row is refused and the number is not "
        "kept. Remove it from the file."
    ),
    "duplicate_reference": _(
        "This order reference appears more than once in the file (also row %(other_row)s)."
    ),
    "reference_exists": _("An order with this reference already exists."),
    "order_invalid": _("The order was refused: %(detail)s"),
    "shipper_not_found": _("The shipper of this import no longer exists."),
    "order_not_stored": _(
        "The database refused this order (another row or order holds the same key); it was "
        "not created."
    ),
}


def issue(row: int, column: str, code: str, **params: Any) -> Issue:
    return {"row": row, "column": column, "code": code, "params": dict(params)}


def refusal_params(error: Mapping[str, Any]) -> dict[str, Any]:
    """The params of an ``order_invalid`` issue from one pydantic error: its type and limits,
    so the sentence is written in the reader's language when shown (``detail`` only carries the
    already-translated message of a refusal of our own, never pydantic's English)."""
    kind = str(error.get("type", ""))
    ctx = {str(key): str(value) for key, value in (error.get("ctx") or {}).items()}
    detail = "" if kind in BUILT_IN_TYPES else str(error.get("msg", ""))
    return {"kind": kind, "ctx": ctx, "detail": detail}


def issue_message(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The translated message of an issue code, in the active language.

    An unknown code (a report written by a newer version) reads as a generic message.
    """
    if code.startswith("address_"):
        return _address_message(code, params or {})
    template = MESSAGES.get(code)
    if template is None:
        return gettext("This value is not valid.")
    if params and "kind" in params:
        refused = {"type": params["kind"], "ctx": params.get("ctx"), "msg": params.get("detail")}
        params = {**params, "detail": error_message(refused)}
    text = str(template)
    if params and "%(" in text:
        try:
            return text % dict(params)
        except (KeyError, TypeError, ValueError):
            return gettext("This value is not valid.")
    return text


def _address_message(code: str, params: Mapping[str, Any]) -> str:
    """The address resolver's own message for its code, with the candidates it offered."""
    from logitrack.addresses import AddressUnresolved

    try:
        text = AddressUnresolved(code).message
    except KeyError:
        return gettext("This value is not valid.")
    candidates = str(params.get("candidates", ""))
    if candidates:
        text = f"{text} " + gettext("Could be: %(candidates)s.") % {"candidates": candidates}
    return text


def with_messages(issues: list[Issue]) -> list[dict[str, Any]]:
    """The issues with their ``message`` in the active language (for pages and the API)."""
    return [{**item, "message": issue_message(item["code"], item["params"])} for item in issues]


FAILURES: dict[str, Promise] = {
    "import_has_invalid_rows": _(
        "Some rows are invalid, so nothing was imported (all or nothing). Correct the file and "
        "upload it again, or import the valid rows only."
    ),
    "shipper_not_found": _("The shipper of this import no longer exists."),
    "import_expired": _(
        "This import waited more than a day, so its file was deleted. Upload the file again."
    ),
    "header_not_found": _("The file changed: its header row is no longer where it was."),
    "card_number": _(
        "The file holds a payment card number (see the rows below), so it was refused and not "
        "kept. Remove the number and upload the file again."
    ),
}


def failure_message(code: str, created: int = 0) -> str:
    """Why an import ended ``failed``, in the active language; ``created``: the orders its
    batches stored before it stopped (``valid_rows_only`` commits batch by batch)."""
    message = FAILURES.get(code)
    if message is not None:
        return str(message)
    if created:
        return ngettext(
            "The import stopped before the end: %(count)s order was created, the rows after "
            "it were not. Import the rest of the file again.",
            "The import stopped before the end: %(count)s orders were created, the rows after "
            "them were not. Import the rest of the file again.",
            created,
        ) % {"count": created}
    return gettext("The import could not be completed; nothing was created.")
