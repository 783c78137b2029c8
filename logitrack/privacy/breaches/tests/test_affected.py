"""The affected people and tenants of a breach, from the data inventory and the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from logitrack.privacy.breaches.affected import affected_models
from logitrack.privacy.breaches.errors import BreachWrongState, InvalidBreach, InvalidCategory
from logitrack.privacy.breaches.models import AffectedSubject, AffectedTenant, Breach, SubjectKind
from logitrack.privacy.breaches.services.breaches import breach_assess
from logitrack.privacy.breaches.tests.helpers import (
    driver_at,
    make_breach,
    make_officer,
    order_at,
    window,
)
from logitrack.security.actors import Actor
from logitrack.security.models import AuditEntry
from logitrack.security.services import audit_record
from logitrack.tenancy.tests.factories import make_tenant

pytestmark = pytest.mark.django_db


def test_the_inventory_names_the_models_and_the_path_to_each_person() -> None:
    found = {m.label: m for m in affected_models(["user.contact.phone_number"])}

    assert dict(found["logistics.order"].subjects) == {"consignee": "pk"}
    assert dict(found["tracking.driver"].subjects) == {"driver": "pk"}
    assert found["logistics.order"].time_kind == "entity"
    location = {m.label: m for m in affected_models(["user.location.precise"])}
    assert dict(location["tracking.position"].subjects) == {"driver": "driver_id"}
    assert location["tracking.position"].time_kind == "event"
    # Two hops: a shipment event's consignee is its shipment's order.
    assert dict(location["logistics.shipmentevent"].subjects)[SubjectKind.CONSIGNEE] == (
        "shipment__order_id"
    )


def test_people_and_records_are_counted_per_tenant_within_the_time_range() -> None:
    officer = make_officer()
    start, _end = window()
    inside = start + timedelta(hours=6)
    a, b = make_tenant(), make_tenant()
    order_at(a, inside)
    order_at(a, inside)
    order_at(a, timezone.now())  # created after the range: not affected
    driver_at(a, inside)
    order_at(b, inside)
    breach = make_breach(officer)

    assessed = breach_assess(actor=officer, breach=breach)

    assert (assessed.status, assessed.computed_records, assessed.computed_subjects) == (
        Breach.Status.ASSESSED,
        4,
        4,
    )
    tenants = {
        t.tenant_id: (t.records, t.subjects) for t in AffectedTenant.objects.filter(breach=breach)
    }
    assert tenants == {a.pk: (3, 3), b.pk: (1, 1)}
    kinds = sorted(AffectedSubject.objects.filter(breach=breach).values_list("kind", "tenant_key"))
    assert kinds == sorted(
        [("consignee", a.pk), ("consignee", a.pk), ("driver", a.pk), ("consignee", b.pk)]
    )
    entry = AuditEntry.objects.get(action="breach_assessed")
    assert entry.details == {"records": 4, "people": 4, "tenants": 2}


def test_a_tenant_whose_affected_objects_the_audit_trail_shows_in_the_range_is_affected() -> None:
    officer = make_officer()
    gone = make_tenant()
    audit_record(
        action="order_cancelled",
        actor=Actor.system("test_suite"),
        tenant_id=gone.pk,
        object_type="order",
        object_id="77",
    )
    start, _end = window()
    breach = make_breach(
        officer,
        occurred_from=start,
        occurred_until=timezone.now() + timedelta(minutes=1),
        discovered_at=timezone.now() - timedelta(seconds=1),
    )

    breach_assess(actor=officer, breach=breach)

    affected = AffectedTenant.objects.get(breach=breach, tenant_id=gone.pk)
    assert (affected.records, affected.audit_events) == (0, 1)


def test_account_holders_affected_are_those_who_had_an_account_by_the_end_of_the_range() -> None:
    from logitrack.accounts.models import User
    from logitrack.tenancy.tests.factories import make_user

    officer = make_officer()
    start, end = window()
    early, late = make_user(), make_user()
    User.objects.filter(pk=early.pk).update(date_joined=start)
    User.objects.filter(pk=late.pk).update(date_joined=end + timedelta(hours=1))
    breach = make_breach(
        officer, categories=["user.contact.email"], affected_models=["accounts.user"]
    )

    breach_assess(actor=officer, breach=breach)

    refs = set(
        AffectedSubject.objects.filter(breach=breach, kind="user").values_list("ref", flat=True)
    )
    assert str(early.pk) in refs
    assert str(late.pk) not in refs
    assert str(officer.pk) not in refs


def test_a_table_that_holds_none_of_the_categories_is_refused_and_nothing_is_written() -> None:
    officer = make_officer()

    with pytest.raises(InvalidBreach):
        make_breach(officer, affected_models=["tracking.vehicle"])
    with pytest.raises(InvalidCategory):
        make_breach(officer, categories=["user.not_a_category"])

    assert Breach.objects.count() == 0
    assert not AuditEntry.objects.filter(action="breach_registered").exists()


def test_assessing_again_replaces_the_previous_computation_and_closed_steps_are_refused() -> None:
    officer = make_officer()
    a = make_tenant()
    order_at(a, window()[0] + timedelta(hours=1))
    breach = make_breach(officer)
    breach_assess(actor=officer, breach=breach)

    again = breach_assess(actor=officer, breach=breach)

    assert again.computed_subjects == 1
    assert AffectedSubject.objects.filter(breach=breach).count() == 1
    Breach.objects.filter(pk=breach.pk).update(status=Breach.Status.CLOSED)
    with pytest.raises(BreachWrongState):
        breach_assess(actor=officer, breach=breach)
