"""The only way request-driven code gets a policy version.

Readers see published versions only; a draft, like a number that does not exist, raises
NotFound("policy_version_not_found"), so drafts cannot be probed. The privacy officer, asking
``for_write``, gets drafts too.
"""

from __future__ import annotations

from logitrack.core.errors import NotFound
from logitrack.privacy.policies.models import PolicyVersion
from logitrack.tenancy.principal import Principal

NOT_FOUND = "policy_version_not_found"


def access_policy_version_by_number(
    principal: Principal, number: int, *, for_write: bool = False
) -> PolicyVersion:
    """The version numbered ``number``: published ones for anyone; any one, drafts included,
    for an active privacy officer with ``for_write``. NotFound otherwise."""
    versions = PolicyVersion.objects.all()
    if for_write:
        user = principal.user
        if user is None or not user.is_active or user.platform_role != "privacy_officer":
            raise NotFound(NOT_FOUND)
    else:
        versions = versions.filter(status=PolicyVersion.Status.PUBLISHED)
    version = versions.filter(number=number).first()
    if version is None:
        raise NotFound(NOT_FOUND)
    return version
