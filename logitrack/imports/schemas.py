"""API shapes of the imports app (``/api/v1/imports``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from logitrack.core.ids import Id

FieldKey = Literal[
    "",
    "reference",
    "consignee_name",
    "consignee_phone",
    "consignee_email",
    "address",
    "province",
    "district",
    "commune",
    "weight_grams",
    "weight_kg",
    "cod_amount",
    "declared_value",
    "item_description",
    "quantity",
    "service_level",
    "notes",
]
Mode = Literal["all_or_nothing", "valid_rows_only"]


class IssueOut(Schema):
    """One problem: ``row`` as numbered in the user's sheet, ``column`` as written there."""

    row: int
    column: str
    code: str
    message: str
    params: dict[str, Any]


class ColumnOut(Schema):
    header: str
    field: str
    field_label: str


class ImportOut(Schema):
    """An import job. ``progress`` counts processed data rows of ``total_rows``; ``percent``."""

    id: int
    status: str
    status_label: str
    mode: Mode
    dry_run: bool
    file_name: str
    file_kind: str
    shipper_id: int | None
    header_row: int
    columns: list[ColumnOut]
    missing_required: list[str]
    total_rows: int
    valid_rows: int
    invalid_rows: int
    created_orders: int
    progress: int
    percent: int
    error_code: str
    report: list[IssueOut]
    created_at: datetime
    finished_at: datetime | None


class MappingIn(Schema):
    """One field key per column of the header row (``""``: ignore the column)."""

    mapping: list[FieldKey] = Field(max_length=100)
    mode: Mode | None = None
    shipper_id: Id | None = None
