"""The erasure service: every classified value of the person goes, the audit trail stays."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from logitrack.accounts.models import User, UserSession
from logitrack.core.crypto.models import DataKey, KeyState
from logitrack.core.tenant import tenant_context
from logitrack.logistics.models import Order
from logitrack.logistics.tests.factories import make_order_row, make_shipper
from logitrack.privacy.consent.models import UserConsentEvent
from logitrack.privacy.erasure.errors import ErasureCancelled
from logitrack.privacy.erasure.locators import ROW_LOCATORS, foreign_key_links, located_models
from logitrack.privacy.erasure.models import PersonErasure, UnderageReport
from logitrack.privacy.erasure.services.children import (
    underage_report_by_colleague,
    underage_report_cancel,
)
from logitrack.privacy.erasure.services.erasure import person_erase
from logitrack.privacy.erasure.tests.helpers import (
    erasure_of,
    make_company,
    make_due,
    make_officer,
)
from logitrack.privacy.inventory import Erasure, Subject, classified_fields, inventoried_models
from logitrack.security.models import AuditEntry
from logitrack.tenancy.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def _personal_rows(user_id: int, email: str) -> dict[str, int]:
    """Rows anywhere that still hold the person: by id in a user column, or by e-mail."""
    found: dict[str, int] = {}
    for link in foreign_key_links():
        count = link.model._base_manager.filter(**{link.field.attname: user_id}).count()
        if count:
            found[link.label] = count
    if User.objects.filter(pk=user_id).exists():
        found["accounts.user"] = 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM axes_accessattempt WHERE username = %s", [email])
        (attempts,) = cursor.fetchone()
    if attempts:
        found["axes.accessattempt"] = attempts
    return found


def _tables_holding(text: str) -> list[str]:
    """Every text column of every table (encrypted ones aside) in which ``text`` appears."""
    from django.apps import apps
    from django.db import models

    found = []
    for model in apps.get_models():
        for field in model._meta.local_fields:
            encrypted = "encrypted" in type(field).__name__.lower()
            if not isinstance(field, models.CharField | models.TextField) or encrypted:
                continue
            if model._base_manager.filter(**{f"{field.attname}__contains": text}).exists():
                found.append(f"{model._meta.label_lower}.{field.name}")
    return found


def _reported() -> tuple[Any, UnderageReport]:
    company = make_company()
    AccessAttempt.objects.create(
        username=company.child.user.email,
        ip_address="198.51.100.7",
        user_agent="Firefox",
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/login/",
        failures_since_start=1,
    )
    with tenant_context(company.tenant):
        order = make_order_row(make_shipper(company.tenant), created_by=company.child.user)
    UserConsentEvent.objects.create(
        user=company.child.user, purpose="marketing_email", action="grant", method="page"
    )
    report = underage_report_by_colleague(
        reporter=company.reporter.user,
        tenant_id=company.tenant.pk,
        subject=company.child.user,
    )
    return (company, order), report


def test_erasure_removes_every_classified_value_of_the_person_and_keeps_the_audit() -> None:
    (company, order), report = _reported()
    child = company.child.user
    assert _tables_holding(child.email) == ["accounts.user.email", "axes.accessattempt.username"]
    entries_before = list(AuditEntry.objects.order_by("sequence").values_list("pk", "entry_hash"))
    erasure = erasure_of(child.pk)

    certificate = person_erase(erasure=erasure)

    assert _personal_rows(child.pk, child.email) == {}
    assert _tables_holding(child.email) == []
    assert not Membership.dangerously_unscoped.filter(user_id=child.pk).exists()
    assert not UserConsentEvent.objects.filter(user_id=child.pk).exists()
    # Someone else's row (the company's order) stays; only the reference to the person goes.
    assert Order.dangerously_unscoped.filter(pk=order.pk, created_by__isnull=True).exists()
    keys = DataKey.objects.filter(owner_kind="user", owner_id=str(child.pk))
    assert keys.exists()
    assert set(keys.values_list("state", flat=True)) == {KeyState.DESTROYED}
    assert not any(keys.values_list("wrapped_key", flat=True))
    # Every earlier audit entry is still there, unchanged; the certificate is appended.
    kept = list(
        AuditEntry.objects.filter(pk__in=[pk for pk, _ in entries_before])
        .order_by("sequence")
        .values_list("pk", "entry_hash")
    )
    assert kept == entries_before
    entry = AuditEntry.objects.get(action="privacy_erasure_certificate")
    assert entry.details == certificate
    tables = {row.pop("table"): row for row in [dict(r) for r in certificate["tables"]]}
    assert tables["accounts.user"] == {"rows_deleted": 1}
    assert tables["logistics.order.created_by"] == {"references_cleared": 1}
    assert tables["tenancy.membership"] == {"rows_deleted": 1}
    assert certificate["data_keys_destroyed"] >= 1
    assert certificate["on_time"] is True
    assert child.email not in str(certificate)
    assert "+8491200" not in str(entry.details)
    report.refresh_from_db()
    assert report.status == UnderageReport.Status.ERASED
    assert report.subject_id is None
    erasure.refresh_from_db()
    assert erasure.status == PersonErasure.Status.DONE
    assert erasure.certificate == certificate


def test_a_second_run_is_a_no_op() -> None:
    (company, _order), _report = _reported()
    erasure = erasure_of(company.child.user.pk)
    first = person_erase(erasure=erasure)
    entries = AuditEntry.objects.count()

    assert person_erase(erasure=erasure) == first
    make_due(erasure)
    call_command("erasures_run", verbosity=0)

    assert AuditEntry.objects.count() == entries


def test_a_cancelled_report_does_not_erase() -> None:
    (company, _order), report = _reported()
    child = company.child.user
    underage_report_cancel(officer=make_officer(), report=report)
    erasure = erasure_of(child.pk)
    make_due(erasure)

    call_command("erasures_run", verbosity=0)
    with pytest.raises(ErasureCancelled):
        person_erase(erasure=erasure)

    child.refresh_from_db()
    assert child.is_active
    assert child.email == company.child.user.email
    assert child.phone == "+84912000111"
    assert Membership.dangerously_unscoped.filter(user_id=child.pk).exists()
    assert not AuditEntry.objects.filter(action="privacy_erasure_certificate").exists()
    assert AuditEntry.objects.filter(action="account_reactivated").count() == 1


def test_the_sweep_erases_only_what_is_due() -> None:
    (company, _order), _report = _reported()
    child = company.child.user
    erasure = erasure_of(child.pk)
    assert erasure.due_at - erasure.scheduled_at == timedelta(hours=24)

    call_command("erasures_run", verbosity=0)
    assert User.objects.filter(pk=child.pk).exists()

    make_due(erasure)
    call_command("erasures_run", verbosity=0)
    assert not User.objects.filter(pk=child.pk).exists()


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
)
def test_the_report_schedules_the_erasure_job_at_its_time() -> None:
    from django_tasks_db.models import DBTaskResult

    (company, _order), _report = _reported()
    erasure = erasure_of(company.child.user.pk)

    job = DBTaskResult.objects.get(task_path__endswith="person_erasure_run")
    assert job.run_after == erasure.erase_after
    assert job.args_kwargs["args"] == [erasure.pk]
    assert erasure.erase_after <= timezone.now() + timedelta(hours=20)


def test_every_personal_table_of_an_account_holder_is_located_or_retained() -> None:
    """A new table with a person's data must be reachable by the erasure (or retained, with its
    reason in the inventory): the list of exceptions is explicit."""
    located = located_models()
    unreachable = set()
    for classified in classified_fields(inventoried_models()):
        label = classified.model._meta.label_lower
        c = classified.classification
        if c.subject == Subject.USER and c.erasure != Erasure.RETAIN and label not in located:
            unreachable.add(label)
    # The job queue stores ids in its arguments only, and goes with its retention.
    assert unreachable == {"django_tasks_database.dbtaskresult"}
    assert set(ROW_LOCATORS) <= {m._meta.label_lower for m in inventoried_models()}


def test_every_personal_field_of_an_account_holder_is_reachable() -> None:
    """Field by field: a table is not covered merely because some foreign key to the user table
    exists (an invitation's names its sender, while its address is the invitee's). A person's
    field is reachable when its row is theirs (a required key to them), it is that key, or a
    declared locator finds its rows."""
    links = foreign_key_links()
    owned = {link.model._meta.label_lower for link in links if link.owned}
    keys = {(link.model._meta.label_lower, link.field.name) for link in links}
    unreachable = set()
    for classified in classified_fields(inventoried_models()):
        label = classified.model._meta.label_lower
        c = classified.classification
        if c.subject != Subject.USER or c.erasure == Erasure.RETAIN:
            continue
        if label in ROW_LOCATORS or label == "accounts.user" or label in owned:
            continue
        if (label, classified.field.name) not in keys:
            unreachable.add(f"{label}.{classified.field.name}")
    assert unreachable == {"django_tasks_database.dbtaskresult.args_kwargs"}


def test_invitations_addressed_to_the_person_are_withdrawn_and_their_address_cleared() -> None:
    """The child was invited to two other companies (one invitation since expired): after the
    erasure neither holds the address nor can be accepted; an invitation to someone else stays."""
    from datetime import timedelta as _td

    from logitrack.tenancy.models import Invitation
    from logitrack.tenancy.roles import Role
    from logitrack.tenancy.tests.factories import make_tenant

    (company, _order), _report = _reported()
    child = company.child.user
    elsewhere, later = make_tenant(), make_tenant()
    now = timezone.now()
    rows = []
    for tenant, expires in ((elsewhere, now + _td(days=7)), (later, now - _td(days=1))):
        with tenant_context(tenant):
            rows.append(
                Invitation.objects.create(
                    email=child.email,
                    role=Role.VIEWER,
                    token_hash=f"{tenant.pk:064d}",
                    invited_by=company.reporter.user,
                    created_at=now - _td(days=8),
                    expires_at=expires,
                )
            )
    with tenant_context(elsewhere):
        other = Invitation.objects.create(
            email="someone.else@example.vn",
            role=Role.VIEWER,
            token_hash="f" * 64,
            expires_at=now + _td(days=7),
        )

    person_erase(erasure=erasure_of(child.pk))

    for row in rows:
        row.refresh_from_db()
        assert row.email == ""
        assert row.revoked_at is not None
        assert row.invited_by_id == company.reporter.user.pk  # the sender's, not the child's
    other.refresh_from_db()
    assert other.email == "someone.else@example.vn"
    assert other.revoked_at is None
    assert _tables_holding(child.email) == []
    certificate = erasure_of(child.pk).certificate
    assert {"table": "tenancy.invitation", "rows_withdrawn": 2} in certificate["tables"]


def test_sessions_of_the_person_are_located_through_their_session_rows() -> None:
    company = make_company()
    child = company.child.user
    UserSession.objects.create(user=child, key_hash="f" * 40)
    Session.objects.create(session_key="f" * 40, session_data="x", expire_date=timezone.now())

    assert ROW_LOCATORS["sessions.session"](child).count() == 1


def test_one_failing_erasure_does_not_hold_back_the_others() -> None:
    """The sweep tries every due erasure: one that fails (here its account was switched back on
    behind the service's back, so its key may not be destroyed) stays scheduled and is reported,
    and the people after it are erased on time."""
    from logitrack.privacy.erasure.errors import ErasuresFailed
    from logitrack.privacy.erasure.services.erasure import erasures_run

    (first, _order), _report = _reported()
    second = make_company()
    underage_report_by_colleague(
        reporter=second.reporter.user, tenant_id=second.tenant.pk, subject=second.child.user
    )
    stuck, later = erasure_of(first.child.user.pk), erasure_of(second.child.user.pk)
    make_due(stuck)
    make_due(later)
    User.objects.filter(pk=first.child.user.pk).update(is_active=True)

    with pytest.raises(ErasuresFailed) as failed:
        erasures_run()

    assert failed.value.failed == [stuck.pk]
    assert failed.value.erased == 1
    assert erasure_of(first.child.user.pk).status == PersonErasure.Status.SCHEDULED
    assert User.objects.filter(pk=first.child.user.pk).exists()
    assert erasure_of(second.child.user.pk).status == PersonErasure.Status.DONE
    assert not User.objects.filter(pk=second.child.user.pk).exists()
