"""Notices to affected people and tenant owners: from templates, in their language, sent once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from logitrack.privacy.breaches.errors import BreachWrongState, NoticesAlreadySent
from logitrack.privacy.breaches.models import Breach, BreachNotice
from logitrack.privacy.breaches.services.breaches import breach_assess, breach_mark_reported
from logitrack.privacy.breaches.services.notices import breach_notices_send
from logitrack.privacy.breaches.tasks import breach_notices_deliver
from logitrack.privacy.breaches.tests.helpers import (
    driver_at,
    make_breach,
    make_officer,
    order_at,
    window,
)
from logitrack.security.models import AuditEntry
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant

pytestmark = pytest.mark.django_db


def _reported_breach() -> tuple[Breach, Any, Any]:
    officer = make_officer()
    inside = window()[0] + timedelta(hours=3)
    a, b = make_tenant(), make_tenant()
    order_at(a, inside, consignee_email="bich.tran@example.vn")
    order_at(a, inside)  # no e-mail address: the tenant is told, the consignee cannot be
    driver_at(a, inside)
    order_at(b, inside, consignee_email="khach.b@example.vn")
    owner_a = make_member(a, Role.OWNER, email="chu.a@example.vn")
    owner_a.user.language = "en"
    owner_a.user.save(update_fields=["language"])
    make_member(b, Role.OWNER, email="chu.b@example.vn")
    make_member(b, Role.DISPATCHER, email="dieu.phoi@example.vn")  # not an owner
    breach = make_breach(officer)
    breach = breach_assess(actor=officer, breach=breach)
    breach = breach_mark_reported(
        actor=officer, breach=breach, reported_at=timezone.now(), reference="A05-2026-001"
    )
    return breach, officer, (a, b)


def test_each_affected_person_and_owner_gets_one_notice_in_their_language(
    django_capture_on_commit_callbacks: Any,
) -> None:
    breach, officer, _tenants = _reported_breach()

    with django_capture_on_commit_callbacks(execute=True):
        count = breach_notices_send(actor=officer, breach=breach)

    assert count == 4
    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == [
        ("bich.tran@example.vn",),
        ("chu.a@example.vn",),
        ("chu.b@example.vn",),
        ("khach.b@example.vn",),
    ]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["chu.a@example.vn"].subject.startswith("Personal data breach affecting")
    assert "Consignees: 2" in by_address["chu.a@example.vn"].body
    assert "Drivers: 1" in by_address["chu.a@example.vn"].body
    assert by_address["chu.b@example.vn"].subject.startswith("Sự cố")
    assert (
        by_address["bich.tran@example.vn"].subject
        == "Thông báo sự cố dữ liệu cá nhân tại Logitrack"
    )
    assert set(BreachNotice.objects.values_list("status", flat=True)) == {"sent"}
    assert Breach.objects.get(pk=breach.pk).status == Breach.Status.SUBJECTS_NOTIFIED
    assert AuditEntry.objects.get(action="breach_notices_queued").details == {
        "people": 2,
        "tenant_owners": 2,
    }


def test_a_second_send_is_a_clear_error_and_nothing_is_sent_or_written_again(
    django_capture_on_commit_callbacks: Any,
) -> None:
    breach, officer, _tenants = _reported_breach()
    with django_capture_on_commit_callbacks(execute=True):
        breach_notices_send(actor=officer, breach=breach)
    sent, notices = len(mail.outbox), BreachNotice.objects.count()
    entries = AuditEntry.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NoticesAlreadySent):
        breach_notices_send(actor=officer, breach=breach)

    assert (len(mail.outbox), BreachNotice.objects.count()) == (sent, notices)
    assert AuditEntry.objects.count() == entries


def test_running_the_delivery_job_again_sends_nothing_twice(
    django_capture_on_commit_callbacks: Any,
) -> None:
    breach, officer, _tenants = _reported_breach()
    with django_capture_on_commit_callbacks(execute=True):
        breach_notices_send(actor=officer, breach=breach)
    sent = len(mail.outbox)

    assert breach_notices_deliver.call(breach.pk) == 0
    assert len(mail.outbox) == sent


def test_the_database_refuses_a_second_notice_to_the_same_recipient() -> None:
    breach, _officer, _tenants = _reported_breach()
    BreachNotice.objects.create(breach=breach, audience="person", recipient_key="user:1")

    with pytest.raises(IntegrityError), transaction.atomic():
        BreachNotice.objects.create(breach=breach, audience="person", recipient_key="user:1")

    assert BreachNotice.objects.filter(breach=breach).count() == 1


def test_notices_before_the_authority_report_are_refused() -> None:
    officer = make_officer()
    breach = make_breach(officer)

    with pytest.raises(BreachWrongState):
        breach_notices_send(actor=officer, breach=breach)

    assert not BreachNotice.objects.exists()
    assert mail.outbox == []


def test_a_notice_names_the_data_concerned_in_words_never_by_its_taxonomy_key(
    django_capture_on_commit_callbacks: Any,
) -> None:
    breach, officer, _tenants = _reported_breach()

    with django_capture_on_commit_callbacks(execute=True):
        breach_notices_send(actor=officer, breach=breach)

    by_address = {m.to[0]: m for m in mail.outbox}
    person_vi = by_address["bich.tran@example.vn"].body
    owner_en = by_address["chu.a@example.vn"].body
    assert "Số điện thoại" in person_vi
    assert "Phone number" in owner_en
    assert all("user.contact" not in m.body for m in mail.outbox)
