"""``logitrack privacy datamap``: the data map on the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from logitrack.privacy.inventory import INVENTORY


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("privacy", *args, stdout=out)
    return out.getvalue()


def test_datamap_prints_json_by_default() -> None:
    rows = json.loads(_run("datamap"))

    email = next(r for r in rows if (r["table"], r["column"]) == ("accounts_user", "email"))
    assert email == {
        "app": "accounts",
        "model": "User",
        "table": "accounts_user",
        "field": "email",
        "column": "email",
        "category": "user.contact.email",
        "subject": "user",
        "purpose": "provide_service",
        "basis": "contract",
        "retention": "account_lifetime_plus_30d",
        "erasure": "delete",
        "reason": "",
        "sensitive": False,
        "encrypted": False,
    }


def test_datamap_prints_csv_with_a_header() -> None:
    text = _run("datamap", "--format", "csv")

    assert text.splitlines()[0] == (
        "app,model,table,field,column,category,subject,purpose,basis,retention,erasure,reason,"
        "sensitive,encrypted"
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(json.loads(_run("datamap", "--format", "json")))


def test_datamap_prints_a_fides_manifest_as_yaml() -> None:
    manifest = yaml.safe_load(_run("datamap", "--format", "yaml"))

    assert list(manifest) == ["dataset", "data_category", "data_subject"]
    assert manifest["dataset"][0]["fides_key"] == "logitrack"
    assert {s["fides_key"] for s in manifest["data_subject"]} == {"consignee", "driver"}


def test_datamap_writes_markdown_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "datamap.md"

    printed = _run("datamap", "--format", "markdown", "--output", str(target))

    assert printed == ""
    assert target.read_text(encoding="utf-8").startswith("### Legend\n")


def test_datamap_refuses_an_unknown_format() -> None:
    with pytest.raises(CommandError, match="invalid choice: 'xml'"):
        _run("datamap", "--format", "xml")


def test_the_command_refuses_to_print_a_map_with_an_unclassified_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    declared = dict(INVENTORY.declarations["tenancy.tenant"])
    del declared["tax_code"]
    monkeypatch.setitem(INVENTORY.declarations, "tenancy.tenant", declared)
    out = io.StringIO()

    with pytest.raises(SystemCheckError, match=r"tenancy\.Tenant\.tax_code has no privacy"):
        call_command("privacy", "datamap", skip_checks=False, stdout=out)

    assert out.getvalue() == ""
