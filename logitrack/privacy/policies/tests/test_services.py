"""Writing the policy: drafts, publication (both languages, immutable, effective times) and
acceptances, each with its audit event; a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.privacy.policies import selectors
from logitrack.privacy.policies.errors import (
    PolicyDraftExists,
    PolicyEffectiveInPast,
    PolicyEffectiveOutOfOrder,
    PolicyImmutable,
    PolicyLanguageMissing,
    PolicyNotAllowed,
    PolicyNothingToAccept,
    PolicySummaryMissing,
)
from logitrack.privacy.policies.models import PolicyAcceptance, PolicyVersion
from logitrack.privacy.policies.services import (
    policy_accept,
    policy_draft_create,
    policy_draft_update,
    policy_publish,
    truncated_ip,
)
from logitrack.privacy.policies.tests.helpers import make_officer, publish_version
from logitrack.security.models import AuditEntry
from logitrack.tenancy.tests.factories import make_user

pytestmark = pytest.mark.django_db


def _draft(officer: User, **texts: str) -> PolicyVersion:
    draft = policy_draft_create(actor=officer)
    return policy_draft_update(
        actor=officer,
        version=draft,
        material=True,
        summary=texts.get("summary", "Sửa mục 8."),
        body_vi=texts.get("body_vi", draft.body_vi),
        body_en=texts.get("body_en", draft.body_en),
    )


def _state(number: int) -> tuple[object, ...]:
    row = PolicyVersion.objects.get(number=number)
    return (row.status, row.body_vi, row.body_en, row.summary, row.effective_at, row.material)


def test_version_1_is_the_policy_in_effect_after_migrating(version_1: PolicyVersion) -> None:
    current = selectors.current_policy()

    assert current == version_1
    assert selectors.policy_version_label() == "1"
    assert "7 ngày làm việc" in version_1.body_vi
    assert "within 7 working days" in version_1.body_en
    assert version_1.material is False


def test_a_draft_starts_from_the_newest_text_with_the_next_number(
    version_1: PolicyVersion, officer: User
) -> None:
    draft = policy_draft_create(actor=officer)

    assert (draft.number, draft.status) == (2, "draft")
    assert draft.body_vi == version_1.body_vi
    assert AuditEntry.objects.filter(action="policy_draft_saved", object_id="2").count() == 1


def test_a_second_draft_is_refused_while_one_is_open(
    version_1: PolicyVersion, officer: User
) -> None:
    policy_draft_create(actor=officer)

    with pytest.raises(PolicyDraftExists):
        policy_draft_create(actor=officer)

    assert PolicyVersion.objects.count() == 2


@pytest.mark.parametrize("role", ["", "security_officer"])
def test_only_the_privacy_officer_writes_the_policy(version_1: PolicyVersion, role: str) -> None:
    someone = make_officer(role=role)

    with pytest.raises(PolicyNotAllowed):
        policy_draft_create(actor=someone)

    assert PolicyVersion.objects.count() == 1


@pytest.mark.parametrize("missing", ["body_vi", "body_en"])
def test_a_policy_published_without_both_languages_is_refused_and_nothing_changes(
    version_1: PolicyVersion, officer: User, missing: str
) -> None:
    draft = _draft(officer, **{missing: ""})
    before = _state(draft.number)

    with pytest.raises(PolicyLanguageMissing):
        policy_publish(actor=officer, version=draft)

    assert _state(draft.number) == before
    assert not AuditEntry.objects.filter(action="policy_published").exists()
    assert selectors.current_policy() == version_1


def test_a_version_after_the_first_needs_a_summary_of_changes(
    version_1: PolicyVersion, officer: User
) -> None:
    draft = _draft(officer, summary="")

    with pytest.raises(PolicySummaryMissing):
        policy_publish(actor=officer, version=draft)

    assert PolicyVersion.objects.get(pk=draft.pk).status == "draft"


def test_publishing_takes_effect_at_once_and_is_audited(
    version_1: PolicyVersion, officer: User
) -> None:
    before = timezone.now()

    published = publish_version(officer)

    assert published.status == "published"
    assert published.published_by == officer
    assert published.effective_at is not None
    assert published.effective_at >= before
    assert selectors.current_policy() == published
    entry = AuditEntry.objects.get(action="policy_published")
    assert (entry.object_id, entry.details["material"]) == ("2", True)


def test_a_published_version_cannot_be_edited_or_published_again(
    version_1: PolicyVersion, officer: User
) -> None:
    published = publish_version(officer)
    before = _state(2)

    with pytest.raises(PolicyImmutable):
        policy_draft_update(
            actor=officer,
            version=published,
            material=False,
            summary="x",
            body_vi="khác",
            body_en="other",
        )
    with pytest.raises(PolicyImmutable):
        policy_publish(actor=officer, version=published)

    assert _state(2) == before


def test_the_database_refuses_sql_that_changes_a_published_version(
    version_1: PolicyVersion,
) -> None:
    table = PolicyVersion._meta.db_table

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET body_en = 'rewritten' WHERE number = 1")  # noqa: S608

    assert "rewritten" not in PolicyVersion.objects.get(number=1).body_en


def test_the_database_lets_a_draft_change(version_1: PolicyVersion, officer: User) -> None:
    draft = _draft(officer)
    table = PolicyVersion._meta.db_table

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET body_en = 'draft text' WHERE id = %s", [draft.pk])  # noqa: S608

    assert PolicyVersion.objects.get(pk=draft.pk).body_en == "draft text"


def test_an_effective_time_in_the_past_is_refused(version_1: PolicyVersion, officer: User) -> None:
    draft = _draft(officer)

    with pytest.raises(PolicyEffectiveInPast):
        policy_publish(
            actor=officer, version=draft, effective_at=timezone.now() - timedelta(hours=1)
        )

    assert PolicyVersion.objects.get(pk=draft.pk).status == "draft"


def test_an_effective_time_a_minute_ago_counts_as_now(
    version_1: PolicyVersion, officer: User
) -> None:
    draft = _draft(officer)
    moment = timezone.now()

    published = policy_publish(
        actor=officer, version=draft, effective_at=moment - timedelta(minutes=1), now=moment
    )

    assert published.effective_at == moment


def test_a_future_version_is_upcoming_until_it_takes_effect(
    version_1: PolicyVersion, officer: User
) -> None:
    published = publish_version(officer, effective_in=timedelta(days=7))
    later = timezone.now() + timedelta(days=8)

    assert selectors.current_policy() == version_1
    assert selectors.upcoming_policy() == published
    assert selectors.current_policy(later) == published
    assert selectors.upcoming_policy(later) is None


def test_versions_take_effect_in_number_order(version_1: PolicyVersion, officer: User) -> None:
    publish_version(officer, effective_in=timedelta(days=7))
    draft = _draft(officer)

    with pytest.raises(PolicyEffectiveOutOfOrder):
        policy_publish(
            actor=officer, version=draft, effective_at=timezone.now() + timedelta(days=1)
        )

    assert PolicyVersion.objects.get(pk=draft.pk).status == "draft"


def test_an_upcoming_version_cannot_be_accepted_yet(
    version_1: PolicyVersion, officer: User
) -> None:
    upcoming = publish_version(officer, effective_in=timedelta(days=7))
    person = make_user()

    with pytest.raises(PolicyNothingToAccept):
        policy_accept(user=person, version=upcoming, via="prompt", language="vi")

    assert not PolicyAcceptance.objects.exists()


def test_a_draft_cannot_be_accepted(version_1: PolicyVersion, officer: User) -> None:
    draft = _draft(officer)

    with pytest.raises(PolicyNothingToAccept):
        policy_accept(user=make_user(), version=draft, via="prompt", language="vi")

    assert not PolicyAcceptance.objects.exists()


def test_accepting_records_once_with_its_audit_event(
    version_1: PolicyVersion, officer: User
) -> None:
    published = publish_version(officer)
    person = make_user()

    first = policy_accept(user=person, version=published, via="prompt", language="en")
    again = policy_accept(user=person, version=published, via="prompt", language="vi")

    assert first.pk == again.pk
    assert (first.language, first.via) == ("en", "prompt")
    assert AuditEntry.objects.filter(action="policy_accepted", object_id="2").count() == 1
    assert selectors.acceptance_required(person) is None


def test_a_material_version_is_required_until_it_or_a_later_one_is_accepted(
    version_1: PolicyVersion, officer: User
) -> None:
    material = publish_version(officer, material=True)
    person, other = make_user(), make_user()
    assert selectors.acceptance_required(person) == material

    later = publish_version(officer, material=False, body_en=material.body_en + "\nMore.\n")
    policy_accept(user=person, version=later, via="prompt", language="vi")

    assert selectors.acceptance_required(person) is None
    assert selectors.acceptance_required(other) == material


def test_a_non_material_version_requires_nothing(version_1: PolicyVersion, officer: User) -> None:
    publish_version(officer, material=False)

    assert selectors.acceptance_required(make_user()) is None


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::"),
        ("not an address", None),
        ("", None),
    ],
)
def test_the_ip_address_is_truncated_before_it_is_stored(address: str, stored: str | None) -> None:
    assert truncated_ip(address) == stored
