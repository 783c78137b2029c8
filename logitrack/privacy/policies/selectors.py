"""Reads of the privacy policy's versions and of people's acceptances.

"In effect" means published with ``effective_at`` at or before now; versions take effect in the
order of their numbers (the publishing service refuses anything else), so the version in effect
is the highest-numbered one that has taken effect.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.utils import timezone

from logitrack.privacy.policies.models import PolicyAcceptance, PolicyVersion

if TYPE_CHECKING:
    from logitrack.accounts.models import User

_PUBLISHED = PolicyVersion.Status.PUBLISHED


def _in_effect(now: datetime | None) -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.filter(
        status=_PUBLISHED, effective_at__lte=now or timezone.now()
    ).order_by("-number")


def current_policy(now: datetime | None = None) -> PolicyVersion | None:
    """The published version in effect at ``now`` (default: this moment), or None before the
    first version takes effect (a fresh installation migrates version 1 in, so: never)."""
    return _in_effect(now).first()


def policy_version_label(now: datetime | None = None) -> str:
    """The number of the version in effect as text ("2"), or "" when none is."""
    version = current_policy(now)
    return str(version.number) if version is not None else ""


def published_versions() -> QuerySet[PolicyVersion]:
    """Every published version, newest first, including any that has yet to take effect."""
    return PolicyVersion.objects.filter(status=_PUBLISHED).order_by("-number")


def previous_published(version: PolicyVersion) -> PolicyVersion | None:
    """The published version just before ``version``, to compare it with."""
    return published_versions().filter(number__lt=version.number).first()


def upcoming_policy(now: datetime | None = None) -> PolicyVersion | None:
    """The next published version that has yet to take effect, if any."""
    return (
        PolicyVersion.objects.filter(status=_PUBLISHED, effective_at__gt=now or timezone.now())
        .order_by("number")
        .first()
    )


def open_draft() -> PolicyVersion | None:
    return PolicyVersion.objects.filter(status=PolicyVersion.Status.DRAFT).first()


def versions_for_officer() -> QuerySet[PolicyVersion]:
    """Every version, drafts too, newest first, each with ``acceptance_count``."""
    return PolicyVersion.objects.annotate(acceptance_count=Count("acceptances")).order_by("-number")


def material_in_effect(now: datetime | None = None) -> PolicyVersion | None:
    """The newest material version in effect: the one every signed-in person must have accepted
    (or a later one)."""
    return _in_effect(now).filter(material=True).first()


def acceptance_required(user: User, now: datetime | None = None) -> PolicyVersion | None:
    """The material version ``user`` must accept before going on, or None.

    That is the newest material version in effect, unless the person has accepted it or any
    later version (whoever accepted version 3 accepted the changes of version 2 with it).
    """
    material = material_in_effect(now)
    if material is None:
        return None
    return None if has_accepted_since(user, material.number) else material


def has_accepted_since(user: User, number: int) -> bool:
    """Whether ``user`` accepted version ``number`` or a later one."""
    return PolicyAcceptance.objects.filter(user=user, version__number__gte=number).exists()


def has_accepted(user: User, version: PolicyVersion) -> bool:
    return PolicyAcceptance.objects.filter(user=user, version=version).exists()
