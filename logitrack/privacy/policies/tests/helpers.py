"""Test data for policy versions: the officer, version 1 and a published version 2."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.utils import timezone

from logitrack.accounts.models import User
from logitrack.privacy.policies.models import PolicyVersion
from logitrack.privacy.policies.services import (
    policy_draft_create,
    policy_draft_update,
    policy_publish,
)

DATA = Path(__file__).resolve().parent.parent / "data"
VERSION_1_AT = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
_serial = itertools.count(1)


def ensure_version_1() -> PolicyVersion:
    """Version 1 as the migration writes it; a transactional test before may have flushed it."""
    existing = PolicyVersion.objects.filter(number=1).first()
    if existing is not None:
        return existing
    return PolicyVersion.objects.create(
        number=1,
        status=PolicyVersion.Status.PUBLISHED,
        body_vi=(DATA / "policy_v1_vi.md").read_text(encoding="utf-8"),
        body_en=(DATA / "policy_v1_en.md").read_text(encoding="utf-8"),
        effective_at=VERSION_1_AT,
        published_at=VERSION_1_AT,
    )


def make_officer(role: str = "privacy_officer") -> User:
    return User.objects.create_user(
        email=f"officer{next(_serial)}@logitrack.vn",
        password="lúa-chín-vàng-trên-đồng-xa",
        full_name="Trần Thị Bảo Mật",
        platform_role=role,
    )


def publish_version(
    officer: User,
    *,
    material: bool = True,
    effective_in: timedelta | None = None,
    body_vi: str | None = None,
    body_en: str | None = None,
    summary: str = "Thêm mục về cookie. Added a section on cookies.",
) -> PolicyVersion:
    """A new version from the current text plus a section on cookies, published."""
    draft = policy_draft_create(actor=officer)
    policy_draft_update(
        actor=officer,
        version=draft,
        material=material,
        summary=summary,
        body_vi=body_vi if body_vi is not None else draft.body_vi + "\n## 12. Cookie\n\nMới.\n",
        body_en=body_en if body_en is not None else draft.body_en + "\n## 12. Cookies\n\nNew.\n",
    )
    effective_at = timezone.now() + effective_in if effective_in is not None else None
    return policy_publish(actor=officer, version=draft, effective_at=effective_at)
