"""The data map: one row per stored column, read from the inventory, in four formats.

JSON and CSV carry the rows as they are; YAML is a Fides manifest (a ``dataset`` plus the
``data_category`` and ``data_subject`` extensions it references, so that a Fides server can load
it as is); Markdown is the table in ``docs/datamap.md``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from itertools import groupby
from typing import Any

import yaml
from django.utils.translation import gettext as _

from logitrack.privacy import taxonomy
from logitrack.privacy.inventory import (
    INVENTORY,
    AnyField,
    AnyModel,
    ClassifiedField,
    Erasure,
    Inventory,
    LegalBasis,
    Purpose,
    Retention,
    Subject,
    link_table,
)

FORMATS = ("json", "csv", "yaml", "markdown")
DATASET_KEY = "logitrack"


@dataclass(frozen=True)
class DataMapRow:
    app: str
    model: str
    table: str
    field: str
    column: str
    category: str
    subject: str
    purpose: str
    basis: str
    retention: str
    erasure: str
    reason: str
    sensitive: bool
    encrypted: bool
    primary_key: bool


COLUMNS = tuple(f.name for f in fields(DataMapRow) if f.name != "primary_key")


def datamap_rows(
    inventory: Inventory = INVENTORY, models: Iterable[AnyModel] | None = None
) -> list[DataMapRow]:
    """A row for every classified column of ``models`` (default: every installed model); a
    many-to-many field yields the columns of its link table."""
    rows: list[DataMapRow] = []
    for classified in inventory.classified_fields(models):
        rows.extend(_rows(classified))
    return sorted(rows, key=lambda r: (r.table, not r.primary_key, r.column))


def _rows(classified: ClassifiedField) -> list[DataMapRow]:
    field = classified.field
    through = link_table(field)
    if through is not None:
        table = through._meta.db_table
        columns: list[AnyField] = [f for f in through._meta.local_fields if f.concrete]
    else:
        table = classified.model._meta.db_table
        columns = [field]
    c = classified.classification
    return [
        DataMapRow(
            app=classified.model._meta.app_label,
            model=classified.model._meta.object_name or "",
            table=table,
            field=field.name,
            column=column.column or "",
            category=c.category,
            subject=str(c.subject),
            purpose=str(c.purpose),
            basis=str(c.basis),
            retention=str(c.retention),
            erasure=str(c.erasure),
            reason=str(c.reason),
            sensitive=c.sensitive,
            encrypted=classified.encrypted,
            primary_key=bool(column.primary_key),
        )
        for column in columns
    ]


def _public(row: DataMapRow) -> dict[str, Any]:
    data = asdict(row)
    del data["primary_key"]
    return data


def render(rows: Iterable[DataMapRow], fmt: str) -> str:
    rows = list(rows)
    if fmt == "json":
        return json.dumps([_public(r) for r in rows], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            {k: str(v).lower() if isinstance(v, bool) else v for k, v in _public(r).items()}
            for r in rows
        )
        return out.getvalue()
    if fmt == "yaml":
        return yaml.safe_dump(fides_manifest(rows), sort_keys=False, allow_unicode=True, width=100)
    if fmt == "markdown":
        return markdown(rows)
    raise ValueError(fmt)


def fides_manifest(rows: Iterable[DataMapRow]) -> dict[str, Any]:
    """A Fides manifest: the dataset, and the taxonomy extensions it refers to."""
    collections: list[dict[str, Any]] = []
    for table, group in groupby(sorted(rows, key=lambda r: r.table), key=lambda r: r.table):
        members = list(group)
        collections.append(
            {
                "name": table,
                "description": ", ".join(sorted({f"{r.app}.{r.model}" for r in members})),
                "fields": [_fides_field(r) for r in sorted(members, key=lambda r: r.column)],
            }
        )
    return {
        "dataset": [
            {
                "fides_key": DATASET_KEY,
                "name": "Logitrack",
                "description": _(
                    "Every table of the Logitrack database, generated from the data inventory."
                ),
                "collections": collections,
            }
        ],
        "data_category": [_extension(e) for e in taxonomy.CATEGORY_EXTENSIONS],
        "data_subject": [_extension(e) for e in taxonomy.SUBJECT_EXTENSIONS],
    }


def _fides_field(row: DataMapRow) -> dict[str, Any]:
    notes = [
        f"{row.app}.{row.model}.{row.field}",
        _("retention: %(retention)s") % {"retention": row.retention},
        _("erasure: %(erasure)s") % {"erasure": row.erasure},
    ]
    if row.sensitive:
        notes.append(_("sensitive"))
    if row.encrypted:
        notes.append(_("encrypted at rest"))
    data: dict[str, Any] = {
        "name": row.column,
        "description": "; ".join(notes),
        "data_categories": [row.category],
        "data_uses": [Purpose(row.purpose).fides_data_use],
    }
    subject = Subject(row.subject).fides_key
    if subject is not None:
        data["data_subjects"] = [subject]
    if row.primary_key:
        data["fides_meta"] = {"primary_key": True}
    return data


def _extension(ext: taxonomy.TaxonomyExtension) -> dict[str, Any]:
    data: dict[str, Any] = {
        "fides_key": ext.fides_key,
        "name": str(ext.name),
        "description": str(ext.description),
    }
    if ext.parent_key is not None:
        data["parent_key"] = ext.parent_key
    return data


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return _("yes") if value else ""
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown(rows: Iterable[DataMapRow]) -> str:
    """The legend of every code the map uses, then one table per model and table.

    Reasons are long and shared by many columns, so the tables refer to them by number.
    """
    rows = list(rows)
    reasons = list(dict.fromkeys(r.reason for r in rows if r.reason))
    legend, code, meaning = _("Legend"), _("code"), _("meaning")
    lines: list[str] = [f"### {legend}", ""]
    for title, choices in (
        (_("Subjects"), Subject.choices),
        (_("Purposes"), Purpose.choices),
        (_("Legal bases"), LegalBasis.choices),
        (_("Retention classes"), Retention.choices),
        (_("Erasure strategies"), Erasure.choices),
        (_("Reasons for retaining"), [(f"R{n}", r) for n, r in enumerate(reasons, 1)]),
    ):
        lines += [f"**{title}**", "", f"| {code} | {meaning} |", "| --- | --- |"]
        lines += [f"| `{value}` | {_cell(label)} |" for value, label in choices]
        lines.append("")
    headers = [
        _("column"),
        _("field"),
        _("category"),
        _("subject"),
        _("purpose"),
        _("basis"),
        _("retention"),
        _("erasure"),
        _("sensitive"),
        _("encrypted"),
        _("reason"),
    ]
    lines += recipients_markdown(rows)
    ordered = sorted(rows, key=lambda r: (r.app, r.model, r.table))
    for (app, model, table), group in groupby(ordered, key=lambda r: (r.app, r.model, r.table)):
        lines += [f"### {app}.{model} (`{table}`)", ""]
        lines += ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
        for r in group:
            cells = [
                f"`{r.column}`",
                r.field,
                f"`{r.category}`",
                r.subject,
                r.purpose,
                r.basis,
                r.retention,
                r.erasure,
                _cell(r.sensitive),
                _cell(r.encrypted),
                f"R{reasons.index(r.reason) + 1}" if r.reason else "",
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def recipients_markdown(rows: Iterable[DataMapRow]) -> list[str]:
    """For each personal-data category of the map, the partners of the partners register that
    receive it (``logitrack.privacy.breaches.register``, policy section 4)."""
    from logitrack.privacy.breaches.register import recipients_by_category

    categories = sorted({r.category for r in rows if taxonomy.is_personal_category(r.category)})
    title, category, partners = _("Recipients by category"), _("category"), _("partners")
    lines = [f"### {title}", "", f"| {category} | {partners} |", "| --- | --- |"]
    for key, names in recipients_by_category(categories).items():
        lines.append(f"| `{key}` | {_cell('; '.join(names))} |")
    lines.append("")
    return lines
