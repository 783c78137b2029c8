"""The data map: complete, faithful to the inventory, and a Fides dataset a Fides server accepts."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
import yaml
from django.apps import apps
from django.db import connection
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import Dataset
from fideslang.parse import load_manifests_into_taxonomy

from logitrack.privacy.datamap import COLUMNS, datamap_rows, fides_manifest, markdown, render
from logitrack.privacy.inventory import inventoried_models, link_table, stored_fields


def _every_stored_column() -> set[tuple[str, str]]:
    columns: set[tuple[str, str]] = set()
    for model in inventoried_models():
        for field in stored_fields(model):
            through = link_table(field)
            if through is None:
                columns.add((model._meta.db_table, field.column))
            else:
                columns |= {(through._meta.db_table, f.column) for f in through._meta.local_fields}
    return columns


def test_the_map_has_one_row_for_every_stored_column_of_every_installed_model() -> None:
    rows = datamap_rows()

    assert sorted((r.table, r.column) for r in rows) == sorted(_every_stored_column())
    assert len(rows) == len({(r.table, r.column) for r in rows})


def test_a_row_carries_the_classification_of_its_field() -> None:
    rows = {(r.table, r.column): r for r in datamap_rows()}

    email = rows[("accounts_user", "email")]

    assert (email.app, email.model, email.field) == ("accounts", "User", "email")
    assert (email.category, email.subject, email.purpose, email.basis) == (
        "user.contact.email",
        "user",
        "provide_service",
        "contract",
    )
    assert (email.retention, email.erasure, email.reason) == (
        "account_lifetime_plus_30d",
        "delete",
        "",
    )
    assert rows[("tenancy_membership", "tenant_id")].field == "tenant"


def test_a_many_to_many_field_maps_every_column_of_its_link_table() -> None:
    rows = [r for r in datamap_rows() if r.table == "auth_group_permissions"]

    assert [(r.model, r.field, r.column) for r in rows] == [
        ("Group", "permissions", "id"),
        ("Group", "permissions", "group_id"),
        ("Group", "permissions", "permission_id"),
    ]


def test_json_and_csv_hold_the_same_rows_with_the_documented_columns() -> None:
    rows = datamap_rows()

    from_json = json.loads(render(rows, "json"))
    from_csv = list(csv.DictReader(io.StringIO(render(rows, "csv"))))

    assert list(from_json[0]) == list(COLUMNS)
    assert COLUMNS == (
        "app", "model", "table", "field", "column", "category", "subject", "purpose", "basis",
        "retention", "erasure", "reason", "sensitive", "encrypted",
    )  # fmt: skip
    assert len(from_json) == len(from_csv) == len(rows)
    for as_json, as_csv in zip(from_json, from_csv, strict=True):
        assert {k: str(v).lower() if isinstance(v, bool) else v for k, v in as_json.items()} == (
            as_csv
        )


def test_the_yaml_is_a_fides_dataset_with_one_collection_per_table() -> None:
    manifest = yaml.safe_load(render(datamap_rows(), "yaml"))

    dataset = Dataset.model_validate(manifest["dataset"][0])

    assert dataset.fides_key == "logitrack"
    assert {c.name for c in dataset.collections} == {t for t, _c in _every_stored_column()}
    user = next(c for c in dataset.collections if c.name == "accounts_user")
    email = next(f for f in user.fields if f.name == "email")
    assert email.data_categories == ["user.contact.email"]
    assert email.data_subjects == ["customer"]
    assert email.data_uses == ["essential.service"]
    primary = next(f for f in user.fields if f.name == "id")
    assert primary.fides_meta is not None
    assert primary.fides_meta.primary_key is True


def _unknown_keys(manifest: dict[str, Any]) -> set[str]:
    """Keys the manifest's dataset uses that neither Fides' defaults nor the manifest define.

    fideslang's own get_referenced_missing_keys skips Optional[List[FidesKey]] attributes, which
    is how a dataset field lists its keys, so the references are followed here.
    """
    taxonomy = load_manifests_into_taxonomy(manifest)
    categories = {c.fides_key for c in [*DEFAULT_TAXONOMY.data_category, *taxonomy.data_category]}
    subjects = {s.fides_key for s in [*DEFAULT_TAXONOMY.data_subject, *taxonomy.data_subject]}
    uses = {u.fides_key for u in DEFAULT_TAXONOMY.data_use}
    unknown = {c.parent_key for c in taxonomy.data_category if c.parent_key} - categories
    for dataset in taxonomy.dataset:
        for collection in dataset.collections:
            for field in collection.fields:
                unknown |= set(field.data_categories or []) - categories
                unknown |= set(field.data_subjects or []) - subjects
                unknown |= set(field.data_uses or []) - uses
    return unknown


def test_every_key_the_yaml_refers_to_exists_in_the_fides_taxonomy_or_the_manifest() -> None:
    manifest = yaml.safe_load(render(datamap_rows(), "yaml"))

    assert _unknown_keys(manifest) == set()


def test_a_key_missing_from_the_taxonomy_would_be_noticed() -> None:
    manifest = fides_manifest(datamap_rows())
    first_field = manifest["dataset"][0]["collections"][0]["fields"][0]
    first_field["data_categories"] = ["user.pigeon"]
    first_field["data_subjects"] = ["shipper"]
    manifest["data_category"].append(
        {"fides_key": "corporate.tax", "name": "Tax", "parent_key": "corporate"}
    )

    assert _unknown_keys(manifest) == {"user.pigeon", "shipper", "corporate"}


def test_the_markdown_has_a_legend_and_one_table_per_model() -> None:
    text = markdown(datamap_rows())

    assert text.startswith("### Legend\n")
    assert (
        "| `tenant_lifetime_plus_30d` | While the tenant uses the service, then 30 more days"
        in text
    )
    headings = [line for line in text.splitlines() if line.startswith("### ") and "(`" in line]
    tables = {(r.app, r.model, r.table) for r in datamap_rows()}
    assert len(headings) == len(tables)
    assert "### accounts.User (`accounts_user`)" in headings
    assert "### auth.Group (`auth_group_permissions`)" in headings
    assert (
        "| `email` | email | `user.contact.email` | user | provide_service | contract | "
        "account_lifetime_plus_30d | delete |  |  |  |"
    ) in text


def test_every_installed_app_with_models_appears_in_the_map() -> None:
    apps_in_map = {r.app for r in datamap_rows()}

    assert apps_in_map == {m._meta.app_label for m in inventoried_models()}
    assert {"accounts", "tenancy", "security", "sessions", "auth", "contenttypes"} <= apps_in_map
    assert apps.get_app_config("privacy").label not in apps_in_map  # no models of its own yet


def test_the_markdown_refers_to_each_reason_by_number() -> None:
    text = markdown(datamap_rows())

    legend = [line for line in text.splitlines() if line.startswith("| `R")]
    content_type_row = next(
        line for line in text.splitlines() if line.startswith("| `app_label` | app_label |")
    )
    reference = content_type_row.rsplit("|", 2)[1].strip()

    assert f"| `{reference}` | Django's registry of code" in "\n".join(legend)
    assert len(legend) == len({r.reason for r in datamap_rows() if r.reason})


@pytest.mark.django_db
def test_the_map_matches_the_migrated_database_table_for_table_and_column_for_column() -> None:
    rows = datamap_rows()
    mapped: dict[str, set[str]] = {}
    for row in rows:
        mapped.setdefault(row.table, set()).add(row.column)
    # django-rq's Dashboard is an unmanaged placeholder for its admin page: it has no table.
    mapped.pop("django_rq_dashboard", None)

    with connection.cursor() as cursor:
        in_database = {
            table: {c.name for c in connection.introspection.get_table_description(cursor, table)}
            for table in connection.introspection.table_names(cursor)
            # Django's own bookkeeping, and the cache table of rate-limit counters (keyed
            # digests, expiring within hours; docs/adr/0012), which no model describes.
            if table not in {"django_migrations", "logitrack_cache"}
        }

    assert mapped == in_database
