"""What the imports app stores, for the data inventory (logitrack.privacy).

The uploaded file (consignees' names, phones, addresses) is not a field: it is kept encrypted
under the tenant's key outside the database and deleted when the import ends (imports.storage).
The job row keeps only the file's name, the header row, the mapping, counts and a report of
codes by row and column, never a cell's content.
"""

from __future__ import annotations

from logitrack.privacy.inventory import (
    Erasure,
    FieldClass,
    LegalBasis,
    Purpose,
    Retention,
    Subject,
    not_personal,
    register,
)

_TENANT_DATA = Retention.TENANT_LIFETIME_PLUS_30D
_STATE = not_personal(retention=_TENANT_DATA)


def _business(category: str = "system.operations") -> FieldClass:
    return FieldClass(
        category=category,
        subject=Subject.TENANT,
        purpose=Purpose.PROVIDE_SERVICE,
        basis=LegalBasis.CONTRACT,
        retention=_TENANT_DATA,
        erasure=Erasure.DELETE,
    )


# Set to null when the account is deleted.
_MEMBER = FieldClass(
    category="user.unique_id",
    subject=Subject.USER,
    purpose=Purpose.PROVIDE_SERVICE,
    basis=LegalBasis.CONTRACT,
    retention=_TENANT_DATA,
    erasure=Erasure.DELETE,
)

register(
    "imports.ImportJob",
    {
        "id": _STATE,
        "tenant": _STATE,
        "created_by": _MEMBER,
        "shipper_id": _business("business.profile"),
        # The name the user's computer gave the file (may name a customer or a person).
        "file_name": _business("user.content.private"),
        "file_kind": _STATE,
        "file_size": _STATE,
        # A random server-made name of the encrypted file, cleared when the file is deleted.
        "file_key": _STATE,
        "status": _STATE,
        "mode": _STATE,
        "dry_run": _STATE,
        "header_row": _STATE,
        "headers": _business(),
        "mapping": _STATE,
        "header_signature": _STATE,
        "total_rows": _STATE,
        "valid_rows": _STATE,
        "invalid_rows": _STATE,
        "created_orders": _STATE,
        "progress": _STATE,
        # Codes by row number and column name; no cell content, no card digits.
        "report": _business(),
        "error_code": _STATE,
        "created_at": _STATE,
        "updated_at": _STATE,
        "finished_at": _STATE,
    },
)

register(
    "imports.ColumnMapping",
    {
        "id": _STATE,
        "tenant": _STATE,
        "header_signature": _STATE,
        "headers": _business(),
        "mapping": _STATE,
        "updated_by": _MEMBER,
        "updated_at": _STATE,
    },
)
