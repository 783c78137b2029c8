"""The permission matrix: one definition, shown in docs/ and on the admins' page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from logitrack.tenancy.permissions_doc import render_markdown
from logitrack.tenancy.roles import (
    API_KEY_PERMISSIONS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    permissions_from_values,
    permissions_of,
)
from logitrack.tenancy.tests.factories import make_member, make_tenant, sign_in

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def test_the_committed_permissions_doc_is_the_generated_one() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/permissions.md is out of date: run "
        "`logitrack tenancy permissions --markdown --output docs/permissions.md`"
    )


def test_the_command_prints_the_generated_doc_and_checks_a_file(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("tenancy", "permissions", "--markdown", stdout=out)
    target = tmp_path / "permissions.md"
    call_command("tenancy", "permissions", "--markdown", "--output", str(target))

    assert out.getvalue() == render_markdown()
    assert target.read_text(encoding="utf-8") == render_markdown()
    call_command("tenancy", "permissions", "--check", "--output", str(target))


def test_the_doc_has_one_row_per_permission_and_one_column_per_role() -> None:
    table = [line for line in render_markdown().splitlines() if line.startswith("| ")]

    assert len(table) == 2 + len(Permission)
    assert table[0].count("|") == len(Role) + 3


def test_every_role_has_a_row_in_the_matrix_and_owners_hold_everything() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert permissions_of("owner") == frozenset(Permission)
    assert permissions_of("no-such-role") == frozenset()


def test_stored_permission_values_fail_closed() -> None:
    assert permissions_from_values(["tenant.view", "bogus", 3]) == {Permission.TENANT_VIEW}
    assert permissions_from_values("tenant.view") == frozenset()
    assert Permission.API_KEYS_MANAGE not in API_KEY_PERMISSIONS


@pytest.mark.django_db
def test_admins_see_the_matrix_with_translated_labels(client: Client) -> None:
    admin = make_member(make_tenant(), Role.ADMIN)
    sign_in(client, admin)

    vietnamese = client.get(reverse("tenancy:permissions"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("tenancy:permissions"))

    assert vietnamese.status_code == 200
    assert '<th scope="col">Chủ sở hữu</th>'.encode() in vietnamese.content
    assert english.status_code == 200
    assert b'<th scope="col">Owner</th>' in english.content
    for permission in Permission:
        assert permission.value.encode() in vietnamese.content


@pytest.mark.django_db
def test_a_driver_cannot_see_the_matrix_page(client: Client) -> None:
    driver = make_member(make_tenant(), Role.DRIVER)
    sign_in(client, driver)

    assert client.get(reverse("tenancy:permissions")).status_code == 403
