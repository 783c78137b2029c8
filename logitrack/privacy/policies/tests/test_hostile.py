"""Publishing mistakes that could not be undone: a published version never changes and versions
take effect in number order, so one effective far in the future would block every later one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.core.testing import HttpsClient
from logitrack.privacy.policies.errors import PolicyEffectiveTooFar
from logitrack.privacy.policies.models import PolicyVersion
from logitrack.privacy.policies.services import (
    EFFECTIVE_HORIZON,
    policy_draft_create,
    policy_draft_update,
    policy_publish,
)

pytestmark = pytest.mark.django_db


def _draft(officer: User) -> PolicyVersion:
    draft = policy_draft_create(actor=officer)
    return policy_draft_update(
        actor=officer, version=draft, material=True, summary="Sửa mục 8.", body_vi="a", body_en="b"
    )


def test_a_version_effective_beyond_the_horizon_is_refused_and_stays_a_draft(
    version_1: PolicyVersion, officer: User
) -> None:
    draft = _draft(officer)
    moment = timezone.now()

    with pytest.raises(PolicyEffectiveTooFar):
        policy_publish(
            actor=officer,
            version=draft,
            effective_at=moment + EFFECTIVE_HORIZON + timedelta(minutes=1),
            now=moment,
        )

    assert PolicyVersion.objects.get(pk=draft.pk).status == "draft"


def test_a_version_effective_at_the_horizon_is_published_and_the_next_can_follow(
    version_1: PolicyVersion, officer: User
) -> None:
    moment = timezone.now()
    published = policy_publish(
        actor=officer, version=_draft(officer), effective_at=moment + EFFECTIVE_HORIZON, now=moment
    )
    assert published.effective_at is not None
    later = policy_publish(
        actor=officer,
        version=_draft(officer),
        effective_at=published.effective_at + timedelta(days=1),
        now=moment + timedelta(days=2),
    )

    assert (published.status, later.status) == ("published", "published")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999-12-31T23:59", "takes effect within a year"),
        ("0001-01-01T00:00", "cannot take effect in the past"),
    ],
    ids=["year-9999", "year-1"],
)
def test_the_publish_form_answers_a_mistyped_year_with_its_message(
    version_1: PolicyVersion, officer: User, typed: str, message: str
) -> None:
    client = HttpsClient()
    client.cookies["__Host-logitrack_lang"] = "en"
    client.force_login(officer)
    draft = _draft(officer)

    response = client.post(
        f"/staff/privacy/policies/{draft.number}/publish/", {"effective_at": typed}, follow=True
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert PolicyVersion.objects.get(pk=draft.pk).status == "draft"
