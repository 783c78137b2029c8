"""Races a hostile or merely unlucky pair of requests can run against the consent ledger and the
breach register, on PostgreSQL's row locks (SQLite serialises writers by its IMMEDIATE
transactions, so none of these races can happen there).

Each test holds one side's transaction open at the moment that matters, starts the other side,
then commits: the outcome must be the one the serial order gives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from logitrack.core.tenant import tenant_context
from logitrack.privacy.breaches.errors import BreachesError
from logitrack.privacy.breaches.models import BreachNotice, Disclosure
from logitrack.privacy.breaches.services.breaches import breach_assess, breach_mark_reported
from logitrack.privacy.breaches.services.disclosures import disclosure_decide
from logitrack.privacy.breaches.services.notices import breach_notices_send
from logitrack.privacy.breaches.tests.helpers import make_breach, make_officer, order_at, window
from logitrack.privacy.consent.models import Action, Method, SubjectMarketingSend
from logitrack.privacy.consent.notices import Asked
from logitrack.privacy.consent.services.consents import subject_consent_record
from logitrack.privacy.consent.services.marketing import Campaign, tenant_marketing_send
from logitrack.privacy.consent.tests.factories import make_admin, make_consignee
from logitrack.privacy.policies.tests.helpers import ensure_version_1
from logitrack.tenancy.roles import Role
from logitrack.tenancy.tests.factories import make_member, make_tenant, principal_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.fixture(autouse=True)
def _policy_version_1() -> None:
    # Transactional tests flush the tables, the migrated policy version 1 included, so a test
    # that runs after another one would find no version to record consents against.
    ensure_version_1()


NEWS = Campaign(
    key="race-2026-12",
    subject_vi="Tin tháng 12",
    subject_en="December news",
    text_vi="Logitrack có tính năng mới.",
    text_en="Logitrack has new features.",
)


def _run(*jobs: tuple[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each job in its own thread (own connection); outcome by name: result or exception."""
    outcomes: dict[str, Any] = {}

    def run(name: str, job: Callable[[], Any]) -> None:
        try:
            outcomes[name] = job()
        except Exception as exc:  # the outcome under test may be an error
            outcomes[name] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=job, name=job[0]) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return outcomes


def test_a_withdrawal_committing_while_a_tenant_send_waits_is_honoured() -> None:
    """The withdrawal holds the consignee's lock when the send starts choosing its recipients:
    the send must wait and then see the withdrawal, not the grant its first snapshot saw."""
    admin = make_admin()
    tenant = admin.tenant
    consignee = make_consignee(tenant)
    manager = principal_for(admin)
    subject_consent_record(
        actor=manager,
        subject=consignee,
        purpose="marketing_email",
        action=Action.GRANT,
        method=Method.PHONE,
        asked=Asked(),
    )
    withdrawn = threading.Event()

    def withdraw() -> str:
        with transaction.atomic():
            subject_consent_record(
                actor=manager,
                subject=consignee,
                purpose="marketing_email",
                action=Action.WITHDRAW,
                method=Method.PHONE,
                asked=Asked(),
            )
            withdrawn.set()
            time.sleep(1.0)  # the send starts now and waits for this commit
        return "withdrawn"

    def send() -> Any:
        withdrawn.wait(5)
        time.sleep(0.2)
        return tenant_marketing_send(
            actor=manager, campaign=NEWS, channel="email", consignee_ids=[consignee.pk]
        )

    outcomes = _run(("withdraw", withdraw), ("send", send))

    assert outcomes["withdraw"] == "withdrawn"
    report = outcomes["send"]["consignee"]
    assert report.sent == []
    assert report.without_consent == [consignee.pk]
    with tenant_context(tenant):
        assert not SubjectMarketingSend.objects.exists()
    assert mail.outbox == []


def test_two_officers_sending_a_breachs_notices_at_once_send_them_once() -> None:
    first, second = make_officer(), make_officer()
    tenant = make_tenant()
    order_at(tenant, window()[0], consignee_email="nguoi.nhan@example.vn")
    make_member(tenant, Role.OWNER, email="chu.cong.ty@example.vn")
    breach = make_breach(first, affected_models=["logistics.order"])
    breach = breach_assess(actor=first, breach=breach)
    breach = breach_mark_reported(
        actor=first, breach=breach, reported_at=breach.discovered_at, reference="A05-1"
    )
    start = threading.Barrier(4)

    def send(officer: Any) -> Callable[[], Any]:
        def job() -> Any:
            start.wait(5)
            return breach_notices_send(actor=officer, breach=breach)

        return job

    outcomes = _run(
        ("a", send(first)), ("b", send(second)), ("c", send(first)), ("d", send(second))
    )

    counts = [value for value in outcomes.values() if isinstance(value, int)]
    refused = [value for value in outcomes.values() if isinstance(value, BreachesError)]
    assert counts == [2], outcomes
    assert len(refused) == 3
    assert {e.code for e in refused} == {"breach_notices_already_sent"}
    assert BreachNotice.objects.filter(breach=breach).count() == 2


def test_two_officers_deciding_one_disclosure_at_once_decide_it_once() -> None:
    from logitrack.privacy.breaches.services.disclosures import disclosure_record
    from logitrack.privacy.breaches.tests.test_disclosures import _input  # the same input

    recorder, approver, rejecter = make_officer(), make_officer(), make_officer()
    disclosure = disclosure_record(actor=recorder, data=_input())
    start = threading.Barrier(2)

    def decide(officer: Any, approve: bool) -> Callable[[], Any]:
        def job() -> Any:
            start.wait(5)
            return disclosure_decide(actor=officer, disclosure=disclosure, approve=approve)

        return job

    outcomes = _run(("approve", decide(approver, True)), ("reject", decide(rejecter, False)))

    decided = [v for v in outcomes.values() if isinstance(v, Disclosure)]
    refused = [v for v in outcomes.values() if isinstance(v, BreachesError)]
    assert len(decided) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert refused[0].code == "disclosure_not_pending"
    disclosure.refresh_from_db()
    assert disclosure.status == decided[0].status
    assert disclosure.decided_by_id == decided[0].decided_by_id
