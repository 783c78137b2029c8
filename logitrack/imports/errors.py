"""Errors of the import services: one type, a stable code, a translated message, a status."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MESSAGES: dict[str, Promise] = {
    "mapping_invalid": _("The column mapping does not match the file's columns."),
    "mapping_duplicate_field": _("Two columns are mapped to the same field."),
    "mapping_missing_required": _("Map a column to every required field: %(fields)s."),
    "import_not_ready": _("This import cannot take that step now."),
    "import_has_invalid_rows": _(
        "Some rows are invalid: correct the file, or choose to import the valid rows only."
    ),
    "shipper_required": _("Choose the shipper these orders are for."),
    "card_number_in_header": _(
        "The header row (row %(row)s, column %(columns)s) holds a payment card number: the file "
        "is refused and not kept. Remove the number and upload the file again."
    ),
}


class ImportRefused(Exception):
    """A refused import step; nothing was changed. ``status`` is the HTTP status for the API."""

    def __init__(self, code: str, *, status: int = 422, message: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.message = message if message is not None else str(MESSAGES[code])
